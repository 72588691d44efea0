// Wire types of the kinds image.openshift.io serves without storing them: they are synthesized
// from ImageStreams and Images on every request (or, for mappings, only ever received).

import type { KubeObject } from '../../apiserver/api/types.js';
import type { ListMeta, StatusDetails } from '../../apiserver/api/types.js';
import type { Image, ImageLookupPolicy, ImageStream, NamedTagEventList, ObjectReference, TagEventCondition, TagImportPolicy, TagReference, TagReferencePolicy } from './types.js';

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

/** metav1.Status as embedded in import results (no kind/apiVersion). */
export interface EmbeddedStatus {
  metadata: ListMeta;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** One image to import (spec.images[i]). */
export interface ImageImportSpec {
  from: ObjectReference;
  /** The stream tag to set; without it the import is a preview of that image only. */
  to?: { name?: string } | null;
  importPolicy?: TagImportPolicy;
  referencePolicy?: TagReferencePolicy;
  includeManifest?: boolean;
}

/** A whole repository to import (spec.repository). */
export interface RepositoryImportSpec {
  from: ObjectReference;
  importPolicy?: TagImportPolicy;
  referencePolicy?: TagReferencePolicy;
  includeManifest?: boolean;
}

export interface ImageImportStatus {
  status: EmbeddedStatus;
  image?: Image;
  tag?: string;
  manifests?: Image[];
}

export interface RepositoryImportStatus {
  status?: EmbeddedStatus;
  images?: ImageImportStatus[];
  additionalTags?: string[];
}

/** Finds images in registries and (with `import: true`) tags them into the stream it names. */
export interface ImageStreamImport extends KubeObject {
  spec: {
    import: boolean;
    images?: ImageImportSpec[] | null;
    repository?: RepositoryImportSpec | null;
  };
  status?: {
    import?: ImageStream;
    repository?: RepositoryImportStatus;
    images?: ImageImportStatus[];
  };
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

/** Set on a stream each time an import wrote it (RFC 3339). */
export const DOCKER_REPOSITORY_CHECK_ANNOTATION = 'openshift.io/image.dockerRepositoryCheck';
/** Spec tag annotations choosing which child of a manifest list a Legacy import takes. */
export const PREFER_ARCH_ANNOTATION = 'importer.image.openshift.io/prefer-arch';
export const PREFER_OS_ANNOTATION = 'importer.image.openshift.io/prefer-os';

/** Condition type of a failed import on a status tag. */
export const IMPORT_SUCCESS_CONDITION = 'ImportSuccess';
/** Annotation on Images pushed to the integrated registry. */
export const MANAGED_BY_OPENSHIFT_ANNOTATION = 'openshift.io/image.managed';
