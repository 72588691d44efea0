// ajv validators for the kinds a group serves, compiled once from its type model, which is built
// from the group's api-schemas/: the shapes checked on requests are exactly the ones strategic
// merge patch, server-side apply and the OpenAPI documents read. The JSON Schema given to ajv says
// what a typed Go decoder accepts: null for every type (it leaves the zero value), declared fields
// only (unless x-kubernetes-preserve-unknown-fields), []byte as base64 the way Go's
// base64.StdEncoding reads it, metav1.Time as RFC 3339. This is the only importer of 'ajv'.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ScalarType, StructType, TypeModel, TypeNode } from './type-model.js';

/** One thing ajv found wrong; `path` is the keys and list indexes from the object's root. */
export type ShapeError =
  | { readonly problem: 'unknown field'; readonly path: readonly string[] }
  | { readonly problem: 'wrong type'; readonly path: readonly string[] }
  | { readonly problem: 'bad format'; readonly format: string; readonly path: readonly string[] };

export interface KindShape {
  readonly type: StructType;
  /** What the value does wrong, in no particular order; empty when it has the kind's shape. */
  check(value: unknown): readonly ShapeError[];
}

/** Where Go's base64.StdEncoding stops reading `s` (-1 when it decodes); CR and LF are skipped. */
export function illegalBase64At(s: string): number {
  let n = 0;
  let pad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13 || c === 10) continue;
    if (c === 61 /* = */) {
      pad++;
      if (n % 4 < 2 || pad > 2) return i;
      continue;
    }
    if (pad > 0 || !isBase64Char(c)) return i;
    n++;
  }
  return (n + pad) % 4 !== 0 ? s.length : -1;
}

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** The RFC 3339 layout metav1.Time decodes ("2006-01-02T15:04:05Z07:00", fractional seconds allowed). */
const RFC3339_LAYOUT = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The formats the schemas use that a Go decoder checks; others (int32, int64) are not checked. */
const FORMATS = {
  byte: (s: string): boolean => illegalBase64At(s) < 0,
  'date-time': RFC3339_LAYOUT,
};

type JSONSchema = boolean | Record<string, unknown>;

const SCHEMA_ID = 'shapes';

/**
 * JSON Schema (draft-07) of a type model, structs inlined: ajv then reports the errors of a whole
 * kind from one function (errors returned from a referenced schema's function are concatenated
 * onto the caller's, which is quadratic for long lists of bad items). Only a struct that contains
 * itself becomes a definition.
 */
class SchemaWriter {
  readonly definitions: Record<string, JSONSchema> = {};
  private readonly writing = new Set<StructType>();
  private readonly recursive = new Set<StructType>();

  schemaOf(t: TypeNode): JSONSchema {
    switch (t.kind) {
      case 'untyped':
        return true;
      case 'scalar':
        return scalar(t);
      case 'list':
        return { type: ['array', 'null'], items: this.schemaOf(t.element) };
      case 'map':
        return { type: ['object', 'null'], additionalProperties: this.schemaOf(t.element) };
      case 'struct':
        return this.struct(t);
    }
  }

  private struct(t: StructType): JSONSchema {
    const ref = { $ref: `${SCHEMA_ID}#/definitions/${t.name}` };
    if (t.name in this.definitions) return ref;
    if (this.writing.has(t)) {
      this.recursive.add(t);
      return ref;
    }
    this.writing.add(t);
    const properties: Record<string, JSONSchema> = {};
    for (const name of t.fieldNames) {
      const field = t.field(name);
      if (field) properties[name] = this.schemaOf(field);
    }
    this.writing.delete(t);
    const schema = t.preserveUnknownFields ? { type: ['object', 'null'], properties } : { type: ['object', 'null'], properties, additionalProperties: false };
    if (!this.recursive.has(t)) return schema;
    this.definitions[t.name] = schema;
    return ref;
  }
}

function scalar(t: ScalarType): JSONSchema {
  if (t.format === 'int-or-string') return { type: ['string', 'number', 'null'] };
  const schema: Record<string, unknown> = { type: [t.type, 'null'] };
  if (t.type === 'string' && t.format && t.format in FORMATS) schema.format = t.format;
  return schema;
}

/** "/spec/tags/0/a~1b" -> ["spec", "tags", "0", "a/b"]. */
function segments(pointer: string): string[] {
  const parts = pointer.split('/');
  parts.shift();
  if (pointer.includes('~')) for (let i = 0; i < parts.length; i++) parts[i] = parts[i].replace(/~1/g, '/').replace(/~0/g, '~');
  return parts;
}

function shapeError(e: ErrorObject): ShapeError {
  const path = segments(e.instancePath);
  if (e.keyword === 'additionalProperties') return { problem: 'unknown field', path: [...path, String((e.params as { additionalProperty: string }).additionalProperty)] };
  if (e.keyword === 'format') return { problem: 'bad format', format: String((e.params as { format: string }).format), path };
  return { problem: 'wrong type', path };
}

const NO_ERRORS: readonly ShapeError[] = Object.freeze([]);

class CompiledShape implements KindShape {
  constructor(
    readonly type: StructType,
    private readonly validate: ValidateFunction,
  ) {}

  check(value: unknown): readonly ShapeError[] {
    if (this.validate(value)) return NO_ERRORS;
    return (this.validate.errors ?? []).map(shapeError);
  }
}

/** The validators of a group's kinds, compiled once when the group is installed. */
export class ShapeValidators {
  private readonly shapes = new Map<string, KindShape>();

  constructor(model: TypeModel, kinds: readonly string[]) {
    const writer = new SchemaWriter();
    const typed = new Map<StructType, { kinds: string[]; schema: JSONSchema }>();
    for (const kind of kinds) {
      const type = model.forKind(kind);
      if (!type) continue;
      const entry = typed.get(type) ?? { kinds: [], schema: writer.schemaOf(type) };
      entry.kinds.push(kind);
      typed.set(type, entry);
    }
    // allErrors: every unknown field is reported, and the caller picks the first wrong value in
    // document order. ownProperties: "__proto__", "constructor", "prototype" are ordinary keys.
    const ajv = new Ajv({ allErrors: true, ownProperties: true, messages: false, allowUnionTypes: true, formats: FORMATS });
    ajv.addSchema({ $id: SCHEMA_ID, definitions: writer.definitions });
    for (const [type, { kinds: named, schema }] of typed) {
      const shape = new CompiledShape(type, ajv.compile(schema));
      for (const kind of named) this.shapes.set(kind, shape);
    }
  }

  /** The validator of a kind, or undefined when the group ships no schema for it. */
  forKind(kind: string): KindShape | undefined {
    return this.shapes.get(kind);
  }
}
