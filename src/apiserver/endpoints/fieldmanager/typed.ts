// Server-side apply's operations on typed values: the field set an object sets, the difference
// between two objects, merging an applied configuration into a live object, and removing or
// keeping parts of an object by field set. Types come from the schema type model; list items are
// identified by their key fields (map lists), their value (sets), or not at all (atomic lists).

import { isObject } from '../../api/types.js';
import type { TypeNode } from '../../openapi/type-model.js';
import { elementKey, FieldSet, pathString, type Path, type PathElement } from './fieldpath.js';
import { getOwn, setOwn } from '../../api/own-keys.js';

/** A value that cannot be typed (a map-list item without its key, a duplicate key). */
export class TypedValueError extends Error {}

const UNTYPED: TypeNode = { kind: 'untyped', goType: 'interface {}' };

/** The type of a field or map entry below `t`, or undefined when `t` does not declare it. */
export function childType(t: TypeNode, name: string): TypeNode | undefined {
  if (t.kind === 'struct') return t.field(name);
  if (t.kind === 'map') return t.element;
  if (t.kind === 'untyped') return UNTYPED;
  return undefined;
}

function isDeclared(t: TypeNode, name: string): boolean {
  return t.kind === 'struct' && t.hasField(name);
}

function isAtomic(t: TypeNode): boolean {
  if (t.kind === 'struct' || t.kind === 'map') return t.atomic;
  if (t.kind === 'list') return t.listType === 'atomic';
  return t.kind === 'scalar';
}

/** The element that names one item of a set or map list. */
export function itemElement(t: TypeNode & { kind: 'list' }, item: unknown, path: Path): PathElement {
  if (t.listType === 'set') return { value: item };
  if (!isObject(item)) throw new TypedValueError(`${pathString(path)}: associative list with keys has an element that is not a map`);
  const key: Record<string, unknown> = {};
  for (const k of t.keys) {
    if (item[k] === undefined || item[k] === null) {
      throw new TypedValueError(`${pathString(path)}: associative list with keys has an element that omits key field ${JSON.stringify(k)}`);
    }
    key[k] = item[k];
  }
  return { key };
}

interface Item {
  pe: PathElement;
  value: unknown;
}

/** Items of a non-atomic list by element; duplicates are an error. */
function indexItems(t: TypeNode & { kind: 'list' }, list: unknown[], path: Path): Item[] {
  const seen = new Set<string>();
  return list.map((v) => {
    const pe = itemElement(t, v, path);
    const k = elementKey(pe);
    if (seen.has(k)) throw new TypedValueError(`${pathString(path)}: duplicate entries for key ${pathString([pe]).replace(/^\./, '')}`);
    seen.add(k);
    return { pe, value: v };
  });
}

// ---- field sets ----

/** The fields an object sets: leaves, list items, map entries, and empty or null structs. */
export function toFieldSet(value: unknown, t: TypeNode): FieldSet {
  const set = new FieldSet();
  walkSet(value, t, [], set);
  return set;
}

function walkSet(value: unknown, t: TypeNode, path: Path, set: FieldSet): void {
  if (t.kind === 'scalar' || (t.kind === 'untyped' && !isObject(value))) {
    set.insert(path);
    return;
  }
  if (t.kind === 'list') {
    if (t.listType === 'atomic' || !Array.isArray(value)) {
      set.insert(path);
      return;
    }
    for (const item of indexItems(t, value, path)) {
      const p = [...path, item.pe];
      walkSet(item.value, t.element, p, set);
      set.insert(p);
    }
    return;
  }
  if (isAtomic(t) || !isObject(value)) {
    set.insert(path);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const ct = childType(t, k) ?? UNTYPED;
    const p = [...path, { field: k }];
    walkSet(v, ct, p, set);
    if (v === null || (isObject(v) && Object.keys(v).length === 0) || !isDeclared(t, k)) set.insert(p);
  }
}

// ---- comparison ----

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** What changed from `lhs` to `rhs`: added and removed fields (containers too), modified leaves. */
export function compare(lhs: unknown, rhs: unknown, t: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, t, [], c);
  return c;
}

function leaf(lhs: unknown, rhs: unknown, path: Path, c: Comparison): void {
  if (lhs === undefined && rhs === undefined) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
}

function isEmptyList(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function isEmptyMap(v: unknown): boolean {
  return v === undefined || v === null || (isObject(v) && Object.keys(v).length === 0);
}

function walkCompare(lhs: unknown, rhs: unknown, t: TypeNode, path: Path, c: Comparison): void {
  if (lhs === undefined && rhs === undefined) return;
  if (t.kind === 'list') {
    const listy = (v: unknown): boolean => v === undefined || v === null || Array.isArray(v);
    if (t.listType === 'atomic' || (isEmptyList(lhs) && isEmptyList(rhs)) || !listy(lhs) || !listy(rhs)) {
      leaf(lhs, rhs, path, c);
      return;
    }
    let left: Item[];
    let right: Item[];
    try {
      left = Array.isArray(lhs) ? indexItems(t, lhs, path) : [];
      right = Array.isArray(rhs) ? indexItems(t, rhs, path) : [];
    } catch (err) {
      if (!(err instanceof TypedValueError)) throw err;
      // Items that cannot be keyed are compared as one value, as an atomic list.
      leaf(lhs, rhs, path, c);
      return;
    }
    const l = new Map(left.map((i) => [elementKey(i.pe), i]));
    const r = new Map(right.map((i) => [elementKey(i.pe), i]));
    for (const k of new Set([...l.keys(), ...r.keys()])) {
      const li = l.get(k);
      const ri = r.get(k);
      const pe = (li ?? ri)?.pe as PathElement;
      walkCompare(li?.value, ri?.value, t.element, [...path, pe], c);
    }
  } else if (t.kind === 'scalar' || (t.kind === 'untyped' && !(isObject(lhs) || isObject(rhs)))) {
    leaf(lhs, rhs, path, c);
    return;
  } else {
    const mappy = (v: unknown): boolean => v === undefined || v === null || isObject(v);
    if (isAtomic(t) || (isEmptyMap(lhs) && isEmptyMap(rhs)) || !mappy(lhs) || !mappy(rhs)) {
      leaf(lhs, rhs, path, c);
      return;
    }
    const l = isObject(lhs) ? lhs : {};
    const r = isObject(rhs) ? rhs : {};
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
      walkCompare(l[k], r[k], childType(t, k) ?? UNTYPED, [...path, { field: k }], c);
    }
  }
  if (path.length === 0) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

// ---- merge (apply) ----

/**
 * Merges an applied configuration into a live object: fields of the configuration win, maps and
 * structs merge field by field, set and map lists merge item by item (the configuration's order
 * first, live-only items kept near their neighbours), atomic values are replaced. A null in the
 * configuration removes the field.
 */
export function merge(lhs: unknown, rhs: unknown, t: TypeNode, path: Path = []): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null || rhs === null) return structuredClone(rhs);
  if (t.kind === 'list') {
    if (t.listType === 'atomic' || !Array.isArray(lhs) || !Array.isArray(rhs)) return structuredClone(rhs);
    return mergeItems(t, indexItems(t, lhs, path), indexItems(t, rhs, path), path);
  }
  if (t.kind === 'scalar' || isAtomic(t) || !isObject(lhs) || !isObject(rhs)) return structuredClone(rhs);
  const out: Record<string, unknown> = { ...lhs };
  for (const [k, v] of Object.entries(rhs)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    setOwn(out, k, merge(getOwn(lhs, k), v, childType(t, k) ?? UNTYPED, [...path, { field: k }]));
  }
  return out;
}

function mergeItems(t: TypeNode & { kind: 'list' }, left: Item[], right: Item[], path: Path): unknown[] {
  const inRight = new Map(right.map((i) => [elementKey(i.pe), i]));
  const inLeft = new Map(left.map((i) => [elementKey(i.pe), i]));
  // Live-only items ride along before the next shared item that followed them in the live list.
  const before = new Map<string, Item[]>();
  let pending: Item[] = [];
  for (const item of left) {
    const k = elementKey(item.pe);
    if (inRight.has(k)) {
      before.set(k, pending);
      pending = [];
    } else {
      pending.push(item);
    }
  }
  const out: unknown[] = [];
  for (const item of right) {
    const k = elementKey(item.pe);
    const live = inLeft.get(k);
    for (const b of before.get(k) ?? []) out.push(b.value);
    out.push(live ? merge(live.value, item.value, t.element, [...path, item.pe]) : structuredClone(item.value));
  }
  for (const b of pending) out.push(b.value);
  return out;
}

// ---- removing what an applier stopped applying ----

/** A set holds a path when it is a member, or (for struct fields) when it has members below. */
function holds(set: FieldSet | undefined, pe: PathElement, namedField: boolean): boolean {
  if (!set) return false;
  if (set.isMember(pe)) return true;
  return namedField && !(set.child(pe)?.isEmpty() ?? true);
}

/**
 * Removes from a merged object what the applier owned last time (`last`) and nobody owns now
 * (`owned`, every manager's fields including the new configuration's): such a path goes with its
 * whole subtree. Fields below it that were never applied survive only where something above them
 * survives; fields still owned keep their parents.
 */
export function prune(value: unknown, t: TypeNode, last: FieldSet, owned: FieldSet): unknown {
  return pruneWalk(value, t, last, owned, false, []);
}

function pruneWalk(value: unknown, t: TypeNode, last: FieldSet | undefined, owned: FieldSet | undefined, condemned: boolean, path: Path): unknown {
  const decide = (v: unknown, ct: TypeNode, pe: PathElement, named: boolean): { keep: boolean; value: unknown } => {
    const cond = condemned || (last?.isMember(pe) ?? false);
    const lastBelow = last?.child(pe);
    const ownedBelow = owned?.child(pe);
    if (cond) {
      if (holds(owned, pe, named)) return { keep: true, value: pruneWalk(v, ct, lastBelow, ownedBelow, true, [...path, pe]) };
      if (holds(last, pe, named)) return { keep: false, value: undefined };
      return { keep: true, value: pruneWalk(v, ct, lastBelow, ownedBelow, true, [...path, pe]) };
    }
    if (lastBelow && !lastBelow.isEmpty()) return { keep: true, value: pruneWalk(v, ct, lastBelow, ownedBelow, false, [...path, pe]) };
    return { keep: true, value: v };
  };
  if (t.kind === 'list') {
    if (!Array.isArray(value) || t.listType === 'atomic') return value;
    const out: unknown[] = [];
    for (const v of value) {
      let pe: PathElement;
      try {
        pe = itemElement(t, v, path);
      } catch {
        out.push(v);
        continue;
      }
      const d = decide(v, t.element, pe, false);
      if (d.keep) out.push(d.value);
    }
    return out;
  }
  if (!isObject(value) || t.kind === 'scalar' || isAtomic(t)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const d = decide(v, childType(t, k) ?? UNTYPED, { field: k }, isDeclared(t, k));
    if (d.keep) setOwn(out, k, d.value);
  }
  return out;
}
