// metadata.managedFields as a list of managers: decoding (rejecting malformed entries), the
// identity that makes two entries the same manager, the update-manager cap, and encoding in the
// order kube-apiserver writes them (Apply before Update, then by time, manager, version).

import type { ManagedFieldsEntry } from '../../api/types.js';
import { isObject } from '../../api/types.js';
import { FieldSet } from './fieldpath.js';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Apply entries are one per manager whatever the version; Update entries per version too. */
export function managerIdentity(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);
}

/** Decoded managers, or undefined when the list is malformed (then the live list is used). */
export function decodeManagers(v: unknown): Manager[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return undefined;
  const out: Manager[] = [];
  for (const e of v) {
    if (!isObject(e)) return undefined;
    if (e.operation !== 'Apply' && e.operation !== 'Update') return undefined;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') return undefined;
    let set: FieldSet;
    try {
      set = e.fieldsV1 === undefined || e.fieldsV1 === null ? new FieldSet() : FieldSet.fromFieldsV1(e.fieldsV1);
    } catch {
      return undefined;
    }
    const m: Manager = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      set,
    };
    if (typeof e.time === 'string') m.time = e.time;
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    out.push(m);
  }
  return out;
}

/** `[]` or one empty entry: the client asks for managedFields to be cleared. */
export function isReset(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return v.length === 1 && isObject(v[0]) && Object.values(v[0]).every((x) => x === undefined || x === null || x === '' || (isObject(x) && Object.keys(x).length === 0));
}

const MAX_UPDATE_MANAGERS = 10;
const ANCIENT = 'ancient-changes';

/** At most ten Update entries: the oldest are folded into one "ancient-changes" entry. */
export function capUpdateManagers(managers: Manager[]): Manager[] {
  const updates = managers.filter((m) => m.operation === 'Update');
  if (updates.length <= MAX_UPDATE_MANAGERS) return managers;
  const byAge = [...updates].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  const fold = byAge.slice(0, updates.length - MAX_UPDATE_MANAGERS + 1);
  const folded = new Set(fold);
  const ancient: Manager = {
    manager: ANCIENT,
    operation: 'Update',
    apiVersion: fold[fold.length - 1]?.apiVersion ?? '',
    set: fold.reduce((s, m) => s.union(m.set), new FieldSet()),
  };
  const latest = fold[fold.length - 1]?.time;
  if (latest) ancient.time = latest;
  const kept = managers.filter((m) => !folded.has(m) && !(m.manager === ANCIENT && m.operation === 'Update'));
  const previous = managers.find((m) => m.manager === ANCIENT && m.operation === 'Update' && !folded.has(m));
  if (previous) ancient.set = ancient.set.union(previous.set);
  return [...kept, ancient];
}

function order(a: Manager, b: Manager): number {
  if (a.operation !== b.operation) return a.operation < b.operation ? -1 : 1;
  const ta = a.time ? Date.parse(a.time) / 1000 : 0;
  const tb = b.time ? Date.parse(b.time) / 1000 : 0;
  if (ta !== tb) return ta - tb;
  if (a.manager !== b.manager) return a.manager < b.manager ? -1 : 1;
  if (a.apiVersion !== b.apiVersion) return a.apiVersion < b.apiVersion ? -1 : 1;
  const sa = a.subresource ?? '';
  const sb = b.subresource ?? '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Entries without fields are dropped; the rest written in kube-apiserver's order. */
export function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => !m.set.isEmpty())
    .sort(order)
    .map((m) => {
      const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
      if (m.time) e.time = m.time;
      e.fieldsType = 'FieldsV1';
      e.fieldsV1 = m.set.toFieldsV1();
      if (m.subresource) e.subresource = m.subresource;
      return e;
    });
}
