// Image as openshift-apiserver writes it: v1 field order and omitempty rules, dockerImageMetadata
// always present as a DockerImage of dockerImageMetadataVersion (default "1.0"), signatures with
// their nested ObjectMeta.

import { isObject } from '../../../apiserver/api/types.js';
import { decodeDockerImageMetadata, encodeDockerImageMetadata, metadataVersion } from '../metadata.js';
import type { Image, ImageLayer, ImageManifest, ImageSignature, SignatureCondition } from '../types.js';
import { arr, goTime, nestedObjectMeta, num, obj, putOmitEmpty, replaceContents, str, stringMap } from './json.js';

export function canonicalImageLayer(v: unknown): ImageLayer {
  const l = obj(v);
  return { name: str(l.name), size: num(l.size), mediaType: str(l.mediaType) };
}

export function canonicalImageManifest(v: unknown): ImageManifest {
  const m = obj(v);
  const out: ImageManifest = {
    digest: str(m.digest),
    mediaType: str(m.mediaType),
    manifestSize: num(m.manifestSize),
    architecture: str(m.architecture),
    os: str(m.os),
  };
  if (str(m.variant)) out.variant = str(m.variant);
  return out;
}

function canonicalSignatureCondition(v: unknown): SignatureCondition {
  const c = obj(v);
  const out: Record<string, unknown> = {
    type: str(c.type),
    status: str(c.status),
    lastProbeTime: goTime(c.lastProbeTime),
    lastTransitionTime: goTime(c.lastTransitionTime),
  };
  putOmitEmpty(out, 'reason', str(c.reason));
  putOmitEmpty(out, 'message', str(c.message));
  return out as SignatureCondition;
}

export function canonicalImageSignature(v: unknown): ImageSignature {
  const s = obj(v);
  const out: Record<string, unknown> = {};
  putOmitEmpty(out, 'kind', str(s.kind));
  putOmitEmpty(out, 'apiVersion', str(s.apiVersion));
  out.metadata = nestedObjectMeta(s.metadata);
  out.type = str(s.type);
  out.content = typeof s.content === 'string' ? s.content : null;
  putOmitEmpty(out, 'conditions', arr(s.conditions).map(canonicalSignatureCondition));
  putOmitEmpty(out, 'imageIdentity', str(s.imageIdentity));
  putOmitEmpty(out, 'signedClaims', stringMap(s.signedClaims));
  putOmitEmpty(out, 'created', goTime(s.created));
  if (isObject(s.issuedBy)) {
    const by: Record<string, unknown> = {};
    putOmitEmpty(by, 'organization', str(s.issuedBy.organization));
    putOmitEmpty(by, 'commonName', str(s.issuedBy.commonName));
    out.issuedBy = by;
  }
  if (isObject(s.issuedTo)) {
    const to: Record<string, unknown> = {};
    putOmitEmpty(to, 'organization', str(s.issuedTo.organization));
    putOmitEmpty(to, 'commonName', str(s.issuedTo.commonName));
    to.publicKeyID = str(s.issuedTo.publicKeyID);
    out.issuedTo = to;
  }
  return out as ImageSignature;
}

/** Rewrites `image` in place into its stored and served form (metadata is the store's business). */
export function normalizeImage(image: Image): void {
  const version = metadataVersion(image);
  const out: Record<string, unknown> = {};
  if (image.kind !== undefined) out.kind = image.kind;
  if (image.apiVersion !== undefined) out.apiVersion = image.apiVersion;
  out.metadata = image.metadata;
  putOmitEmpty(out, 'dockerImageReference', str(image.dockerImageReference));
  out.dockerImageMetadata = encodeDockerImageMetadata(decodeDockerImageMetadata(image.dockerImageMetadata, version), version);
  out.dockerImageMetadataVersion = version;
  putOmitEmpty(out, 'dockerImageManifest', str(image.dockerImageManifest));
  putOmitEmpty(out, 'dockerImageLayers', arr(image.dockerImageLayers).map(canonicalImageLayer));
  putOmitEmpty(out, 'signatures', arr(image.signatures).map(canonicalImageSignature));
  putOmitEmpty(
    out,
    'dockerImageSignatures',
    arr(image.dockerImageSignatures).map((s) => (typeof s === 'string' ? s : null)),
  );
  putOmitEmpty(out, 'dockerImageManifestMediaType', str(image.dockerImageManifestMediaType));
  putOmitEmpty(out, 'dockerImageConfig', str(image.dockerImageConfig));
  putOmitEmpty(out, 'dockerImageManifests', arr(image.dockerImageManifests).map(canonicalImageManifest));
  replaceContents(image, out);
}
