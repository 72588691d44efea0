// ImageStream as openshift-apiserver round-trips it through its internal types: spec.tags and
// status.tags are maps keyed by name (duplicates collapse, last wins; output sorted by name),
// stored repositories lose any tag or ID, and fields are written in Go's order and omitempty rules.

import { isObject } from '../../../apiserver/api/types.js';
import { DockerImageReference } from '../reference.js';
import type {
  ImageStream,
  ImageStreamSpec,
  ImageStreamStatus,
  NamedTagEventList,
  ObjectReference,
  TagEvent,
  TagEventCondition,
  TagReference,
} from '../types.js';
import { arr, bool, compareStrings, goTime, num, obj, putOmitEmpty, replaceContents, str, stringMap } from './json.js';

export function canonicalObjectReference(v: unknown): ObjectReference {
  const r = obj(v);
  const out: Record<string, unknown> = {};
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) putOmitEmpty(out, k, str(r[k]));
  return out as ObjectReference;
}

export function canonicalTagReference(v: unknown): TagReference {
  const t = obj(v);
  const importPolicy = obj(t.importPolicy);
  const ip: Record<string, unknown> = {};
  putOmitEmpty(ip, 'insecure', bool(importPolicy.insecure));
  putOmitEmpty(ip, 'scheduled', bool(importPolicy.scheduled));
  putOmitEmpty(ip, 'importMode', str(importPolicy.importMode));
  const out: TagReference = { name: str(t.name), annotations: stringMap(t.annotations) };
  if (isObject(t.from)) out.from = canonicalObjectReference(t.from);
  if (bool(t.reference)) out.reference = true;
  out.generation = typeof t.generation === 'number' ? t.generation : null;
  out.importPolicy = ip;
  out.referencePolicy = { type: str(obj(t.referencePolicy).type) };
  return out;
}

export function canonicalTagEvent(v: unknown): TagEvent {
  const e = obj(v);
  return {
    created: goTime(e.created),
    dockerImageReference: str(e.dockerImageReference),
    image: str(e.image),
    generation: num(e.generation),
  };
}

export function canonicalTagEventCondition(v: unknown): TagEventCondition {
  const c = obj(v);
  const out: Record<string, unknown> = { type: str(c.type), status: str(c.status), lastTransitionTime: goTime(c.lastTransitionTime) };
  putOmitEmpty(out, 'reason', str(c.reason));
  putOmitEmpty(out, 'message', str(c.message));
  out.generation = num(c.generation);
  return out as TagEventCondition;
}

export function canonicalNamedTagEventList(v: unknown, tag?: string): NamedTagEventList {
  const l = obj(v);
  const items = arr(l.items).map(canonicalTagEvent);
  const out: NamedTagEventList = { tag: tag ?? str(l.tag), items: items.length ? items : null };
  const conditions = arr(l.conditions).map(canonicalTagEventCondition);
  if (conditions.length) out.conditions = conditions;
  return out;
}

/** Spec tags keyed by name, last one winning, in name order. */
export function specTagMap(spec: ImageStreamSpec | undefined | null): Map<string, TagReference> {
  const byName = new Map<string, TagReference>();
  for (const t of arr(spec?.tags)) {
    const ref = obj(t) as TagReference;
    byName.set(str(ref.name), ref);
  }
  return new Map([...byName.entries()].sort(([a], [b]) => compareStrings(a, b)));
}

/** Status tags keyed by tag, last one winning, in tag order. */
export function statusTagMap(status: ImageStreamStatus | undefined | null): Map<string, NamedTagEventList> {
  const byTag = new Map<string, NamedTagEventList>();
  for (const t of arr(status?.tags)) {
    const list = obj(t) as NamedTagEventList;
    byTag.set(str(list.tag), list);
  }
  return new Map([...byTag.entries()].sort(([a], [b]) => compareStrings(a, b)));
}

/** A stored repository without the tag or ID that servers before 1.0.7 let in. */
export function stripTagAndId(repository: string): string {
  if (!repository) return repository;
  const parsed = DockerImageReference.tryParse(repository);
  if (!parsed.ref || (!parsed.ref.tag && !parsed.ref.id)) return repository;
  return parsed.ref.asRepository().exact();
}

export function canonicalSpec(v: unknown): ImageStreamSpec {
  const s = obj(v);
  const out: ImageStreamSpec = { lookupPolicy: { local: bool(obj(s.lookupPolicy).local) } };
  putOmitEmpty(out as Record<string, unknown>, 'dockerImageRepository', str(s.dockerImageRepository));
  const tags = [...specTagMap(s as ImageStreamSpec).entries()].map(([name, t]) => ({ ...canonicalTagReference(t), name }));
  if (tags.length) out.tags = tags;
  return out;
}

export function canonicalStatus(v: unknown): ImageStreamStatus {
  const s = obj(v);
  const out: ImageStreamStatus = { dockerImageRepository: str(s.dockerImageRepository) };
  putOmitEmpty(out as Record<string, unknown>, 'publicDockerImageRepository', str(s.publicDockerImageRepository));
  const tags = [...statusTagMap(s as ImageStreamStatus).entries()].map(([tag, l]) => canonicalNamedTagEventList(l, tag));
  if (tags.length) out.tags = tags;
  return out;
}

/**
 * Rewrites `stream` in place into the form openshift-apiserver stores and serves (metadata is left
 * to the generic store). With `output`, also applies the read-side repair of repository fields.
 */
export function normalizeImageStream(stream: ImageStream, opts: { output?: boolean } = {}): void {
  const spec = canonicalSpec(stream.spec);
  const status = canonicalStatus(stream.status);
  if (opts.output) {
    if (spec.dockerImageRepository) spec.dockerImageRepository = stripTagAndId(spec.dockerImageRepository);
    status.dockerImageRepository = stripTagAndId(status.dockerImageRepository ?? '');
  }
  // Like Go's decoder, fields the type does not have are dropped.
  const out: Record<string, unknown> = {};
  if (stream.kind !== undefined) out.kind = stream.kind;
  if (stream.apiVersion !== undefined) out.apiVersion = stream.apiVersion;
  out.metadata = stream.metadata;
  out.spec = spec;
  out.status = status;
  replaceContents(stream, out);
}
