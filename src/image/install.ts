// The resource map of image.openshift.io/v1: which storage answers for which resource path.

import type { AdmissionPlugin } from '../apiserver/registry/admission.js';
import type { RESTStorage } from '../apiserver/registry/rest.js';
import { Store } from '../apiserver/registry/store.js';
import type { ResourceInfo } from '../apiserver/registry/strategy.js';
import type { DiscoveryGroup } from '../apiserver/discovery/discovery.js';
import type { Storage } from '../apiserver/storage/interfaces.js';
import { ImageStrategy } from './registry/image/strategy.js';
import { ImageStreamStatusStrategy, ImageStreamStrategy } from './registry/imagestream/strategy.js';

export const GROUP = 'image.openshift.io';
export const VERSION = 'v1';

export const IMAGE_STREAMS: ResourceInfo = {
  group: GROUP,
  version: VERSION,
  resource: 'imagestreams',
  kind: 'ImageStream',
  listKind: 'ImageStreamList',
  singular: 'imagestream',
  namespaced: true,
  shortNames: ['is'],
  categories: ['all'],
};

export const IMAGES: ResourceInfo = {
  group: GROUP,
  version: VERSION,
  resource: 'images',
  kind: 'Image',
  listKind: 'ImageList',
  singular: 'image',
  namespaced: false,
};

export interface ImageAPIConfig {
  storage: Storage;
  internalRegistryHostname: string;
  externalRegistryHostname: string;
  admission?: readonly AdmissionPlugin[];
  clock?: () => Date;
}

export interface ImageAPI {
  group: DiscoveryGroup;
}

/** A view of a store that exposes only some verbs (e.g. the status subresource: get, update). */
function subresource(name: string, getFrom: Store, updateWith: Store): RESTStorage {
  return {
    info: getFrom.info,
    subresource: name,
    get: (ctx, n, o) => getFrom.get(ctx, n, o),
    update: (ctx, n, transform, o) => updateWith.update(ctx, n, transform, o),
  };
}

export function installImageAPI(cfg: ImageAPIConfig): ImageAPI {
  const hostnames = { internal: cfg.internalRegistryHostname, external: cfg.externalRegistryHostname };
  const common = { storage: cfg.storage, admission: cfg.admission, clock: cfg.clock };
  const streams = new Store({ ...common, info: IMAGE_STREAMS, strategy: new ImageStreamStrategy(hostnames) });
  const streamStatus = new Store({ ...common, info: IMAGE_STREAMS, subresource: 'status', strategy: new ImageStreamStatusStrategy(hostnames) });
  const images = new Store({ ...common, info: IMAGES, strategy: new ImageStrategy() });

  const resources = new Map<string, RESTStorage>([
    ['images', images],
    ['imagestreams', streams],
    ['imagestreams/status', subresource('status', streams, streamStatus)],
  ]);
  return {
    group: { group: GROUP, version: VERSION, resources, storedKinds: new Set(['images', 'imagestreams']) },
  };
}
