// What a typed Go decoder does with a request body, from the schema type model: fields the kind
// does not declare are dropped (and reported for fieldValidation), JSON of the wrong type stops
// decoding with encoding/json's message. Also the Warning headers and strict-decoding texts of
// fieldValidation=Warn|Strict.

import type { ServerResponse } from 'node:http';
import { isObject } from '../api/types.js';
import type { StructType, TypeNode } from '../openapi/type-model.js';
import type { FieldOccurrences } from './duplicate-fields.js';

export interface FieldCheck {
  /** The value with unknown fields dropped. */
  value: unknown;
  /** Field paths the kind does not declare, as strict decoding names them (spec.tags[0].foo). */
  unknown: string[];
  /** encoding/json's error for the first value of the wrong JSON type. */
  typeError?: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

interface Walk {
  unknown: string[];
  typeError?: string;
}

interface Where {
  /** Strict-decoding path, with list indexes. */
  path: string;
  /** encoding/json's path: field names only. */
  goPath: string;
  /** The innermost Go struct around the value. */
  struct: string;
}

function mismatch(w: Walk, where: Where, what: string, t: TypeNode): void {
  if (w.typeError) return;
  const field = where.goPath ? `Go struct field ${where.struct}.${where.goPath}` : `Go value`;
  w.typeError = `json: cannot unmarshal ${what} into ${field} of type ${t.goType}`;
}

/** Where Go's base64.StdEncoding stops reading `s` (-1 when it decodes); CR and LF are skipped. */
function illegalBase64At(s: string): number {
  let n = 0;
  let pad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\r' || c === '\n') continue;
    if (c === '=') {
      pad++;
      if (n % 4 < 2 || pad > 2) return i;
      continue;
    }
    if (pad > 0 || !/[A-Za-z0-9+/]/.test(c)) return i;
    n++;
  }
  if ((n + pad) % 4 !== 0) return s.length;
  if (pad > 0 && (n + pad) % 4 !== 0) return s.length;
  return -1;
}

function scalarOK(v: unknown, t: TypeNode & { kind: 'scalar' }, w: Walk, where: Where): void {
  if (v === null) return;
  if (t.format === 'int-or-string') {
    if (typeof v !== 'string' && typeof v !== 'number') mismatch(w, where, jsonKind(v), t);
    return;
  }
  switch (t.type) {
    case 'boolean':
      if (typeof v !== 'boolean') mismatch(w, where, jsonKind(v), t);
      return;
    case 'integer':
      if (typeof v !== 'number') mismatch(w, where, jsonKind(v), t);
      else if (!Number.isInteger(v)) mismatch(w, where, `number ${v}`, t);
      return;
    case 'number':
      if (typeof v !== 'number') mismatch(w, where, jsonKind(v), t);
      return;
    default:
      if (typeof v !== 'string') mismatch(w, where, jsonKind(v), t);
      else if (t.format === 'date-time' && !RFC3339.test(v) && !w.typeError) {
        w.typeError = `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`;
      } else if (t.format === 'byte' && !w.typeError) {
        const bad = illegalBase64At(v);
        if (bad >= 0) w.typeError = `illegal base64 data at input byte ${bad}`;
      }
  }
}

function walk(v: unknown, t: TypeNode, w: Walk, where: Where): unknown {
  if (v === null || v === undefined) return v;
  switch (t.kind) {
    case 'untyped':
      return v;
    case 'scalar':
      scalarOK(v, t, w, where);
      return v;
    case 'list': {
      if (!Array.isArray(v)) {
        mismatch(w, where, jsonKind(v), t);
        return v;
      }
      return v.map((item, i) => walk(item, t.element, w, { ...where, path: `${where.path}[${i}]` }));
    }
    case 'map': {
      if (!isObject(v)) {
        mismatch(w, where, jsonKind(v), t);
        return v;
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, t.element, w, { ...where, path: where.path ? `${where.path}.${k}` : k });
      return out;
    }
    case 'struct':
      return walkStruct(v, t, w, where);
  }
}

function walkStruct(v: unknown, t: StructType, w: Walk, where: Where): unknown {
  if (!isObject(v)) {
    mismatch(w, where, jsonKind(v), t);
    return v;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const path = where.path ? `${where.path}.${k}` : k;
    const ft = t.field(k);
    if (!ft) {
      if (t.preserveUnknownFields) out[k] = x;
      else w.unknown.push(path);
      continue;
    }
    out[k] = walk(x, ft, w, { path, goPath: where.goPath ? `${where.goPath}.${k}` : k, struct: t.shortName });
  }
  return out;
}

/** Checks a decoded object against its kind's type; without a type everything passes. */
export function checkFields(obj: unknown, type: TypeNode | undefined): FieldCheck {
  if (!type) return { value: obj, unknown: [] };
  const w: Walk = { unknown: [] };
  const value = walk(obj, type, w, { path: '', goPath: '', struct: type.kind === 'struct' ? type.shortName : '' });
  return w.typeError ? { value, unknown: w.unknown, typeError: w.typeError } : { value, unknown: w.unknown };
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

/** `Warning: 299 - "<text>"`, one header per warning (RFC 7234 warn-text quoting). */
export function addWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const existing = res.getHeader('Warning');
  const prior = Array.isArray(existing) ? existing : existing !== undefined ? [String(existing)] : [];
  const added = warnings.map((w) => `299 - "${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  res.setHeader('Warning', [...prior, ...added.filter((a) => !prior.includes(a))]);
}
