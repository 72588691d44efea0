// Reading untyped JSON the way Go's encoding/json fills a struct: keys match exactly or, failing
// that, case-insensitively; null leaves the zero value; a wrong JSON type is an error (strict) or
// is ignored (lenient, for data we only want to salvage).

import { setOwn } from '../../apiserver/api/own-keys.js';
import { isObject } from '../../apiserver/api/types.js';

export class GoJSONError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoJSONError';
  }
}

export function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new GoJSONError(err instanceof Error ? err.message : String(err));
  }
}

/** A view of one JSON object with Go's field matching and typed getters. */
export class GoObject {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly strict: boolean,
    private readonly where: string = '',
  ) {}

  static from(v: unknown, strict: boolean, where = ''): GoObject | null {
    if (v === null || v === undefined) return null;
    if (!isObject(v)) {
      if (strict) throw new GoJSONError(`json: cannot unmarshal ${jsonKind(v)} into Go value${where ? ` ${where}` : ''} of type object`);
      return null;
    }
    return new GoObject(v, strict, where);
  }

  /** The raw value for a Go field name (exact key first, then case-insensitive). */
  get(name: string): unknown {
    if (Object.hasOwn(this.raw, name)) return this.raw[name];
    const lower = name.toLowerCase();
    for (const k of Object.keys(this.raw)) if (k.toLowerCase() === lower) return this.raw[k];
    return undefined;
  }

  private mismatch(name: string, v: unknown, goType: string): undefined {
    if (this.strict) {
      throw new GoJSONError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${this.where}.${name} of type ${goType}`);
    }
    return undefined;
  }

  string(name: string): string {
    const v = this.get(name);
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    return this.mismatch(name, v, 'string') ?? '';
  }

  int(name: string): number {
    const v = this.get(name);
    if (v === null || v === undefined) return 0;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return this.mismatch(name, v, 'int64') ?? 0;
  }

  bool(name: string): boolean {
    const v = this.get(name);
    if (v === null || v === undefined) return false;
    if (typeof v === 'boolean') return v;
    return this.mismatch(name, v, 'bool') ?? false;
  }

  object(name: string): GoObject | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (isObject(v)) return new GoObject(v, this.strict, `${this.where}.${name}`);
    return this.mismatch(name, v, 'struct') ?? null;
  }

  array(name: string): unknown[] | null {
    const v = this.get(name);
    if (v === null || v === undefined) return null;
    if (Array.isArray(v)) return v;
    return this.mismatch(name, v, 'slice') ?? null;
  }

  objects(name: string): GoObject[] | null {
    const items = this.array(name);
    if (!items) return null;
    const out: GoObject[] = [];
    for (const item of items) {
      const o = GoObject.from(item, this.strict, `${this.where}.${name}`);
      out.push(o ?? new GoObject({}, this.strict, `${this.where}.${name}`));
    }
    return out;
  }

  strings(name: string): string[] | null {
    const items = this.array(name);
    if (!items) return null;
    const out: string[] = [];
    for (const item of items) {
      if (item === null) out.push('');
      else if (typeof item === 'string') out.push(item);
      else this.mismatch(name, item, 'string');
    }
    return out;
  }

  stringMap(name: string): Record<string, string> | null {
    const o = this.object(name);
    if (!o) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.raw)) {
      if (v === null) setOwn(out, k, '');
      else if (typeof v === 'string') setOwn(out, k, v);
      else this.mismatch(name, v, 'string');
    }
    return out;
  }

  /** map[string]struct{}: only the keys matter. */
  keySet(name: string): Record<string, Record<string, never>> | null {
    const o = this.object(name);
    if (!o) return null;
    const out: Record<string, Record<string, never>> = {};
    for (const [k, v] of Object.entries(o.raw)) {
      if (v === null || isObject(v)) setOwn(out, k, {});
      else this.mismatch(name, v, 'struct {}');
    }
    return out;
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
