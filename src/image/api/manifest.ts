// Registry manifests as openshift-apiserver reads them from Image.dockerImageManifest: media
// types, the loose struct it decodes every schema into, manifest lists / OCI indexes, and the
// canonical bytes a manifest digest is computed over (including signed schema1's JWS payload).

import { digestMatches } from './digest.js';
import { GoJSONError, GoObject, parseJSON } from './gojson.js';
import type { ImageManifest } from './types.js';

export const MEDIA_TYPES = {
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerSchema1Layer: 'application/vnd.docker.container.image.rootfs.diff+x-gtar',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

export interface Descriptor {
  mediaType: string;
  size: number;
  digest: string;
}

/** The union struct openshift-apiserver decodes every manifest schema into. */
export interface LooseManifest {
  schemaVersion: number;
  mediaType: string;
  /** schema1 */
  fsLayers: { blobSum: string }[];
  history: { v1Compatibility: string }[];
  /** schema2 / OCI */
  layers: Descriptor[];
  config: Descriptor;
}

function descriptor(o: GoObject | null): Descriptor {
  return { mediaType: o?.string('mediaType') ?? '', size: o?.int('size') ?? 0, digest: o?.string('digest') ?? '' };
}

/** Decodes any manifest schema; throws GoJSONError on malformed JSON or wrong field types. */
export function decodeLooseManifest(raw: string): LooseManifest {
  const m = GoObject.from(parseJSON(raw), true, 'DockerImageManifest');
  if (!m) return { schemaVersion: 0, mediaType: '', fsLayers: [], history: [], layers: [], config: descriptor(null) };
  return {
    schemaVersion: m.int('schemaVersion'),
    mediaType: m.string('mediaType'),
    fsLayers: (m.objects('fsLayers') ?? []).map((l) => ({ blobSum: l.string('blobSum') })),
    history: (m.objects('history') ?? []).map((h) => ({ v1Compatibility: h.string('v1Compatibility') })),
    layers: (m.objects('layers') ?? []).map(descriptor),
    config: descriptor(m.object('config')),
  };
}

export function isManifestListMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.dockerManifestList || mediaType === MEDIA_TYPES.ociIndex;
}

/** A Content-Type value without parameters, lower-cased (Go's mime.ParseMediaType). */
export function baseMediaType(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * The entries of a manifest list or OCI index, decoded the way the registry library picks a
 * parser: by the declared media type (the Image's dockerImageManifestMediaType), not by sniffing.
 * Returns null when the declared type is not a list, or the body does not parse as one.
 */
export function manifestListEntries(declaredMediaType: string, raw: string): ImageManifest[] | null {
  const mediaType = baseMediaType(declaredMediaType);
  if (!isManifestListMediaType(mediaType)) return null;
  try {
    const doc = GoObject.from(parseJSON(raw), true, 'ManifestList');
    if (!doc) return null;
    if (mediaType === MEDIA_TYPES.dockerManifestList) {
      if (doc.string('mediaType') !== MEDIA_TYPES.dockerManifestList) return null;
    } else {
      // An OCI index must not look like an image manifest, and may omit its media type.
      if (doc.get('config') != null || doc.get('layers') != null) return null;
      const declared = doc.string('mediaType');
      if (declared !== '' && declared !== MEDIA_TYPES.ociIndex) return null;
    }
    return (doc.objects('manifests') ?? []).map((entry) => {
      const platform = entry.object('platform');
      const out: ImageManifest = {
        digest: entry.string('digest'),
        mediaType: entry.string('mediaType'),
        manifestSize: entry.int('size'),
        architecture: platform?.string('architecture') ?? '',
        os: platform?.string('os') ?? '',
      };
      const variant = platform?.string('variant') ?? '';
      if (variant) out.variant = variant;
      return out;
    });
  } catch (err) {
    if (err instanceof GoJSONError) return null;
    throw err;
  }
}

function base64UrlDecode(s: string): Buffer {
  const clean = s.replace(/[\n ]/g, '');
  if (clean.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(clean)) throw new GoJSONError('illegal base64url string');
  return Buffer.from(clean, 'base64url');
}

/**
 * The payload a signed (pretty JWS) schema1 manifest's digest covers: the first `formatLength`
 * bytes plus the `formatTail` every signature's protected header carries.
 */
export function schema1CanonicalPayload(raw: Buffer): Buffer {
  const doc = GoObject.from(parseJSON(raw.toString('utf8')), true, 'SignedManifest');
  const blocks = doc?.objects('signatures');
  if (!blocks) throw new GoJSONError('JSON signature key not found');
  let formatLength = 0;
  let formatTail: Buffer = Buffer.alloc(0);
  for (const block of blocks) {
    const protectedHeader = GoObject.from(parseJSON(base64UrlDecode(block.string('protected')).toString('utf8')), true, 'protected');
    const length = protectedHeader?.get('formatLength');
    const tail = protectedHeader?.get('formatTail');
    if (typeof length !== 'number') throw new GoJSONError('missing formatted length');
    if (typeof tail !== 'string') throw new GoJSONError('missing formatted tail');
    const tailBytes = base64UrlDecode(tail);
    if (formatLength === 0) formatLength = Math.trunc(length);
    else if (formatLength !== Math.trunc(length)) throw new GoJSONError('conflicting format length');
    if (formatTail.length === 0) formatTail = tailBytes;
    else if (!formatTail.equals(tailBytes)) throw new GoJSONError('conflicting format tail');
  }
  if (formatLength > raw.length) throw new GoJSONError('invalid format length');
  return Buffer.concat([raw.subarray(0, formatLength), formatTail]);
}

/** Decodes a schema2 or OCI image manifest the way the registry library validates it. */
function decodeImageManifest(raw: string, mediaType: string): LooseManifest {
  const m = decodeLooseManifest(raw);
  if (mediaType === MEDIA_TYPES.dockerSchema2 && m.mediaType !== MEDIA_TYPES.dockerSchema2) {
    throw new GoJSONError(`mediaType in manifest should be '${MEDIA_TYPES.dockerSchema2}' not '${m.mediaType}'`);
  }
  if (mediaType === MEDIA_TYPES.ociManifest && m.mediaType !== '' && m.mediaType !== MEDIA_TYPES.ociManifest) {
    throw new GoJSONError(`if present, mediaType in manifest should be '${MEDIA_TYPES.ociManifest}' not '${m.mediaType}'`);
  }
  return m;
}

/**
 * Whether `manifest` (read as the given media type: OCI, docker schema2, or schema1 when empty)
 * hashes to the digest `imageName`. Anything unreadable does not match.
 */
export function manifestMatchesDigest(imageName: string, mediaType: string, manifest: string): boolean {
  try {
    const raw = Buffer.from(manifest, 'utf8');
    let canonical: Buffer;
    switch (mediaType) {
      case MEDIA_TYPES.ociManifest:
      case MEDIA_TYPES.dockerSchema2:
        decodeImageManifest(manifest, mediaType);
        canonical = raw;
        break;
      case MEDIA_TYPES.dockerSchema1:
      case '': {
        canonical = schema1CanonicalPayload(raw);
        decodeLooseManifest(canonical.toString('utf8'));
        break;
      }
      default:
        return false;
    }
    return digestMatches(imageName, canonical);
  } catch (err) {
    if (err instanceof GoJSONError) return false;
    throw err;
  }
}

/** Whether `config` hashes to the config digest of a schema2 / OCI `manifest`. */
export function configMatchesManifest(mediaType: string, manifest: string, config: string): boolean {
  if (mediaType !== MEDIA_TYPES.dockerSchema2 && mediaType !== MEDIA_TYPES.ociManifest) return false;
  try {
    const m = decodeImageManifest(manifest, mediaType);
    return digestMatches(m.config.digest, Buffer.from(config, 'utf8'));
  } catch (err) {
    if (err instanceof GoJSONError) return false;
    throw err;
  }
}
