// Shared pieces of the image API integration tests: request bodies built from the reference
// fixtures, and a scrubber that drops what differs between two servers (uids, times, versions).

import { createHash } from 'node:crypto';
import { readReference } from '../../support/reference.js';

export const GROUP_PATH = '/apis/image.openshift.io/v1';
const segment = (s: string): string => encodeURIComponent(s).replace(/%3A/g, ':').replace(/%40/g, '@');
/** `name` may carry a subresource ("is/status"). */
export const ns = (namespace: string, resource: string, name = ''): string =>
  `${GROUP_PATH}/namespaces/${namespace}/${resource}${name ? `/${name.split('/').map(segment).join('/')}` : ''}`;
export const cluster = (resource: string, name = ''): string => `${GROUP_PATH}/${resource}${name ? `/${name}` : ''}`;

export const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export const AMD64_MANIFEST = readReference('fixtures/manifest-linux-amd64.json');
export const AMD64_CONFIG = readReference('fixtures/config-linux-amd64.json');
export const ARM64_MANIFEST = readReference('fixtures/manifest-linux-arm64.json');
export const ARM64_CONFIG = readReference('fixtures/config-linux-arm64.json');
export const MANIFEST_LIST = readReference('fixtures/manifest-list.json');

export const sha256 = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
export const AMD64_DIGEST = sha256(AMD64_MANIFEST);
export const ARM64_DIGEST = sha256(ARM64_MANIFEST);
export const LIST_DIGEST = sha256(MANIFEST_LIST);

/** A fake digest for images without a manifest: sha256:<c repeated>. */
export const fakeDigest = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;

export type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

/** An Image body; with `manifest` it carries the amd64 fixture (name = its digest). */
export function imageBody(name: string, reference: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { metadata: { name, ...((extra.metadata as object) ?? {}) }, dockerImageReference: reference, ...extra };
}

export function amd64Image(reference: string): Record<string, unknown> {
  return imageBody(AMD64_DIGEST, reference, {
    dockerImageManifest: AMD64_MANIFEST,
    dockerImageConfig: AMD64_CONFIG,
    dockerImageManifestMediaType: SCHEMA2,
  });
}

export function mapping(stream: string, tag: string, image: Record<string, unknown>, namespace?: string): Record<string, unknown> {
  return { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamMapping', metadata: { name: stream, ...(namespace ? { namespace } : {}) }, tag, image };
}

export function stream(name: string, tags: Record<string, unknown>[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, ...((extra.metadata as object) ?? {}) }, spec: { tags, ...((extra.spec as object) ?? {}) } };
}

export type TagJSON = Record<string, unknown> & { name: string; generation?: number };
export const istRef = (tag: string, from: string, extra: Record<string, unknown> = {}): TagJSON => ({ name: tag, from: { kind: 'ImageStreamTag', name: from }, ...extra });
export const isiRef = (tag: string, from: string, extra: Record<string, unknown> = {}): TagJSON => ({ name: tag, from: { kind: 'ImageStreamImage', name: from }, ...extra });
export const dockerRef = (tag: string, from: string, extra: Record<string, unknown> = {}): TagJSON => ({ name: tag, from: { kind: 'DockerImage', name: from }, ...extra });

const VOLATILE = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'created', 'lastTransitionTime']);

/** Drops what two servers never agree on: uids, resourceVersions, timestamps, managedFields. */
export function scrub<T>(v: T): T {
  if (Array.isArray(v)) return v.map(scrub) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (!VOLATILE.has(k)) out[k] = scrub(x);
    return out as T;
  }
  return v;
}

export interface TagEventJSON {
  created: string;
  dockerImageReference: string;
  image: string;
  generation: number;
}

export interface StreamJSON {
  metadata: Record<string, unknown> & { generation?: number; resourceVersion?: string; uid?: string };
  spec: { tags?: TagJSON[]; lookupPolicy?: { local: boolean } };
  status: { dockerImageRepository: string; tags?: { tag: string; items: TagEventJSON[] | null; conditions?: Record<string, unknown>[] }[] };
}

/** The history of one status tag as [reference, image, generation] triples, newest first. */
export function history(s: StreamJSON, tag: string): [string, string, number][] {
  const list = s.status.tags?.find((t) => t.tag === tag);
  return (list?.items ?? []).map((e) => [e.dockerImageReference, e.image, e.generation]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
