// Helpers to rebuild objects the way Go's encoding/json writes the v1 structs: fixed field order,
// zero values for missing scalars, `omitempty` honoured, metav1.Time as RFC3339 seconds (or null).

import { setOwn } from '../../../apiserver/api/own-keys.js';
import { formatTime, isObject } from '../../../apiserver/api/types.js';
import type { ObjectMeta } from '../../../apiserver/api/types.js';
import { isRFC3339 } from '../formats.js';

const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export const bool = (v: unknown): boolean => v === true;
export const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** metav1.Time: second precision in UTC; absent, empty or the Go zero time is null. */
export function goTime(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null;
  if (!isRFC3339(v)) return v; // shape validation reports it; keep what was sent
  const ms = Date.parse(v.toUpperCase());
  if (Number.isNaN(ms)) return v;
  if (ms === GO_ZERO_TIME) return null;
  return formatTime(new Date(ms));
}

/** Milliseconds of a metav1.Time for comparisons; unset sorts first, like Go's zero time. */
export function timeValue(v: unknown): number {
  if (typeof v !== 'string' || v === '') return Number.NEGATIVE_INFINITY;
  const ms = Date.parse(v.toUpperCase());
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** A map[string]string: null when empty (what a stored round trip yields). */
export function stringMap(v: unknown): Record<string, string> | null {
  if (!isObject(v)) return null;
  const entries = Object.entries(v).map(([k, x]) => [k, str(x)] as const);
  return entries.length ? Object.fromEntries(entries) : null;
}

/** Sets `key` only when `value` is not the Go zero value (encoding/json `omitempty`). */
export function putOmitEmpty(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (isObject(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

/** Replaces all of `target`'s own properties with `source`'s, keeping the object identity. */
export function replaceContents(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const k of Object.keys(target)) delete target[k];
  for (const [k, v] of Object.entries(source)) setOwn(target, k, v);
}

const META_ORDER: readonly (keyof ObjectMeta)[] = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/**
 * An ObjectMeta nested inside another object (signatures): Go writes it in field order with
 * `creationTimestamp: null` when unset. Top-level metadata is the generic store's business.
 */
export function nestedObjectMeta(v: unknown): ObjectMeta {
  const m = obj(v);
  const out: Record<string, unknown> = {};
  for (const k of META_ORDER) {
    if (k === 'creationTimestamp') out[k] = goTime(m[k]);
    else putOmitEmpty(out, k, m[k]);
  }
  return out as ObjectMeta;
}

/** Byte-wise string order (Go's sort.Strings) for ASCII, code unit order otherwise. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
