// imagestreams/<name>/layers: every image in the stream's history (and the children of manifest
// lists) with its layers, config and manifests, and every blob with its size and media type.
// Only the images the history names are read, in bounded parallel, level by level.

import type { KubeObject } from '../../../apiserver/api/types.js';
import type { RESTStorage } from '../../../apiserver/registry/rest.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { defaultTable, type TableBody } from '../../../apiserver/registry/table.js';
import { MEDIA_TYPES } from '../../api/manifest.js';
import { decodeDockerImageMetadata, metadataVersion } from '../../api/metadata.js';
import { API_VERSION, type Image, type ImageStream } from '../../api/types.js';
import type { ImageBlobReferences, ImageLayerData, ImageStreamLayers } from '../../api/virtual-types.js';
import type { ImageRegistry } from '../image/registry.js';
import { IMAGE_STREAM_LAYERS } from '../resources.js';
import type { ImageStreamRegistry } from './registry.js';

const CONFIG_MEDIA_TYPES: Readonly<Record<string, string>> = {
  [MEDIA_TYPES.dockerSchema2]: MEDIA_TYPES.dockerConfig,
  [MEDIA_TYPES.ociManifest]: MEDIA_TYPES.ociConfig,
};

/** Every image named in the history, newest tag events first, each once. */
export function historyImages(stream: ImageStream): string[] {
  const names = new Set<string>();
  for (const list of stream.status?.tags ?? []) for (const e of list.items ?? []) if (e.image) names.add(e.image);
  return [...names];
}

const sortedRecord = <T>(m: Map<string, T>): Record<string, T> =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function addImage(name: string, image: Image | undefined, blobs: Map<string, ImageLayerData>, images: Map<string, ImageBlobReferences>): string[] {
  if (!image) {
    images.set(name, { imageMissing: true, layers: null, config: null });
    return [];
  }
  const ref: ImageBlobReferences = { imageMissing: false, layers: null, config: null };
  const layers = image.dockerImageLayers ?? [];
  if (layers.length) ref.layers = [];
  for (const l of layers) {
    const digest = l.name ?? '';
    ref.layers?.push(digest);
    if (!blobs.has(digest)) blobs.set(digest, { size: l.size ?? 0, mediaType: l.mediaType ?? '' });
  }
  const mediaType = image.dockerImageManifestMediaType || MEDIA_TYPES.dockerSchema2;
  const configType = CONFIG_MEDIA_TYPES[image.dockerImageManifestMediaType ?? ''];
  if (configType) {
    const id = decodeDockerImageMetadata(image.dockerImageMetadata, metadataVersion(image)).id;
    ref.config = id;
    // The config's size is not recorded on the Image.
    if (!blobs.has(id)) blobs.set(id, { size: null, mediaType: configType });
  }
  const children = (image.dockerImageManifests ?? []).map((m) => m.digest ?? '');
  if (children.length) ref.manifests = children;
  if (!blobs.has(name)) blobs.set(name, { size: null, mediaType });
  images.set(name, ref);
  return children;
}

/** The layers document of `stream`; reads each referenced Image once. */
export async function computeImageStreamLayers(ctx: RequestContext, stream: ImageStream, images: ImageRegistry): Promise<ImageStreamLayers> {
  const blobs = new Map<string, ImageLayerData>();
  const refs = new Map<string, ImageBlobReferences>();
  let level = historyImages(stream);
  while (level.length) {
    const fetched = await images.getMany(ctx, level);
    const next: string[] = [];
    for (const name of level) {
      if (refs.has(name)) continue;
      for (const child of addImage(name, fetched.get(name), blobs, refs)) if (!refs.has(child)) next.push(child);
    }
    level = [...new Set(next)];
  }
  return {
    kind: IMAGE_STREAM_LAYERS.kind,
    apiVersion: API_VERSION,
    metadata: structuredClone(stream.metadata),
    blobs: sortedRecord(blobs),
    images: sortedRecord(refs),
  };
}

export class ImageStreamLayersREST implements RESTStorage {
  readonly info = IMAGE_STREAM_LAYERS;
  readonly subresource = 'layers';

  constructor(
    private readonly streams: ImageStreamRegistry,
    private readonly images: ImageRegistry,
  ) {}

  async get(ctx: RequestContext, name: string): Promise<KubeObject> {
    const stream = await this.streams.get(ctx, ctx.namespace, name);
    return computeImageStreamLayers(ctx, stream, this.images);
  }

  convertToTable(objects: KubeObject[]): TableBody {
    return defaultTable(objects);
  }
}
