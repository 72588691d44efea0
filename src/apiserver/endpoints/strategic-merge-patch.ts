// Strategic merge patch (application/strategic-merge-patch+json): a JSON merge patch whose lists
// merge item by item where the schema says so (x-kubernetes-patch-strategy: merge, with the
// x-kubernetes-patch-merge-key identifying items), plus the directives kubectl and the garbage
// collector send: $patch (replace/delete/merge), $retainKeys, $deleteFromPrimitiveList/<field>
// and $setElementOrder/<field>.

import { isObject } from '../api/types.js';
import { errors } from '../errors/index.js';
import type { ListType, TypeNode } from '../openapi/type-model.js';

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

  if (RETAIN_KEYS in patch) {
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
    const current = Array.isArray(original[field]) ? (original[field] as unknown[]) : [];
    let merged = current;
    if (Array.isArray(patch[field])) merged = mergeList(current, patch[field] as unknown[], meta, false);
    else if (patch[field] === null) merged = [];
    if (merged.length || field in original || Array.isArray(patch[field])) original[field] = orderBy(merged, order, current, meta.mergeKey);
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
      if (Array.isArray(original[key])) {
        const drop = value.map((v) => JSON.stringify(v));
        original[key] = (original[key] as unknown[]).filter((v) => !drop.includes(JSON.stringify(v)));
      }
      continue;
    }
    if (value === null) {
      delete original[key];
      continue;
    }
    const meta = fieldMeta(type, key);
    const replace = meta.strategies.includes('replace');
    const current = original[key];
    if (isObject(value)) {
      if (replace) original[key] = stripDirectives(value, meta.type);
      else if (isObject(current)) original[key] = mergeMap(current, value, meta.type);
      else original[key] = mergeMap({}, value, meta.type);
    } else if (Array.isArray(value)) {
      if (replace || !meta.strategies.includes('merge')) original[key] = stripDirectives(value, meta.type);
      else original[key] = mergeList(Array.isArray(current) ? current : [], value, meta, deleteList);
    } else {
      original[key] = value;
    }
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
  return isObject(item) && item[mergeKey] !== undefined ? JSON.stringify(item[mergeKey]) : undefined;
}

function mergeList(original: unknown[], patch: unknown[], meta: FieldMeta, deleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const mergeKey = meta.mergeKey;
  const maps = [...original, ...patch].some((v) => isObject(v));
  if (!maps) {
    if (deleteList) return original.filter((v) => !patch.some((p) => JSON.stringify(p) === JSON.stringify(v)));
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
  let items = [...original];
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
      items = items.filter((o) => keyOf(o, mergeKey) !== k);
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
    const i = items.findIndex((o) => keyOf(o, mergeKey) === k);
    if (i >= 0) items[i] = mergeMap(isObject(items[i]) ? (items[i] as JsonMap) : {}, p, elem);
    else items.push(mergeMap({}, p, elem));
  }
  return orderBy(items, patchItems, original, mergeKey);
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
  const named = merged.filter((v) => rank.has(id(v) ?? '')).sort((a, b) => (rank.get(id(a) ?? '') ?? 0) - (rank.get(id(b) ?? '') ?? 0));
  const others = merged.filter((v) => !rank.has(id(v) ?? ''));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < others.length || j < named.length) {
    if (i >= others.length) out.push(named[j++]);
    else if (j >= named.length) out.push(others[i++]);
    else {
      const li = originalIndex.get(id(others[i]) ?? '');
      const ri = originalIndex.get(id(named[j]) ?? '');
      if (li !== undefined && ri !== undefined && li < ri) out.push(others[i++]);
      else out.push(named[j++]);
    }
  }
  return out;
}
