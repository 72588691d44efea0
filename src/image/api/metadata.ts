// Image metadata: the DockerImage encodings of Image.dockerImageMetadata (versions 1.0 and
// pre012) and its derivation from the raw manifest and image config (schema1, docker schema2,
// OCI, manifest lists), as openshift-apiserver does when an Image is created or updated.

import { goTime } from './conversion/json.js';
import { GoJSONError, GoObject, parseJSON } from './gojson.js';
import { decodeLooseManifest, isManifestListMediaType, MEDIA_TYPES, type LooseManifest } from './manifest.js';
import {
  annotations,
  GROUP,
  LAYERS_ORDER_ASCENDING,
  LAYERS_ORDER_DESCENDING,
  type DockerConfig,
  type DockerImageMetadata,
  type Image,
  type ImageLayer,
} from './types.js';
import { formatTime, isObject } from '../../apiserver/api/types.js';
import { isRFC3339 } from './formats.js';

export const DEFAULT_METADATA_VERSION = '1.0';
export const SUPPORTED_METADATA_VERSIONS = ['1.0', 'pre012'] as const;
export const DOCKER_IMAGE_KIND = 'DockerImage';

// ---- DockerConfig ----

type ConfigField = [key: keyof DockerConfig, kind: 'string' | 'int' | 'bool' | 'strings' | 'keySet' | 'stringMap'];

/** docker10.DockerConfig in Go field order. */
const CONFIG_FIELDS: readonly ConfigField[] = [
  ['Hostname', 'string'],
  ['Domainname', 'string'],
  ['User', 'string'],
  ['Memory', 'int'],
  ['MemorySwap', 'int'],
  ['CpuShares', 'int'],
  ['Cpuset', 'string'],
  ['AttachStdin', 'bool'],
  ['AttachStdout', 'bool'],
  ['AttachStderr', 'bool'],
  ['PortSpecs', 'strings'],
  ['ExposedPorts', 'keySet'],
  ['Tty', 'bool'],
  ['OpenStdin', 'bool'],
  ['StdinOnce', 'bool'],
  ['Env', 'strings'],
  ['Cmd', 'strings'],
  ['Dns', 'strings'],
  ['Image', 'string'],
  ['Volumes', 'keySet'],
  ['VolumesFrom', 'string'],
  ['WorkingDir', 'string'],
  ['Entrypoint', 'strings'],
  ['NetworkDisabled', 'bool'],
  ['SecurityOpts', 'strings'],
  ['OnBuild', 'strings'],
  ['Labels', 'stringMap'],
];

/** Decodes a DockerConfig keeping only set fields (all of them are omitempty on output). */
function decodeDockerConfig(o: GoObject | null): DockerConfig {
  const out: Record<string, unknown> = {};
  if (!o) return out;
  for (const [key, kind] of CONFIG_FIELDS) {
    let v: unknown;
    switch (kind) {
      case 'string':
        v = o.string(key);
        break;
      case 'int':
        v = o.int(key);
        break;
      case 'bool':
        v = o.bool(key);
        break;
      case 'strings':
        v = o.strings(key);
        break;
      case 'keySet':
        v = o.keySet(key);
        break;
      case 'stringMap':
        v = o.stringMap(key);
        break;
    }
    if (isSet(v)) out[key] = v;
  }
  return out as DockerConfig;
}

function isSet(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function encodeDockerConfig(c: DockerConfig | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = (c ?? {}) as Record<string, unknown>;
  for (const [key] of CONFIG_FIELDS) if (isSet(src[key])) out[key] = src[key];
  return out;
}

// ---- DockerImage encodings ----

/** Wire key of each metadata field, per encoding version. */
const KEYS = {
  '1.0': {
    id: 'Id',
    parent: 'Parent',
    comment: 'Comment',
    created: 'Created',
    container: 'Container',
    containerConfig: 'ContainerConfig',
    dockerVersion: 'DockerVersion',
    author: 'Author',
    config: 'Config',
    architecture: 'Architecture',
    size: 'Size',
  },
  pre012: {
    id: 'id',
    parent: 'parent',
    comment: 'comment',
    created: 'created',
    container: 'container',
    containerConfig: 'container_config',
    dockerVersion: 'docker_version',
    author: 'author',
    config: 'config',
    architecture: 'architecture',
    size: 'size',
  },
} as const;

type MetadataVersion = keyof typeof KEYS;

function versionOf(v: string | undefined): MetadataVersion {
  return v === 'pre012' ? 'pre012' : '1.0';
}

export function emptyMetadata(): DockerImageMetadata {
  return { id: '', created: null, containerConfig: {} };
}

/**
 * Reads a dockerImageMetadata object of the given version (its own apiVersion wins when it names
 * one). Lenient: wrong-typed fields are dropped. Absent or null metadata is the empty value.
 */
export function decodeDockerImageMetadata(raw: unknown, version?: string): DockerImageMetadata {
  const o = GoObject.from(raw, false);
  if (!o) return emptyMetadata();
  const apiVersion = o.string('apiVersion');
  const declared = apiVersion.startsWith(`${GROUP}/`) ? apiVersion.slice(GROUP.length + 1) : '';
  const keys = KEYS[declared === '1.0' || declared === 'pre012' ? declared : versionOf(version)];
  const out: DockerImageMetadata = {
    id: o.string(keys.id),
    created: goTime(o.string(keys.created)),
    containerConfig: decodeDockerConfig(o.object(keys.containerConfig)),
  };
  const optional: [keyof DockerImageMetadata, string][] = [
    ['parent', o.string(keys.parent)],
    ['comment', o.string(keys.comment)],
    ['container', o.string(keys.container)],
    ['dockerVersion', o.string(keys.dockerVersion)],
    ['author', o.string(keys.author)],
    ['architecture', o.string(keys.architecture)],
  ];
  for (const [k, v] of optional) if (v) (out as unknown as Record<string, unknown>)[k] = v;
  const config = o.object(keys.config);
  if (config) out.config = decodeDockerConfig(config);
  const size = o.int(keys.size);
  if (size) out.size = size;
  return out;
}

/** Writes metadata as the DockerImage object of `version` (Go field order and omitempty rules). */
export function encodeDockerImageMetadata(meta: DockerImageMetadata, version?: string): Record<string, unknown> {
  const v = versionOf(version);
  const keys = KEYS[v];
  const out: Record<string, unknown> = { kind: DOCKER_IMAGE_KIND, apiVersion: `${GROUP}/${v}`, [keys.id]: meta.id };
  if (meta.parent) out[keys.parent] = meta.parent;
  if (meta.comment) out[keys.comment] = meta.comment;
  out[keys.created] = meta.created;
  if (meta.container) out[keys.container] = meta.container;
  out[keys.containerConfig] = encodeDockerConfig(meta.containerConfig);
  if (meta.dockerVersion) out[keys.dockerVersion] = meta.dockerVersion;
  if (meta.author) out[keys.author] = meta.author;
  if (meta.config) out[keys.config] = encodeDockerConfig(meta.config);
  if (meta.architecture) out[keys.architecture] = meta.architecture;
  if (meta.size) out[keys.size] = meta.size;
  return out;
}

/** The version to encode with: the Image's own, "1.0" when unset. */
export function metadataVersion(image: Image): string {
  return image.dockerImageMetadataVersion || DEFAULT_METADATA_VERSION;
}

// ---- derivation from manifest + config ----

/** A schema1 v1Compatibility entry or a schema2/OCI config blob, reduced to the metadata fields. */
function metadataFromImageJSON(o: GoObject | null): DockerImageMetadata {
  const out = emptyMetadata();
  if (!o) return out;
  out.id = o.string('id');
  const created = o.get('created');
  if (created !== null && created !== undefined && typeof created !== 'string') {
    throw new GoJSONError('json: cannot unmarshal non-string into Go struct field .created of type time.Time');
  }
  if (typeof created === 'string') {
    if (!isRFC3339(created)) throw new GoJSONError(`parsing time ${JSON.stringify(created)} as RFC3339: cannot parse`);
    out.created = goTime(created);
  }
  const strs: [keyof DockerImageMetadata, string][] = [
    ['parent', o.string('parent')],
    ['comment', o.string('comment')],
    ['container', o.string('container')],
    ['dockerVersion', o.string('docker_version')],
    ['author', o.string('author')],
    ['architecture', o.string('architecture')],
  ];
  for (const [k, v] of strs) if (v) (out as unknown as Record<string, unknown>)[k] = v;
  out.containerConfig = decodeDockerConfig(o.object('container_config'));
  const config = o.object('config');
  if (config) out.config = decodeDockerConfig(config);
  const size = o.int('size');
  if (size) out.size = size;
  return out;
}

/**
 * Normalises dockerImageLayers to ascending (base first) order. Without the order annotation,
 * schema1 images are taken as ascending and schema2/OCI ones as descending (older registries).
 */
function reorderImageLayers(image: Image): void {
  const layers = image.dockerImageLayers;
  if (!layers?.length) return;
  let order = image.metadata.annotations?.[annotations.dockerLayersOrder];
  if (order === undefined) {
    switch (image.dockerImageManifestMediaType) {
      case MEDIA_TYPES.dockerSchema1:
      case MEDIA_TYPES.dockerSchema1Signed:
        order = LAYERS_ORDER_ASCENDING;
        break;
      case MEDIA_TYPES.dockerSchema2:
      case MEDIA_TYPES.ociManifest:
        order = LAYERS_ORDER_DESCENDING;
        break;
      default:
        return;
    }
  }
  if (order === LAYERS_ORDER_DESCENDING) layers.reverse();
  setAnnotation(image, annotations.dockerLayersOrder, LAYERS_ORDER_ASCENDING);
}

function setAnnotation(image: Image, key: string, value: string): void {
  image.metadata.annotations = { ...(image.metadata.annotations ?? {}), [key]: value };
}

function fillImageLayers(image: Image, manifest: LooseManifest): void {
  if (image.dockerImageLayers?.length) return;
  let layers: ImageLayer[];
  switch (manifest.schemaVersion) {
    case 1: {
      if (manifest.history.length !== manifest.fsLayers.length) {
        throw new GoJSONError(
          `the image ${image.metadata.name ?? ''} (${image.dockerImageReference ?? ''}) has mismatched history and fslayer cardinality (${manifest.history.length} != ${manifest.fsLayers.length})`,
        );
      }
      // schema1 lists the newest layer first; Images store base layer first.
      layers = manifest.fsLayers
        .map((l, i) => {
          let size = 0;
          try {
            size = GoObject.from(parseJSON(manifest.history[i]?.v1Compatibility ?? ''), true)?.int('size') ?? 0;
          } catch {
            size = 0;
          }
          return { name: l.blobSum, size, mediaType: MEDIA_TYPES.dockerSchema1Layer };
        })
        .reverse();
      break;
    }
    case 2:
      layers = manifest.layers.map((l) => ({ name: l.digest, size: l.size, mediaType: l.mediaType }));
      break;
    default:
      throw new GoJSONError(
        `unrecognized container image manifest schema ${manifest.schemaVersion} for ${JSON.stringify(image.metadata.name ?? '')} (${image.dockerImageReference ?? ''})`,
      );
  }
  image.dockerImageLayers = layers;
  setAnnotation(image, annotations.dockerLayersOrder, LAYERS_ORDER_ASCENDING);
}

/**
 * Fills dockerImageMetadata, dockerImageLayers, dockerImageManifestMediaType and the layer order
 * annotation from dockerImageManifest (+ dockerImageConfig). Mutates `image`; returns an error
 * message when derivation stopped early (callers only log it: the object is stored anyway).
 * dockerImageMetadata is read and written in the Image's own metadata version.
 */
export function deriveImageMetadata(image: Image, now: Date): string | null {
  if (!image.dockerImageManifest) return null;
  image.metadata ??= {};
  const version = metadataVersion(image);
  let meta = decodeDockerImageMetadata(image.dockerImageMetadata, version);
  const write = (): void => {
    image.dockerImageMetadata = encodeDockerImageMetadata(meta, version);
  };

  reorderImageLayers(image);
  if (image.dockerImageLayers?.length && (meta.size ?? 0) > 0 && image.dockerImageManifestMediaType) return null;

  try {
    const manifest = decodeLooseManifest(image.dockerImageManifest);
    if (isManifestListMediaType(manifest.mediaType)) {
      meta.id = image.metadata.name ?? '';
      // Upstream stamps "now" on every create and update; keeping an earlier stamp avoids churn.
      meta.created ??= formatTime(now);
      write();
      return null;
    }
    fillImageLayers(image, manifest);
    if (manifest.schemaVersion === 1) {
      image.dockerImageManifestMediaType = MEDIA_TYPES.dockerSchema1;
      const first = manifest.history[0];
      if (!first) {
        return `the image ${image.metadata.name ?? ''} (${image.dockerImageReference ?? ''}) has a schema 1 manifest, but it doesn't have history`;
      }
      meta = metadataFromImageJSON(GoObject.from(parseJSON(first.v1Compatibility), true));
    } else {
      if (manifest.mediaType) image.dockerImageManifestMediaType = manifest.mediaType;
      else if (!image.dockerImageManifestMediaType) image.dockerImageManifestMediaType = MEDIA_TYPES.dockerSchema2;
      if (!image.dockerImageConfig) {
        return `dockerImageConfig must not be empty for manifest type ${JSON.stringify(image.dockerImageManifestMediaType)}`;
      }
      try {
        meta = metadataFromImageJSON(GoObject.from(parseJSON(image.dockerImageConfig), true));
      } catch (err) {
        if (err instanceof GoJSONError) return `failed to parse dockerImageConfig: ${err.message}`;
        throw err;
      }
      meta.id = manifest.config.digest;
    }

    const seen = new Set<string>();
    meta.size = 0;
    if (manifest.schemaVersion === 2) {
      seen.add(manifest.config.digest);
      meta.size = Buffer.byteLength(image.dockerImageConfig ?? '', 'utf8');
    }
    for (const layer of image.dockerImageLayers ?? []) {
      const name = layer.name ?? '';
      if (seen.has(name)) continue;
      seen.add(name);
      meta.size += layer.size ?? 0;
    }
    write();
    return null;
  } catch (err) {
    if (err instanceof GoJSONError) return err.message;
    throw err;
  }
}
