// The pure parts of a Store's delete: preconditions against the stored object, the garbage
// collector's finalizers a delete adds, and marking an object as being deleted.

import { formatTime, type KubeObject } from '../api/types.js';
import { errors } from '../errors/index.js';
import type { DeleteParams } from './rest.js';
import type { ResourceInfo } from './strategy.js';

export function checkDeletePreconditions(info: ResourceInfo, current: KubeObject, name: string, opts: DeleteParams): void {
  const pre = opts.preconditions;
  if (!pre) return;
  if (pre.uid !== undefined && pre.uid !== current.metadata.uid) {
    throw errors.conflictOnKind(
      info.kind,
      info.group,
      name,
      `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`,
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw errors.conflictOnKind(
      info.kind,
      info.group,
      name,
      `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`,
    );
  }
}

/** The finalizers a delete asks for; none when the resource opts out of garbage collection. */
export function gcFinalizers(opts: DeleteParams, unsupported: boolean): string[] {
  if (unsupported) return [];
  if (opts.propagationPolicy === 'Orphan' || (opts.propagationPolicy === undefined && opts.orphanDependents === true)) return ['orphan'];
  if (opts.propagationPolicy === 'Foreground') return ['foregroundDeletion'];
  return [];
}

/** A copy of `cur` being deleted: `toAdd` finalizers added, deletionTimestamp set once. */
export function markDeleting(cur: KubeObject, toAdd: readonly string[], now: Date): KubeObject {
  const obj = structuredClone(cur);
  const meta = obj.metadata;
  const finalizers = [...(meta.finalizers ?? [])];
  for (const f of toAdd) if (!finalizers.includes(f)) finalizers.push(f);
  // The opposite GC finalizer is dropped when the policy is stated explicitly.
  const drop = toAdd.includes('orphan') ? 'foregroundDeletion' : toAdd.includes('foregroundDeletion') ? 'orphan' : undefined;
  meta.finalizers = drop ? finalizers.filter((f) => f !== drop) : finalizers;
  if (!meta.deletionTimestamp) {
    meta.deletionTimestamp = formatTime(now);
    meta.deletionGracePeriodSeconds = 0;
    meta.generation = (meta.generation ?? 0) + 1;
  }
  return obj;
}
