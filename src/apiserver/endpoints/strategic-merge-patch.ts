// Strategic merge patch (application/strategic-merge-patch+json): a JSON merge patch whose lists
// merge item by item where the schema says so (x-kubernetes-patch-strategy: merge, with the
// x-kubernetes-patch-merge-key identifying items), plus the directives kubectl and the garbage
// collector send: $patch (replace/delete/merge), $retainKeys, $deleteFromPrimitiveList/<field>
// and $setElementOrder/<field>.

import { isObject } from '../api/types.js';
import { errors } from '../errors/index.js';
import type { ListType, TypeNode } from '../openapi/type-model.js';
import { getOwn, setOwn } from '../api/own-keys.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

type JsonMap = Record<string, unknown>;

/** What the schema says about one field: its type and the patch strategies written on it. */
interface FieldMeta {
  type: TypeNode | undefined;
  strategies: readonly string[];
  mergeKey?: string;
}

function fieldMeta(parent: TypeNode | undefined, name: string): FieldMeta {
  if (!parent) return { type: undefined, strategies: [] };
  if (parent.kind === 'map') return metaOf(parent.element);
  if (parent.kind !== 'struct') return { type: undefined, strategies: [] };
  const type = parent.field(name);
  const prop = parent.property(name);
  const own = prop?.['x-kubernetes-patch-strategy'];
  const strategies = own ? own.split(',').map((s) => s.trim()) : type?.kind === 'list' ? type.patchStrategies : [];
  const mergeKey = prop?.['x-kubernetes-patch-merge-key'] ?? (type?.kind === 'list' ? type.patchMergeKey : undefined);
  return mergeKey ? { type, strategies, mergeKey } : { type, strategies };
}

function metaOf(type: TypeNode): FieldMeta {
  if (type.kind === 'list') return type.patchMergeKey ? { type, strategies: type.patchStrategies, mergeKey: type.patchMergeKey } : { type, strategies: type.patchStrategies };
  return { type, strategies: [] };
}

function elementOf(meta: FieldMeta): TypeNode | undefined {
  return meta.type?.kind === 'list' ? (meta.type as ListType).element : undefined;
}

/** Go prints a map in errors as map[k:v ...] with sorted keys. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValue(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function badRequest(message: string): Error {
  return errors.badRequest(message);
}

/** Applies a strategic merge patch to `original` (not modified) with the schema of its kind. */
export function strategicMergePatch(original: unknown, patch: unknown, type: TypeNode | undefined): unknown {
  if (!isObject(patch)) throw badRequest('invalid JSON document');
  return mergeMap(isObject(original) ? structuredClone(original) : {}, structuredClone(patch), type);
}

function mergeMap(original: JsonMap, patch: JsonMap, type: TypeNode | undefined): JsonMap {
  const directive = patch[DIRECTIVE];
  if (directive !== undefined) {
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return stripDirectives(patch, type) as JsonMap;
    }
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw badRequest(`Unknown patch type: ${String(directive)} in map: ${goValue(patch)}`);
    delete patch[DIRECTIVE];
  }

  if (Object.hasOwn(patch, RETAIN_KEYS)) {
    const keep = patch[RETAIN_KEYS];
    if (!Array.isArray(keep)) throw badRequest('invalid patch format for retainKeys');
    const allowed = new Set(keep.map(String));
    for (const k of Object.keys(original)) if (!allowed.has(k)) delete original[k];
    delete patch[RETAIN_KEYS];
  }

  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    const order = patch[key];
    if (!Array.isArray(order)) throw badRequest('invalid patch format for setElementOrder list');
    const meta = fieldMeta(type, field);
    const existing = getOwn(original, field);
    const current = Array.isArray(existing) ? (existing as unknown[]) : [];
    const patched = getOwn(patch, field);
    let merged = current;
    if (Array.isArray(patched)) merged = mergeList(current, patched, meta, false);
    else if (patched === null) merged = [];
    if (merged.length || Object.hasOwn(original, field) || Array.isArray(patched)) setOwn(original, field, orderBy(merged, order, current, meta.mergeKey));
    delete patch[key];
    delete patch[field];
  }

  for (const [rawKey, value] of Object.entries(patch)) {
    let key = rawKey;
    let deleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      deleteList = true;
      if (!Array.isArray(value)) throw badRequest('invalid patch format for primitive list');
      const current = getOwn(original, key);
      if (Array.isArray(current)) setOwn(original, key, withoutValues(current, value));
      continue;
    }
    if (value === null) {
      delete original[key];
      continue;
    }
    const meta = fieldMeta(type, key);
    const replace = meta.strategies.includes('replace');
    const current = getOwn(original, key);
    let merged: unknown;
    if (isObject(value)) {
      if (replace) merged = stripDirectives(value, meta.type);
      else merged = mergeMap(isObject(current) ? current : {}, value, meta.type);
    } else if (Array.isArray(value)) {
      if (replace || !meta.strategies.includes('merge')) merged = stripDirectives(value, meta.type);
      else merged = mergeList(Array.isArray(current) ? current : [], value, meta, deleteList);
    } else {
      merged = value;
    }
    setOwn(original, key, merged);
  }
  return original;
}

/** A patch value taken as is, minus directives that mean nothing without an original. */
function stripDirectives(value: unknown, type: TypeNode | undefined): unknown {
  if (Array.isArray(value)) {
    const elem = type?.kind === 'list' ? type.element : undefined;
    return value.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete')).map((v) => (isObject(v) ? mergeMap({}, v, elem) : v));
  }
  if (isObject(value)) return mergeMap({}, value, type);
  return value;
}

function keyOf(item: unknown, mergeKey: string): string | undefined {
  if (!isObject(item)) return undefined;
  const key = getOwn(item, mergeKey);
  return key !== undefined ? JSON.stringify(key) : undefined;
}

/** `list` without the values in `drop` (compared as JSON), in one pass over each. */
function withoutValues(list: unknown[], drop: unknown[]): unknown[] {
  const dropped = new Set(drop.map((v) => JSON.stringify(v)));
  return list.filter((v) => !dropped.has(JSON.stringify(v)));
}

function mergeList(original: unknown[], patch: unknown[], meta: FieldMeta, deleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const mergeKey = meta.mergeKey;
  const maps = [...original, ...patch].some((v) => isObject(v));
  if (!maps) {
    if (deleteList) return withoutValues(original, patch);
    const seen = new Set<string>();
    const merged = [...original, ...patch].filter((v) => {
      const k = JSON.stringify(v);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return orderBy(merged, patch, original, undefined);
  }
  if (!mergeKey) throw badRequest('cannot merge lists without merge key');
  // Items are found by merge key through an index, so merging is linear in the list lengths.
  const items = [...original];
  const positions = new Map<string, number[]>();
  items.forEach((o, i) => {
    const k = keyOf(o, mergeKey);
    if (k === undefined) return;
    const at = positions.get(k);
    if (at) at.push(i);
    else positions.set(k, [i]);
  });
  const removed = new Set<number>();
  const patchItems: JsonMap[] = [];
  for (const p of patch) {
    if (!isObject(p)) throw badRequest(`invalid patch item: ${goValue(p)}`);
    const directive = p[DIRECTIVE];
    if (directive === 'replace') {
      // Everything else in the patch list is the new list.
      return patch.filter((x) => x !== p).map((x) => stripDirectives(x, elementOf(meta)));
    }
    if (directive === 'delete') {
      const k = keyOf(p, mergeKey);
      if (k === undefined) throw badRequest(`map: ${goValue(p)} does not contain declared merge key: ${mergeKey}`);
      for (const i of positions.get(k) ?? []) removed.add(i);
      positions.delete(k);
      continue;
    }
    if (directive === 'merge') {
      const { [DIRECTIVE]: _d, ...rest } = p;
      if (Object.keys(rest).length) patchItems.push(rest);
      continue;
    }
    if (directive !== undefined) throw badRequest(`Unknown patch type: ${String(directive)} in map: ${goValue(p)}`);
    patchItems.push(p);
  }
  const elem = elementOf(meta);
  for (const p of patchItems) {
    const k = keyOf(p, mergeKey);
    if (k === undefined) throw badRequest(`map: ${goValue(p)} does not contain declared merge key: ${mergeKey}`);
    const i = positions.get(k)?.[0];
    if (i !== undefined) {
      items[i] = mergeMap(isObject(items[i]) ? (items[i] as JsonMap) : {}, p, elem);
    } else {
      positions.set(k, [items.length]);
      items.push(mergeMap({}, p, elem));
    }
  }
  const kept = removed.size ? items.filter((_, i) => !removed.has(i)) : items;
  return orderBy(kept, patchItems, original, mergeKey);
}

/**
 * The order of a merged list: items named by `order` (the patch list or $setElementOrder) in that
 * order, the other items in their original order, interleaved where both sides know the original
 * positions; items new to the list come before server-only ones they cannot be placed against.
 */
function orderBy(merged: unknown[], order: unknown[], original: unknown[], mergeKey: string | undefined): unknown[] {
  const id = (v: unknown): string | undefined => (mergeKey ? keyOf(v, mergeKey) : JSON.stringify(v));
  const rank = new Map<string, number>();
  order.forEach((o, i) => {
    const k = mergeKey && !isObject(o) ? JSON.stringify(o) : id(o);
    if (k !== undefined && !rank.has(k)) rank.set(k, i);
  });
  const originalIndex = new Map<string, number>();
  original.forEach((o, i) => {
    const k = id(o);
    if (k !== undefined && !originalIndex.has(k)) originalIndex.set(k, i);
  });
  // Each item's key is computed once; sorting and interleaving then only compare numbers.
  const entries = merged.map((v) => {
    const k = id(v) ?? '';
    return { v, rank: rank.get(k), at: originalIndex.get(k) };
  });
  const named = entries.filter((e) => e.rank !== undefined).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  const others = entries.filter((e) => e.rank === undefined);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < others.length || j < named.length) {
    if (i >= others.length) out.push(named[j++].v);
    else if (j >= named.length) out.push(others[i++].v);
    else {
      const li = others[i].at;
      const ri = named[j].at;
      if (li !== undefined && ri !== undefined && li < ri) out.push(others[i++].v);
      else out.push(named[j++].v);
    }
  }
  return out;
}
