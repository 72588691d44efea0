// Manifests as a registry serves them: which kind a response is (by Content-Type, sniffing only
// when the registry sends a generic type), its digest (signed schema1 hashes its canonical payload,
// everything else its bytes) checked against the digest asked for or announced, and the few
// fields the importer needs.

import { computeDigest, isDigest } from '../api/digest.js';
import { GoJSONError } from '../api/gojson.js';
import { baseMediaType, manifestListEntries, MEDIA_TYPES, schema1CanonicalPayload, type Descriptor } from '../api/manifest.js';
import type { ImageManifest } from '../api/types.js';
import { RegistryError, type RegistryErrorInit } from './errors.js';

/** Sent on every manifest request: registries serve OCI content only to clients that list it. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerSchema2,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.dockerSchema1Signed,
  MEDIA_TYPES.dockerSchema1,
].join(', ');

export type ManifestKind = 'oci-manifest' | 'oci-index' | 'docker-schema2' | 'docker-list' | 'schema1';

const KIND_BY_MEDIA_TYPE: Readonly<Record<string, ManifestKind>> = {
  [MEDIA_TYPES.ociManifest]: 'oci-manifest',
  [MEDIA_TYPES.ociIndex]: 'oci-index',
  [MEDIA_TYPES.dockerSchema2]: 'docker-schema2',
  [MEDIA_TYPES.dockerManifestList]: 'docker-list',
  [MEDIA_TYPES.dockerSchema1]: 'schema1',
  [MEDIA_TYPES.dockerSchema1Signed]: 'schema1',
};

export interface Manifest {
  kind: ManifestKind;
  /** The media type it was served as (resolved when the registry sent a generic one). */
  mediaType: string;
  /** Verified: what the content hashes to. */
  digest: string;
  /** The exact bytes (they are hashed; never re-serialise). */
  body: Buffer;
  /** schema2 / OCI image manifests. */
  config?: Descriptor;
  /** schema2 / OCI layers, or schema1 blobSums (newest first, as schema1 lists them). */
  layers: Descriptor[];
  /** Manifest lists / OCI indexes. */
  entries?: ImageManifest[];
}

export function isListKind(kind: ManifestKind): boolean {
  return kind === 'oci-index' || kind === 'docker-list';
}

export interface DecodeExpectations {
  /** The digest the manifest was requested by. */
  requested?: string;
  /** The registry's Docker-Content-Digest header. */
  announced?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function objectField(doc: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = doc[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function descriptorOf(v: unknown): Descriptor | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.digest !== 'string' || !isDigest(o.digest)) return null;
  return {
    digest: o.digest,
    mediaType: typeof o.mediaType === 'string' ? o.mediaType : '',
    size: typeof o.size === 'number' && Number.isFinite(o.size) ? o.size : 0,
  };
}

/** The kind from the body alone, for registries that answer application/json or nothing. */
function sniff(doc: Record<string, unknown>): { kind: ManifestKind; mediaType: string } | null {
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : '';
  const byDeclared = KIND_BY_MEDIA_TYPE[declared];
  if (byDeclared) return { kind: byDeclared, mediaType: declared };
  if (doc.schemaVersion === 1) {
    return Array.isArray(doc.signatures)
      ? { kind: 'schema1', mediaType: MEDIA_TYPES.dockerSchema1Signed }
      : { kind: 'schema1', mediaType: MEDIA_TYPES.dockerSchema1 };
  }
  if (doc.schemaVersion === 2 && !declared) {
    if (Array.isArray(doc.manifests)) return { kind: 'oci-index', mediaType: MEDIA_TYPES.ociIndex };
    if (objectField(doc, 'config')) return { kind: 'oci-manifest', mediaType: MEDIA_TYPES.ociManifest };
  }
  return null;
}

function integrityError(mediaType: string, expected: string, actual: string, init: RegistryErrorInit): RegistryError {
  return new RegistryError(
    'DigestMismatch',
    `content integrity error: the manifest retrieved (media type: ${mediaType}) with digest ${expected} does not match the digest calculated from the content ${actual}`,
    init,
  );
}

function digestWithAlgorithmOf(reference: string, content: Buffer): string {
  const algorithm = reference.slice(0, reference.indexOf(':'));
  return algorithm === 'sha384' || algorithm === 'sha512' ? computeDigest(content, algorithm) : computeDigest(content);
}

/**
 * Decodes and verifies one manifest response. Throws InvalidManifest for anything unreadable
 * and DigestMismatch when the content does not hash to an expected digest.
 */
export function decodeManifest(body: Buffer, contentType: string | undefined, expect: DecodeExpectations, init: RegistryErrorInit): Manifest {
  const invalid = (why: string) => new RegistryError('InvalidManifest', `invalid manifest: ${why}`, init);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalid('the content is not UTF-8 text');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`the content is not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('the content is not a JSON object');
  const doc = parsed as Record<string, unknown>;

  const served = baseMediaType(contentType ?? '');
  let kind = KIND_BY_MEDIA_TYPE[served];
  let mediaType = served;
  if (!kind) {
    const sniffed = sniff(doc);
    if (!sniffed) throw invalid(`unsupported manifest media type ${JSON.stringify(served || '(none)')}`);
    ({ kind, mediaType } = sniffed);
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : '';
  if ((kind === 'docker-schema2' || kind === 'docker-list') && declared !== mediaType) {
    throw invalid(`mediaType in manifest should be '${mediaType}' not '${declared}'`);
  }
  if ((kind === 'oci-manifest' || kind === 'oci-index') && declared !== '' && declared !== mediaType) {
    throw invalid(`if present, mediaType in manifest should be '${mediaType}' not '${declared}'`);
  }

  // Signed schema1 is named by its payload without the signatures.
  let hashed = body;
  if (kind === 'schema1' && Array.isArray(doc.signatures)) {
    try {
      hashed = schema1CanonicalPayload(body);
    } catch (err) {
      if (err instanceof GoJSONError) throw invalid(`bad schema1 signature block: ${err.message}`);
      throw err;
    }
  }
  const digest = computeDigest(hashed);
  for (const want of [expect.requested, expect.announced]) {
    if (!want) continue;
    const actual = want.startsWith('sha256:') ? digest : digestWithAlgorithmOf(want, hashed);
    if (actual !== want) throw integrityError(mediaType, want, actual, init);
  }

  const manifest: Manifest = { kind, mediaType, digest, body, layers: [] };
  switch (kind) {
    case 'oci-manifest':
    case 'docker-schema2': {
      const config = descriptorOf(doc.config);
      if (!config) throw invalid('the image manifest has no config descriptor with a valid digest');
      manifest.config = config;
      if (doc.layers !== undefined && doc.layers !== null && !Array.isArray(doc.layers)) throw invalid('layers is not a list');
      const layers = ((doc.layers as unknown[] | undefined) ?? []).map(descriptorOf);
      if (layers.some((l) => l === null)) throw invalid('a layer descriptor has no valid digest');
      manifest.layers = layers as Descriptor[];
      break;
    }
    case 'oci-index':
    case 'docker-list': {
      if (!Array.isArray(doc.manifests)) throw invalid('the manifest list has no manifests');
      const entries = manifestListEntries(mediaType, text);
      if (!entries) throw invalid('the manifest list cannot be read');
      if (entries.some((e) => !e.digest || !isDigest(e.digest))) throw invalid('a manifest list entry has no valid digest');
      manifest.entries = entries;
      break;
    }
    case 'schema1': {
      if (!Array.isArray(doc.fsLayers) || !Array.isArray(doc.history)) throw invalid('the schema1 manifest has no fsLayers or history');
      manifest.layers = (doc.fsLayers as unknown[]).map((l) => {
        const blobSum = typeof l === 'object' && l !== null ? (l as { blobSum?: unknown }).blobSum : undefined;
        if (typeof blobSum !== 'string' || !isDigest(blobSum)) throw invalid('a schema1 layer has no valid blobSum');
        return { digest: blobSum, mediaType: MEDIA_TYPES.dockerSchema1Layer, size: 0 };
      });
      break;
    }
  }
  return manifest;
}
