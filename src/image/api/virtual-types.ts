// Wire types of the kinds image.openshift.io serves without storing them: they are synthesized
// from ImageStreams and Images on every request (or, for mappings, only ever received).

import type { KubeObject } from '../../apiserver/api/types.js';
import type { Image, ImageLookupPolicy, NamedTagEventList, TagEventCondition, TagReference } from './types.js';

/** `<stream>:<tag>`: the newest image of a tag with the stream's view of it. */
export interface ImageStreamTag extends KubeObject {
  tag?: TagReference | null;
  generation?: number;
  conditions?: TagEventCondition[] | null;
  lookupPolicy?: ImageLookupPolicy;
  image?: Image;
}

/** `<stream>:<tag>`: spec, whole status history and newest image of one tag. */
export interface ImageTag extends KubeObject {
  spec?: TagReference | null;
  status?: NamedTagEventList | null;
  image?: Image | null;
}

/** `<stream>@<id>`: an image known to the stream. */
export interface ImageStreamImage extends KubeObject {
  image?: Image;
}

/** What the integrated registry posts after a push: put `image` under `tag` of the named stream. */
export interface ImageStreamMapping extends KubeObject {
  image?: Image;
  tag?: string;
}

export interface ImageLayerData {
  /** null when unknown (configs and manifests). */
  size: number | null;
  mediaType: string;
}

export interface ImageBlobReferences {
  imageMissing: boolean;
  layers: string[] | null;
  config: string | null;
  manifests?: string[];
}

export interface ImageStreamLayers extends KubeObject {
  blobs: Record<string, ImageLayerData>;
  images: Record<string, ImageBlobReferences>;
}

/** The LimitRange item types and resources the image API honours. */
export const LIMIT_TYPE_IMAGE = 'openshift.io/Image';
export const LIMIT_TYPE_IMAGE_STREAM = 'openshift.io/ImageStream';
export const RESOURCE_IMAGE_STREAM_TAGS = 'openshift.io/image-tags';
export const RESOURCE_IMAGE_STREAM_IMAGES = 'openshift.io/images';
export const RESOURCE_STORAGE = 'storage';

/** Condition type of a failed import on a status tag. */
export const IMPORT_SUCCESS_CONDITION = 'ImportSuccess';
/** Annotation on Images pushed to the integrated registry. */
export const MANAGED_BY_OPENSHIFT_ANNOTATION = 'openshift.io/image.managed';
