// The resource map of image.openshift.io/v1: which storage answers for which resource path, and
// the collaborators (stores, facades, checks) they are built from.

import type { AdmissionPlugin } from '../apiserver/registry/admission.js';
import type { RESTStorage } from '../apiserver/registry/rest.js';
import { storedResources, Store } from '../apiserver/registry/store.js';
import { subresourceView } from '../apiserver/registry/subresource-view.js';
import type { DiscoveryGroup } from '../apiserver/discovery/discovery.js';
import type { Storage } from '../apiserver/storage/interfaces.js';
import type { ImportModeType } from './api/types.js';
import type { RegistryAllowList } from './api/validation/allowlist.js';
import { newRegistryAllowList, type AllowedRegistry } from './api/validation/registry-allowlist.js';
import type { ImageAccessChecker, LimitRangeSource, PullSecretSource } from './collaborators.js';
import { ImageRegistry } from './registry/image/registry.js';
import { ImageStrategy } from './registry/image/strategy.js';
import { ImageSignatureREST } from './registry/imagesignature/rest.js';
import { ImageStreamLayersREST } from './registry/imagestream/layers.js';
import { LimitRangeVerifier } from './registry/imagestream/limits.js';
import { ImageStreamRegistry } from './registry/imagestream/registry.js';
import { ImageStreamSecretsREST } from './registry/imagestream/secrets.js';
import {
  ImageStreamInternalStrategy,
  ImageStreamStatusStrategy,
  ImageStreamStrategy,
  type ImageStreamStrategyOptions,
} from './registry/imagestream/strategy.js';
import { StreamTagResolver } from './registry/imagestream/tag-resolver.js';
import { ImageStreamImageREST } from './registry/imagestreamimage/rest.js';
import { ImageStreamMappingREST } from './registry/imagestreammapping/rest.js';
import { ImageStreamImporter } from './registry/imagestreamimport/importer.js';
import { ImageStreamImportREST } from './registry/imagestreamimport/rest.js';
import { RegistryClient } from './importer/index.js';
import { defaultImageStreamImport } from './api/defaults.js';
import type { RunImport } from './controllers/import-controller.js';
import { storageStreamSource, type StreamSource } from './controllers/stream-source.js';
import { ImageStreamTagREST } from './registry/imagestreamtag/rest.js';
import { ImageTagREST } from './registry/imagetag/rest.js';
import { IMAGE_STREAMS, IMAGES } from './registry/resources.js';
import { GROUP, VERSION } from './api/types.js';
import { TypeModel } from '../apiserver/openapi/type-model.js';
import { imageApiDocument, imageDefinitionName } from './api/schemas.js';
import { imageProtobuf } from './api/protobuf.js';

export { GROUP, VERSION } from './api/types.js';
export { IMAGE_STREAMS, IMAGES } from './registry/resources.js';

export interface ImageAPIConfig {
  storage: Storage;
  internalRegistryHostname: string;
  externalRegistryHostname: string;
  admission?: readonly AdmissionPlugin[];
  clock?: () => Date;
  /**
   * Checks made for the requesting user inside the API (`get imagestreams/layers` in the source
   * namespace of a cross-namespace tag). Absent: allowed (local mode has only the administrator).
   */
  accessChecker?: ImageAccessChecker;
  /** The namespace's Secrets (imagestreams/<name>/secrets). Absent: the list is always empty. */
  pullSecrets?: PullSecretSource;
  /** The namespace's LimitRanges (image stream limits, image size on push). Absent: no limits. */
  limitRanges?: LimitRangeSource;
  /** allowedRegistriesForImport. Absent or empty: every registry may be referenced. */
  allowedRegistries?: readonly AllowedRegistry[];
  /** At most this many events per status tag; 0 or absent: unbounded (as OpenShift). */
  tagHistoryLimit?: number;
  /** importPolicy.importMode given to spec tags without one (cluster setting). Default Legacy. */
  importMode?: ImportModeType;
  /** Image reads in flight per request (layers, stream images). */
  imageReadConcurrency?: number;
  /** The registry client imports use; a default one when absent. */
  registryClient?: RegistryClient;
  /** Tags one repository import takes (default 50); -1 = all. */
  maxImagesBulkImportedPerRepository?: number;
  /** How long one import may spend on registries (default 50 s). */
  importTimeoutMs?: number;
}

export interface ImageAPI {
  group: DiscoveryGroup;
  /** Facades for code that reads and writes streams and images (e.g. imports). */
  streams: ImageStreamRegistry;
  images: ImageRegistry;
  allowList: RegistryAllowList;
  /** For the background import controller: the streams to watch and how to import into them. */
  imports: { source: StreamSource; run: RunImport };
}

export function installImageAPI(cfg: ImageAPIConfig): ImageAPI {
  const hostnames = { internal: cfg.internalRegistryHostname, external: cfg.externalRegistryHostname };
  const clock = cfg.clock ?? (() => new Date());
  const common = { storage: cfg.storage, admission: cfg.admission, clock };
  const allowList = newRegistryAllowList(cfg.allowedRegistries ?? [], { internalRegistryHostname: cfg.internalRegistryHostname });

  // The resolver reads other streams through the registry built (below) from the stores it is part of.
  const tagResolver = new StreamTagResolver({
    getStream: (ctx, ns, name) => streamRegistry.get(ctx, ns, name),
    access: cfg.accessChecker,
    hostnames,
    clock,
  });
  const streamOpts: ImageStreamStrategyOptions = {
    allowList,
    tagResolver,
    limitVerifier: cfg.limitRanges ? new LimitRangeVerifier(cfg.limitRanges) : undefined,
    tagHistoryLimit: cfg.tagHistoryLimit,
    importMode: cfg.importMode,
  };
  const streamStrategy = new ImageStreamStrategy(hostnames, streamOpts);
  const streams = new Store({ ...common, info: IMAGE_STREAMS, strategy: streamStrategy });
  const streamStatus = new Store({ ...common, info: IMAGE_STREAMS, subresource: 'status', strategy: new ImageStreamStatusStrategy(hostnames, streamOpts) });
  const streamInternal = new Store({ ...common, info: IMAGE_STREAMS, strategy: new ImageStreamInternalStrategy(hostnames, streamOpts) });
  const streamRegistry = new ImageStreamRegistry({
    main: streams,
    internal: streamInternal,
    status: streamStatus,
    decorate: (s) => streamStrategy.decorate(s),
  });
  const images = new Store({ ...common, info: IMAGES, strategy: new ImageStrategy({ clock }) });
  const imageRegistry = new ImageRegistry(images, cfg.imageReadConcurrency);
  const tagDeps = { streams: streamRegistry, images: imageRegistry, allowList: () => allowList, importMode: cfg.importMode, clock };
  const importer = new ImageStreamImporter({
    streams: streamRegistry,
    images: imageRegistry,
    client: cfg.registryClient ?? new RegistryClient(),
    pullSecrets: cfg.pullSecrets,
    importMode: cfg.importMode,
    maxImagesPerRepository: cfg.maxImagesBulkImportedPerRepository,
    timeoutMs: cfg.importTimeoutMs,
    clock,
  });

  const resources = new Map<string, RESTStorage>([
    ['images', images],
    ['imagesignatures', new ImageSignatureREST(imageRegistry, clock)],
    ['imagestreamimages', new ImageStreamImageREST(streamRegistry, imageRegistry, clock)],
    ['imagestreamimports', new ImageStreamImportREST({ importer, allowList: () => allowList, access: cfg.accessChecker, importMode: cfg.importMode, clock })],
    ['imagestreammappings', new ImageStreamMappingREST({ streams: streamRegistry, images: imageRegistry, hostnames, limitRanges: cfg.limitRanges, clock })],
    ['imagestreams', streams],
    ['imagestreams/layers', new ImageStreamLayersREST(streamRegistry, imageRegistry)],
    ['imagestreams/secrets', new ImageStreamSecretsREST(cfg.pullSecrets)],
    ['imagestreams/status', subresourceView('status', streams, streamStatus)],
    ['imagestreamtags', new ImageStreamTagREST(tagDeps)],
    ['imagetags', new ImageTagREST(tagDeps)],
  ]);
  return {
    group: { group: GROUP, version: VERSION, resources, storedKinds: storedResources(resources), typeModel: new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName }), protobuf: imageProtobuf },
    streams: streamRegistry,
    images: imageRegistry,
    allowList,
    imports: {
      source: storageStreamSource(streams, { user: { username: 'system:image-apiserver', groups: ['system:masters'] }, namespace: '', dryRun: false }),
      run: (user, namespace, isi, pre, signal) => {
        defaultImageStreamImport(isi, { importMode: cfg.importMode });
        return importer.import({ user, namespace, dryRun: false }, isi, pre, signal);
      },
    },
  };
}
