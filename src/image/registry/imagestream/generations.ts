// Generation bookkeeping of ImageStreams: the stream's metadata.generation, each spec tag's
// generation (which import or resolution it asks for), and the generation status events observe.

import { canonicalSpec, specTagMap, statusTagMap } from '../../api/conversion/imagestream.js';
import type { ImageStream, TagEvent, TagReference } from '../../api/types.js';

/** Semantic spec equality (Go's Semantic.DeepEqual on the internal spec). */
export function specsEqual(a: ImageStream, b: ImageStream): boolean {
  return JSON.stringify(canonicalSpec(a.spec)) === JSON.stringify(canonicalSpec(b.spec));
}

const isNumber = (v: unknown): v is number => typeof v === 'number';

/** True only when both generations are set, differ, and the new one is 0 (a re-import request). */
function tagRefGenerationChanged(old: TagReference, next: TagReference): boolean {
  if (!isNumber(old.generation) || !isNumber(next.generation)) return false;
  return old.generation !== next.generation && next.generation === 0;
}

/**
 * Whether a spec tag now asks for something else: effective source namespace, source name,
 * reference flag, import mode, or generation reset to 0. Kind, insecure, scheduled, reference
 * policy and annotations do not count.
 */
export function tagRefChanged(old: TagReference, next: TagReference, streamNamespace: string): boolean {
  const from = next.from;
  if (!from) return false;
  if (!from.kind && !from.name) return false;
  const oldFrom = old.from ?? {};
  if ((oldFrom.namespace || streamNamespace) !== (from.namespace || streamNamespace)) return true;
  if ((oldFrom.name ?? '') !== (from.name ?? '')) return true;
  if ((old.reference === true) !== (next.reference === true)) return true;
  if ((old.importPolicy?.importMode ?? '') !== (next.importPolicy?.importMode ?? '')) return true;
  return tagRefGenerationChanged(old, next);
}

/** Users cannot set a spec tag generation, except to 0: other values revert to the stored one. */
export function restoreSpecTagGenerations(stream: ImageStream, old: ImageStream): void {
  const oldTags = specTagMap(old.spec);
  for (const ref of stream.spec?.tags ?? []) {
    if (ref.generation === 0) continue;
    const oldRef = oldTags.get(ref.name ?? '');
    if (oldRef) ref.generation = isNumber(oldRef.generation) ? oldRef.generation : null;
  }
}

/** New, changed, unset or zeroed spec tags take the stream's (new) generation. */
export function ensureSpecTagGenerations(stream: ImageStream, old: ImageStream | undefined): void {
  const oldTags = specTagMap(old?.spec);
  const ns = stream.metadata.namespace ?? '';
  const generation = stream.metadata.generation ?? 0;
  for (const ref of stream.spec?.tags ?? []) {
    const oldRef = oldTags.get(ref.name ?? '');
    if (!oldRef || tagRefChanged(oldRef, ref, ns)) ref.generation = null;
    if (isNumber(ref.generation) && ref.generation !== 0) continue;
    ref.generation = generation;
  }
}

function tagEventChanged(old: TagEvent, next: TagEvent): boolean {
  return (
    (old.image ?? '') !== (next.image ?? '') ||
    (old.dockerImageReference ?? '') !== (next.dockerImageReference ?? '') ||
    (old.generation ?? 0) > (next.generation ?? 0)
  );
}

/**
 * On a status update, a newest status event without a generation gets one: the stream's when it
 * did not change (or its spec tag has none), else the spec tag's.
 */
export function fillObservedGenerations(stream: ImageStream, old: ImageStream): void {
  const oldStatus = statusTagMap(old.status);
  const specTags = specTagMap(stream.spec);
  const generation = stream.metadata.generation ?? 0;
  for (const list of stream.status?.tags ?? []) {
    const newest = list.items?.[0];
    if (!newest || (newest.generation ?? 0) !== 0) continue;
    const older = oldStatus.get(list.tag ?? '')?.items?.[0];
    if (!older || !tagEventChanged(older, newest)) {
      newest.generation = generation;
      continue;
    }
    const spec = specTags.get(list.tag ?? '');
    newest.generation = spec && isNumber(spec.generation) ? spec.generation : generation;
  }
}
