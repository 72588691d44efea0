// JSON patch (RFC 6902) and JSON merge patch (RFC 7386) applied to plain JSON documents, with
// kube-apiserver's bounds on JSON patches: at most 10000 operations, and copies may add at most
// the request body limit to the document (evanphx/json-patch's AccumulatedCopySizeLimit).

import { isObject } from '../api/types.js';
import { errors, failure } from '../errors/index.js';
import { jsonTextDepth, MAX_DEPTH, maxDepthMessage, valueDepth } from '../util/depth.js';
import { getOwn, setOwn } from '../api/own-keys.js';
import { MAX_REQUEST_BODY_BYTES } from './body.js';

type Json = unknown;

export const MAX_JSON_PATCH_OPERATIONS = 10000;

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, mergePatch(getOwn(out, k), v));
  }
  return out;
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  if (!ptr.startsWith('/')) throw errors.badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${ptr}"`);
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A patch that cannot be applied is 422 Invalid with the patch library's text, as in k8s. */
function fail(msg: string): never {
  throw failure(422, 'Invalid', msg);
}

function getParent(doc: Json, tokens: string[], path: string): { parent: Record<string, unknown> | unknown[]; last: string } {
  if (tokens.length === 0) fail(`doc is missing path: "${path}"`);
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = Number(t);
      if (!/^\d+$/.test(t) || i >= cur.length) fail(`doc is missing path: "${path}": missing value`);
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!Object.hasOwn(cur, t)) fail(`doc is missing path: "${path}": missing value`);
      cur = cur[t];
    } else {
      fail(`doc is missing path: "${path}": missing value`);
    }
  }
  if (!Array.isArray(cur) && !isObject(cur)) fail(`doc is missing path: "${path}": missing value`);
  return { parent: cur, last: tokens[tokens.length - 1] };
}

function getValue(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur) && /^\d+$/.test(t) && Number(t) < cur.length) cur = cur[Number(t)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else fail(`doc is missing path: "${path}": missing value`);
  }
  return cur;
}

/**
 * An upper bound of the document's depth as operations apply, so a patch cannot build a document
 * deeper than MAX_DEPTH (which the code after it would recurse through) without walking the
 * document after every operation.
 */
class DepthBound {
  constructor(private bound: number) {}

  /** `depth` levels placed at `path`. */
  place(path: string, depth: number, bracket: string): void {
    this.bound = Math.max(this.bound, parsePointer(path).length + depth);
    if (this.bound > MAX_DEPTH) fail(maxDepthMessage(bracket));
  }

  /** A subtree moved from `from` to `path`: it is at most as deep as the document below `from`. */
  move(from: string, path: string): void {
    this.place(path, this.bound - parsePointer(from).length, '{');
  }
}

function bracketOf(value: Json): string {
  return Array.isArray(value) ? '[' : '{';
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = getParent(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!/^\d+$/.test(last) && last !== '-') fail(`add operation does not apply: doc is missing path: "${path}"`);
    if (i > parent.length) fail(`add operation does not apply: doc is missing path: "${path}"`);
    parent.splice(i, 0, value);
  } else {
    setOwn(parent, last, value);
  }
  return doc;
}

function remove(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const { parent, last } = getParent(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= parent.length) fail(`remove operation does not apply: doc is missing path: "${path}"`);
    parent.splice(i, 1);
  } else {
    if (!Object.hasOwn(parent, last)) fail(`remove operation does not apply: doc is missing path: "${path}"`);
    delete parent[last];
  }
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function jsonPatch(target: Json, ops: Json, copyLimit = MAX_REQUEST_BODY_BYTES): Json {
  if (!Array.isArray(ops)) throw errors.badRequest('the server rejected our request due to an error in our request: json patch must be an array of operations');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw errors.requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let doc = structuredClone(target);
  const depth = new DepthBound(valueDepth(doc));
  let copied = 0;
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw errors.badRequest('the server rejected our request due to an error in our request: invalid json patch operation');
    }
    const op = raw as unknown as Op;
    switch (op.op) {
      case 'add':
        depth.place(op.path, valueDepth(op.value), bracketOf(op.value));
        doc = add(doc, op.path, structuredClone(op.value));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        getValue(doc, op.path);
        depth.place(op.path, valueDepth(op.value), bracketOf(op.value));
        doc = op.path === '' ? structuredClone(op.value) : add(remove(doc, op.path), op.path, structuredClone(op.value));
        break;
      case 'move': {
        const v = getValue(doc, op.from ?? '');
        depth.move(op.from ?? '', op.path);
        doc = add(remove(doc, op.from ?? ''), op.path, v);
        break;
      }
      case 'copy': {
        // Measured before copying, so a doubling value stops at the limit instead of exhausting memory.
        const text = JSON.stringify(getValue(doc, op.from ?? '')) ?? 'null';
        copied += Buffer.byteLength(text);
        if (copied > copyLimit) {
          fail(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${copyLimit}`);
        }
        depth.place(op.path, jsonTextDepth(text), text[0]);
        doc = add(doc, op.path, JSON.parse(text));
        break;
      }
      case 'test':
        if (!deepEqual(getValue(doc, op.path), op.value)) fail(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw errors.badRequest(`the server rejected our request due to an error in our request: Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
