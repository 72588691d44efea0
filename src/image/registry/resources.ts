// Identity of every resource of image.openshift.io/v1 (names, kinds, scope, short names), as
// openshift-apiserver registers them; discovery is built from these.

import type { GroupResource } from '../../apiserver/api/types.js';
import type { ResourceInfo } from '../../apiserver/registry/strategy.js';
import { GROUP, VERSION } from '../api/types.js';

const base = { group: GROUP, version: VERSION };

export const IMAGE_STREAMS: ResourceInfo = {
  ...base,
  resource: 'imagestreams',
  kind: 'ImageStream',
  listKind: 'ImageStreamList',
  singular: 'imagestream',
  namespaced: true,
  shortNames: ['is'],
  categories: ['all'],
};

export const IMAGES: ResourceInfo = {
  ...base,
  resource: 'images',
  kind: 'Image',
  listKind: 'ImageList',
  singular: 'image',
  namespaced: false,
};

export const IMAGE_STREAM_TAGS: ResourceInfo = {
  ...base,
  resource: 'imagestreamtags',
  kind: 'ImageStreamTag',
  listKind: 'ImageStreamTagList',
  singular: 'imagestreamtag',
  namespaced: true,
  shortNames: ['istag'],
};

export const IMAGE_TAGS: ResourceInfo = {
  ...base,
  resource: 'imagetags',
  kind: 'ImageTag',
  listKind: 'ImageTagList',
  singular: 'imagetag',
  namespaced: true,
  shortNames: ['itag'],
};

export const IMAGE_STREAM_IMAGES: ResourceInfo = {
  ...base,
  resource: 'imagestreamimages',
  kind: 'ImageStreamImage',
  listKind: 'ImageStreamImageList',
  singular: 'imagestreamimage',
  namespaced: true,
  shortNames: ['isimage'],
};

export const IMAGE_STREAM_MAPPINGS: ResourceInfo = {
  ...base,
  resource: 'imagestreammappings',
  kind: 'ImageStreamMapping',
  listKind: 'ImageStreamMappingList',
  singular: 'imagestreammapping',
  namespaced: true,
};

export const IMAGE_STREAM_IMPORTS: ResourceInfo = {
  ...base,
  resource: 'imagestreamimports',
  kind: 'ImageStreamImport',
  listKind: 'ImageStreamImportList',
  singular: 'imagestreamimport',
  namespaced: true,
};

export const IMAGE_SIGNATURES: ResourceInfo = {
  ...base,
  resource: 'imagesignatures',
  kind: 'ImageSignature',
  listKind: 'ImageSignatureList',
  singular: 'imagesignature',
  namespaced: false,
};

/** imagestreams/<name>/layers answers with this kind. */
export const IMAGE_STREAM_LAYERS: ResourceInfo = { ...IMAGE_STREAMS, kind: 'ImageStreamLayers', listKind: 'ImageStreamLayersList' };

/** imagestreams/<name>/secrets answers with this kind (a core SecretList in the image group). */
export const IMAGE_STREAM_SECRETS: ResourceInfo = { ...IMAGE_STREAMS, kind: 'SecretList', listKind: 'SecretListList', singular: 'imagesecret' };

export const gr = (info: ResourceInfo): GroupResource => ({ group: info.group, resource: info.resource });
