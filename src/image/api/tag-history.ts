// Tag history of an ImageStream (status.tags): newest-first event lists, how a new event is added
// (prepend or replace in place), tags that track other tags of the same stream, which pull spec
// a tag hands out (reference policy), short image IDs, and an optional bound on history length.

import { errors } from '../../apiserver/errors/index.js';
import { GROUP } from './types.js';
import type { ImageStream, NamedTagEventList, TagEvent, TagReference } from './types.js';
import { DEFAULT_IMAGE_TAG, digestOrImageMatch } from './names.js';
import { DockerImageReference } from './reference.js';

/** Resource name openshift-apiserver reports for short-ID lookups (singular, as it does). */
export const IMAGE_STREAM_IMAGE_GR = { group: GROUP, resource: 'imagestreamimage' } as const;

export function statusTagList(stream: ImageStream, tag: string): NamedTagEventList | undefined {
  return (stream.status?.tags ?? []).find((l) => (l.tag ?? '') === tag);
}

/** items[0] of a tag ("" means latest), or undefined when the tag has no history. */
export function latestTagEvent(stream: ImageStream, tag: string): TagEvent | undefined {
  return statusTagList(stream, tag || DEFAULT_IMAGE_TAG)?.items?.[0] ?? undefined;
}

export function specTag(stream: ImageStream, tag: string): TagReference | undefined {
  let found: TagReference | undefined;
  for (const ref of stream.spec?.tags ?? []) if ((ref.name ?? '') === tag) found = ref;
  return found;
}

function ensureTagList(stream: ImageStream, tag: string): NamedTagEventList {
  stream.status ??= {};
  stream.status.tags ??= [];
  let list = statusTagList(stream, tag);
  if (!list) {
    list = { tag, items: [] };
    stream.status.tags.push(list);
  }
  return list;
}

const copyEvent = (e: TagEvent): TagEvent => ({
  created: e.created ?? null,
  dockerImageReference: e.dockerImageReference ?? '',
  image: e.image ?? '',
  generation: e.generation ?? 0,
});

/**
 * Adds `next` as the tag's newest event. Identical reference, image and generation: no change.
 * Same reference and image: only the generation moves. One of the two equal: the other is
 * replaced in place (created is kept). Both different: prepended. Any change clears conditions.
 */
export function addTagEvent(stream: ImageStream, tag: string, next: TagEvent): boolean {
  const list = ensureTagList(stream, tag);
  const items = list.items ?? [];
  const previous = items[0];
  if (!previous) {
    list.items = [copyEvent(next)];
    delete list.conditions;
    return true;
  }
  const sameRef = (previous.dockerImageReference ?? '') === (next.dockerImageReference ?? '');
  const sameImage = (previous.image ?? '') === (next.image ?? '');
  const sameGeneration = (previous.generation ?? 0) === (next.generation ?? 0);
  if (sameRef && sameImage && sameGeneration) return false;
  if (!sameRef && !sameImage) {
    list.items = [copyEvent(next), ...items];
  } else {
    if (!sameImage) previous.image = next.image ?? '';
    if (!sameRef) previous.dockerImageReference = next.dockerImageReference ?? '';
    previous.generation = next.generation ?? 0;
  }
  delete list.conditions;
  return true;
}

/** The tag a spec tag tracks in this very stream ("T" or "<this stream>:T"), or undefined. */
export function trackedTag(stream: ImageStream, ref: TagReference): string | undefined {
  const from = ref.from;
  if (!from || from.kind !== 'ImageStreamTag') return undefined;
  const ns = stream.metadata.namespace ?? '';
  if ((from.namespace || ns) !== ns) return undefined;
  const name = from.name ?? '';
  const colon = name.indexOf(':');
  if (colon === -1) return name;
  if (name.slice(0, colon) !== (stream.metadata.name ?? '')) return undefined;
  return name.slice(colon + 1) || DEFAULT_IMAGE_TAG;
}

/** Gives every spec tag tracking `tag` the event `event`; returns the tags that changed. */
export function updateTrackingTags(stream: ImageStream, tag: string, event: TagEvent): string[] {
  const changed: string[] = [];
  for (const ref of stream.spec?.tags ?? []) {
    const name = ref.name ?? '';
    if (name === tag || trackedTag(stream, ref) !== tag) continue;
    if (addTagEvent(stream, name, event)) changed.push(name);
  }
  return changed;
}

function newestChanged(stream: ImageStream, old: ImageStream | undefined, tag: string): boolean {
  const now = statusTagList(stream, tag)?.items?.[0];
  if (!now) return false;
  const before = old ? statusTagList(old, tag)?.items?.[0] : undefined;
  if (!before) return true;
  return (
    (now.image ?? '') !== (before.image ?? '') ||
    (now.dockerImageReference ?? '') !== (before.dockerImageReference ?? '') ||
    (now.generation ?? 0) !== (before.generation ?? 0) ||
    (now.created ?? null) !== (before.created ?? null)
  );
}

/**
 * After any write: every tag whose newest event changed (compared with `old`) hands that event to
 * the tags tracking it, and those to theirs (openshift-apiserver stops after one hop).
 */
export function propagateTrackingTags(stream: ImageStream, old: ImageStream | undefined): number {
  const queue = (stream.status?.tags ?? []).map((l) => l.tag ?? '').filter((t) => newestChanged(stream, old, t));
  let updates = 0;
  // Each step either changes a tag or not; a cap guards against pathological cycles.
  const cap = (stream.spec?.tags?.length ?? 0) * (queue.length + 2) + 16;
  while (queue.length && updates < cap) {
    const tag = queue.shift() ?? '';
    const event = statusTagList(stream, tag)?.items?.[0];
    if (!event) continue;
    for (const t of updateTrackingTags(stream, tag, event)) {
      updates++;
      queue.push(t);
    }
  }
  return updates;
}

/**
 * The pull spec a tag hands out for `event`: with referencePolicy Local, the stream's own
 * repository by digest (pull-through); otherwise the event's reference.
 */
export function resolveReferenceForTagEvent(stream: ImageStream, tag: string, event: TagEvent | undefined): string {
  const source = event?.dockerImageReference ?? '';
  const ref = specTag(stream, tag);
  if (!ref || ref.referencePolicy?.type !== 'Local') return source;
  const local = stream.status?.dockerImageRepository ?? '';
  if (!local || !event?.image) return source;
  const parsed = DockerImageReference.tryParse(local);
  if (!parsed.ref) return source;
  return parsed.ref.with({ tag: '', id: event.image }).exact();
}

/**
 * The one image of the stream's history a (possibly short) ID designates, as a new event.
 * None: NotFound; several: Conflict listing them.
 */
export function resolveImageId(stream: ImageStream, imageId: string, now: string): TagEvent {
  const matches = new Map<string, TagEvent>();
  for (const list of stream.status?.tags ?? []) {
    for (const e of list.items ?? []) {
      if (digestOrImageMatch(e.image ?? '', imageId)) matches.set(e.image ?? '', e);
    }
  }
  if (matches.size === 0) throw errors.notFound(IMAGE_STREAM_IMAGE_GR, imageId);
  if (matches.size > 1) {
    const names = [...matches.keys()].sort();
    throw errors.conflict(IMAGE_STREAM_IMAGE_GR, imageId, `multiple images match the prefix ${JSON.stringify(imageId)}: ${names.join(', ')}`);
  }
  const [event] = matches.values();
  return { created: now, dockerImageReference: event?.dockerImageReference ?? '', image: event?.image ?? '', generation: 0 };
}

/** Keeps at most `max` events per tag (0 or less: unbounded, as openshift-apiserver). */
export function limitTagHistory(stream: ImageStream, max: number | undefined): void {
  if (!max || max <= 0) return;
  for (const list of stream.status?.tags ?? []) {
    if (list.items && list.items.length > max) list.items = list.items.slice(0, max);
  }
}
