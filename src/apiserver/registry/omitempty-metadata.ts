// ObjectMeta as Go writes it: its maps and lists are omitempty, so an empty one (the last label
// removed by a patch, `finalizers: []`) or a null is not there at all.

import type { ObjectMeta } from '../api/types.js';

const OMITEMPTY: readonly (keyof ObjectMeta)[] = ['labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];

/** Drops empty or null omitempty maps and lists of `meta`, in place. */
export function dropEmptyMetadata(meta: ObjectMeta): void {
  for (const k of OMITEMPTY) {
    const v: unknown = meta[k];
    if (v === null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== undefined && Object.keys(v).length === 0)) delete meta[k];
  }
}
