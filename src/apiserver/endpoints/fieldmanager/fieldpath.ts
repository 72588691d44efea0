// Field paths and sets of them, as server-side apply tracks ownership: a path is a list of
// elements (a struct field or map key, a list item by key fields, by value, or by index); a set is
// a trie that serializes to and from metadata.managedFields[].fieldsV1.

import { isObject } from '../../api/types.js';

export type PathElement =
  | { readonly field: string }
  | { readonly key: Readonly<Record<string, unknown>> }
  | { readonly value: unknown }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** JSON with object keys sorted, so equal values have one text. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The FieldsV1 key of an element: f:name, k:{"name":"x"}, v:"x", i:0. */
export function elementKey(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:${canonicalJSON(pe.key)}`;
  if ('value' in pe) return `v:${canonicalJSON(pe.value)}`;
  return `i:${pe.index}`;
}

export function parseElementKey(s: string): PathElement {
  const tag = s.slice(0, 2);
  const rest = s.slice(2);
  switch (tag) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      const key: unknown = JSON.parse(rest);
      if (!isObject(key)) throw new Error(`invalid key element ${s}`);
      return { key };
    }
    case 'v:':
      return { value: JSON.parse(rest) as unknown };
    case 'i:':
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index element ${s}`);
      return { index: Number(rest) };
    default:
      throw new Error(`unknown path element ${JSON.stringify(s)}`);
  }
}

function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** A total order on JSON values (numbers, then strings, ...), for sorting set members. */
function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const ca = canonicalJSON(a);
  const cb = canonicalJSON(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function elementRank(pe: PathElement): number {
  if ('field' in pe) return 0;
  if ('key' in pe) return 1;
  if ('value' in pe) return 2;
  return 3;
}

/** Fields first (by name), then keyed items, values, indexes: the order managedFields are written in. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
  if ('key' in a && 'key' in b) {
    const ka = Object.keys(a.key).sort();
    const kb = Object.keys(b.key).sort();
    if (ka.length !== kb.length) return ka.length - kb.length;
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
      const c = compareValues(a.key[ka[i]], b.key[kb[i]]);
      if (c !== 0) return c;
    }
    return 0;
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index - b.index;
  return 0;
}

/** How conflicts name a path: .spec.tags[name="latest"].from */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) {
        return `[${Object.keys(pe.key)
          .sort()
          .map((k) => `${k}=${canonicalJSON(pe.key[k])}`)
          .join(',')}]`;
      }
      if ('value' in pe) return `[=${canonicalJSON(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** A set of paths: each node knows which child elements are members and which have members below. */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  static of(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    const [head, ...rest] = path;
    const k = elementKey(head);
    if (rest.length === 0) {
      this.members.set(k, head);
      return;
    }
    let c = this.children.get(k);
    if (!c) {
      c = { pe: head, set: new FieldSet() };
      this.children.set(k, c);
    }
    c.set.insert(rest);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const k = elementKey(path[0]);
    if (path.length === 1) return this.members.has(k);
    return this.children.get(k)?.set.has(path.slice(1)) ?? false;
  }

  /** The set below one element (paths relative to it), if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(elementKey(pe))?.set;
  }

  isMember(pe: PathElement): boolean {
    return this.members.has(elementKey(pe));
  }

  /** Whether the path is a member or has members below it. */
  touches(path: Path): boolean {
    if (path.length === 0) return !this.isEmpty();
    const k = elementKey(path[0]);
    if (path.length === 1) return this.members.has(k) || !(this.children.get(k)?.set.isEmpty() ?? true);
    return this.children.get(k)?.set.touches(path.slice(1)) ?? false;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    return this.union(new FieldSet());
  }

  union(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) s.members.set(k, pe);
    for (const [k, pe] of o.members) s.members.set(k, pe);
    for (const k of new Set([...this.children.keys(), ...o.children.keys()])) {
      const a = this.children.get(k);
      const b = o.children.get(k);
      const merged = a && b ? a.set.union(b.set) : (a ?? b)?.set.clone();
      const pe = (a ?? b)?.pe;
      if (merged && pe && !merged.isEmpty()) s.children.set(k, { pe, set: merged });
    }
    return s;
  }

  /** Members of this set that are not members of `o` (members' descendants are not implied). */
  difference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) s.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      const d = other ? c.set.difference(other.set) : c.set.clone();
      if (!d.isEmpty()) s.children.set(k, { pe: c.pe, set: d });
    }
    return s;
  }

  intersection(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) s.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (!other) continue;
      const i = c.set.intersection(other.set);
      if (!i.isEmpty()) s.children.set(k, { pe: c.pe, set: i });
    }
    return s;
  }

  /** Every member path, in managedFields order. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const { pe, member, child } of this.sortedEntries()) {
      const p = [...prefix, pe];
      if (member) out.push(p);
      if (child) out.push(...child.paths(p));
    }
    return out;
  }

  private sortedEntries(): { pe: PathElement; member: boolean; child?: FieldSet }[] {
    const keys = new Set([...this.members.keys(), ...this.children.keys()]);
    const entries = [...keys].map((k) => {
      const c = this.children.get(k);
      const pe = this.members.get(k) ?? (c as Child).pe;
      return { pe, member: this.members.has(k), child: c && !c.set.isEmpty() ? c.set : undefined };
    });
    return entries.filter((e) => e.member || e.child).sort((a, b) => compareElements(a.pe, b.pe));
  }

  /** The FieldsV1 trie: {".": {}} marks a member that also has members below it. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(self: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (self) out['.'] = {};
    for (const { pe, member, child } of this.sortedEntries()) {
      out[elementKey(pe)] = child ? child.emit(member) : {};
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    if (!isObject(v)) throw new Error('fieldsV1 must be an object');
    const s = new FieldSet();
    for (const [k, sub] of Object.entries(v)) {
      if (k === '.') continue;
      const pe = parseElementKey(k);
      if (!isObject(sub)) throw new Error(`fieldsV1 entry ${k} must be an object`);
      const keys = Object.keys(sub);
      if (keys.length === 0 || keys.includes('.')) s.members.set(elementKey(pe), pe);
      const child = FieldSet.fromFieldsV1(sub);
      if (!child.isEmpty()) s.children.set(elementKey(pe), { pe, set: child });
    }
    return s;
  }
}
