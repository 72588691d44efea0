// What a typed Go decoder does with a request body, from ajv's findings on the kind's shape: fields
// the kind does not declare are dropped (and reported for fieldValidation), JSON of the wrong type
// stops decoding with encoding/json's message. Also the Warning headers and strict-decoding texts
// of fieldValidation=Warn|Strict.

import { isObject } from '../api/types.js';
import { illegalBase64At, type KindShape, type ShapeError } from '../openapi/shape-validators.js';
import type { StructType, TypeNode } from '../openapi/type-model.js';
import type { FieldOccurrences } from './duplicate-fields.js';

export interface FieldCheck {
  /** The value with unknown fields dropped (a copy where something was dropped). */
  value: unknown;
  /** Field paths the kind does not declare, as strict decoding names them (spec.tags[0].foo). */
  unknown: string[];
  /** encoding/json's error for the first value of the wrong JSON type. */
  typeError?: string;
}

type Container = Record<string, unknown> | unknown[];

function childOf(node: unknown, key: string): unknown {
  return (isObject(node) || Array.isArray(node)) && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Orders paths of one document as a decoder meets them: keys in the order they were written. */
function documentOrder(root: unknown): (a: readonly string[], b: readonly string[]) => number {
  const keyIndexes = new Map<object, Map<string, number>>();
  return (a, b) => {
    let node = root;
    for (let i = 0; i < a.length && i < b.length; i++) {
      if (a[i] !== b[i]) {
        if (Array.isArray(node)) return Number(a[i]) - Number(b[i]);
        if (!isObject(node)) return 0;
        let index = keyIndexes.get(node);
        if (!index) {
          index = new Map(Object.keys(node).map((k, n) => [k, n]));
          keyIndexes.set(node, index);
        }
        return (index.get(a[i]) ?? 0) - (index.get(b[i]) ?? 0);
      }
      node = childOf(node, a[i]);
    }
    return a.length - b.length;
  };
}

/** "spec.tags[0].foo": list indexes in brackets, as strict decoding names a field. */
function strictPath(root: unknown, path: readonly string[]): string {
  let out = '';
  let node = root;
  for (const key of path) {
    out = Array.isArray(node) ? `${out}[${key}]` : out ? `${out}.${key}` : key;
    node = childOf(node, key);
  }
  return out;
}

/** encoding/json's text for the value at `e.path`, naming the Go field and type it was meant for. */
function goError(root: unknown, type: StructType, e: ShapeError): string {
  let t: TypeNode = type;
  let struct = type.shortName;
  let goPath = '';
  let value = root;
  for (const key of e.path) {
    value = childOf(value, key);
    if (t.kind === 'struct') {
      struct = t.shortName;
      goPath = goPath ? `${goPath}.${key}` : key;
      t = t.field(key) ?? { kind: 'untyped', goType: 'interface {}' };
    } else if (t.kind === 'list' || t.kind === 'map') {
      t = t.element;
    }
  }
  if (e.problem === 'bad format' && typeof value === 'string') {
    if (e.format === 'byte') return `illegal base64 data at input byte ${illegalBase64At(value)}`;
    return `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`;
  }
  const integral = t.kind === 'scalar' && t.type === 'integer' && typeof value === 'number';
  const what = integral ? `number ${value}` : jsonKind(value);
  const field = goPath ? `Go struct field ${struct}.${goPath}` : 'Go value';
  return `json: cannot unmarshal ${what} into ${field} of type ${t.goType}`;
}

/** node[key] = value, where "__proto__" is an ordinary key. */
function setOwn(node: Container, key: string, value: unknown): void {
  if (Array.isArray(node)) node[Number(key)] = value;
  else if (key === '__proto__') Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
  else node[key] = value;
}

/** `root` without the fields at `paths`; only the containers on those paths are copied. */
function withoutFields(root: unknown, paths: readonly (readonly string[])[]): unknown {
  if (paths.length === 0) return root;
  const copies = new Set<unknown>();
  const copy = (node: unknown): Container => {
    const c = Array.isArray(node) ? node.slice() : { ...(node as Record<string, unknown>) };
    copies.add(c);
    return c;
  };
  const top = copy(root);
  for (const path of paths) {
    let parent = top;
    for (let i = 0; i < path.length - 1; i++) {
      const child = childOf(parent, path[i]);
      if (copies.has(child)) {
        parent = child as Container;
        continue;
      }
      const c = copy(child);
      setOwn(parent, path[i], c);
      parent = c;
    }
    delete (parent as Record<string, unknown>)[path[path.length - 1]];
  }
  return top;
}

/** Checks a decoded object against its kind's shape; without a shape everything passes. */
export function checkFields(obj: unknown, shape: KindShape | undefined): FieldCheck {
  const errors = shape?.check(obj) ?? [];
  if (!shape || errors.length === 0) return { value: obj, unknown: [] };
  const order = documentOrder(obj);
  const unknown = errors.filter((e) => e.problem === 'unknown field').map((e) => e.path);
  unknown.sort(order);
  let first: ShapeError | undefined;
  for (const e of errors) if (e.problem !== 'unknown field' && (!first || order(e.path, first.path) < 0)) first = e;
  const check: FieldCheck = { value: withoutFields(obj, unknown), unknown: unknown.map((p) => strictPath(obj, p)) };
  if (first) check.typeError = goError(obj, shape.type, first);
  return check;
}

/**
 * The strict-decoding complaints about a document, in the order a decoder meets them:
 * `duplicate field "a.b"` and `unknown field "a.c"`.
 */
export function strictErrors(unknown: readonly string[], occurrences: FieldOccurrences | undefined): string[] {
  const items = [
    ...(occurrences?.duplicates ?? []).map((d) => ({ pos: d.pos, text: `duplicate field ${JSON.stringify(d.path)}` })),
    ...unknown.map((p) => ({ pos: occurrences?.firstSeen.get(p) ?? Number.MAX_SAFE_INTEGER, text: `unknown field ${JSON.stringify(p)}` })),
  ];
  return items.sort((a, b) => a.pos - b.pos).map((x) => x.text);
}

/** `Warning: 299 - "<text>"`, one header per warning, as kube-apiserver writes them. */
export { addWarningHeaders as addWarnings } from './warning-header.js';
