// Shape checks of request bodies against the group's OpenAPI definitions (api-schemas/), the way
// Go's JSON decoder would reject them: wrong JSON types and malformed formatted strings. `null` is
// accepted everywhere (Go decodes it as the zero value) and the `required` lists are ignored: they
// describe Go serialisation, not what a client must send. Semantics live in validation/.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { FieldError, FieldPath, type FieldErrorList } from '../../apiserver/errors/field.js';
import document from '../../../api-schemas/image.openshift.io-v1.json' with { type: 'json' };
import { isRFC3339, isStdBase64 } from './formats.js';

/** One OpenAPI v2 schema node, as far as this module reads it. */
export interface SchemaNode {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  $ref?: string;
  required?: string[];
  [extension: string]: unknown;
}

export interface OpenAPIDocument {
  swagger: string;
  info: { title: string; version: string };
  definitions: Record<string, SchemaNode>;
}

/** The verbatim OpenAPI definitions of image.openshift.io/v1 and the meta/core types they use. */
export const imageApiDocument: OpenAPIDocument = document as OpenAPIDocument;

export const IMAGE_V1_DEFINITION_PREFIX = 'com.github.openshift.api.image.v1.';

/** "ImageStream" -> "com.github.openshift.api.image.v1.ImageStream". */
export function imageDefinitionName(kind: string): string {
  return IMAGE_V1_DEFINITION_PREFIX + kind;
}

const SCHEMA_ID = 'image.openshift.io-v1';
const REF_PREFIX = '#/definitions/';

const INT64_MAX = 2 ** 63;
const INT32_MAX = 2 ** 31;

const FORMATS = {
  int64: { type: 'number' as const, validate: (x: number) => Number.isInteger(x) && Math.abs(x) <= INT64_MAX },
  int32: { type: 'number' as const, validate: (x: number) => Number.isInteger(x) && x >= -INT32_MAX && x < INT32_MAX },
  byte: { type: 'string' as const, validate: isStdBase64 },
  'date-time': { type: 'string' as const, validate: isRFC3339 },
};

/** A copy of a schema node with only what shapes need, every type widened to accept null. */
function shapeOf(node: SchemaNode): Record<string, unknown> {
  if (node.$ref) return { $ref: node.$ref };
  const out: Record<string, unknown> = {};
  if (node.type) out.type = [node.type, 'null'];
  if (node.format && node.format in FORMATS) out.format = node.format;
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, shapeOf(v)]));
  }
  if (node.items) out.items = shapeOf(node.items);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = shapeOf(node.additionalProperties);
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, formats: FORMATS });
ajv.addSchema({
  $id: SCHEMA_ID,
  definitions: Object.fromEntries(Object.entries(imageApiDocument.definitions).map(([k, v]) => [k, shapeOf(v)])),
});

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let n = node;
  for (let hops = 0; n?.$ref && hops < 32; hops++) n = imageApiDocument.definitions[n.$ref.slice(REF_PREFIX.length)];
  return n;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Turns ajv's JSON pointer into a Kubernetes field path by walking the schema beside it. */
function fieldPathOf(root: SchemaNode, pointer: string): { path: string; node: SchemaNode | undefined } {
  let path = FieldPath.root();
  let node: SchemaNode | undefined = resolve(root);
  if (!pointer) return { path: '', node };
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node?.type === 'array') {
      path = path.index(Number(seg));
      node = resolve(node.items);
    } else if (node?.properties?.[seg]) {
      path = path.child(seg);
      node = resolve(node.properties[seg]);
    } else if (node && typeof node.additionalProperties === 'object') {
      path = path.key(seg);
      node = resolve(node.additionalProperties);
    } else {
      path = path.child(seg);
      node = undefined;
    }
  }
  return { path: path.toString(), node };
}

function valueAt(body: unknown, pointer: string): unknown {
  let v = body;
  if (!pointer) return v;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  }
  return v;
}

function toFieldError(root: SchemaNode, body: unknown, e: ErrorObject): FieldError {
  const { path, node } = fieldPathOf(root, e.instancePath);
  const value = valueAt(body, e.instancePath);
  const where = path ? `${path} in body` : 'body';
  if (e.keyword === 'type') {
    const expected = node?.type ?? String((e.params as { type?: unknown }).type ?? '').replace(/,null$/, '');
    const actual = jsonType(value);
    return new FieldError('FieldValueTypeInvalid', path, actual, `${where} must be of type ${expected}: ${JSON.stringify(actual)}`);
  }
  if (e.keyword === 'format') {
    const format = String((e.params as { format?: unknown }).format ?? '');
    return new FieldError('FieldValueInvalid', path, value, `${where} must be of type ${format}: ${JSON.stringify(String(value))}`);
  }
  return new FieldError('FieldValueInvalid', path, value, e.message ?? 'invalid value');
}

/** Checks the JSON types of a body; returns field errors (empty when the shape is fine). */
export type ShapeValidator = (body: unknown) => FieldErrorList;

function compileShapeValidator(definition: string): ShapeValidator {
  const root = imageApiDocument.definitions[definition];
  if (!root) throw new Error(`unknown definition ${definition}`);
  const check: ValidateFunction = ajv.compile({ $ref: `${SCHEMA_ID}${REF_PREFIX}${definition}` });
  return (body) => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      const actual = jsonType(body);
      return [new FieldError('FieldValueTypeInvalid', '', actual, `body must be of type object: ${JSON.stringify(actual)}`)];
    }
    if (check(body)) return [];
    const errs = check.errors ?? [];
    // A wrong type makes a format complaint about the same value redundant.
    const mistyped = new Set(errs.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
    return errs.filter((e) => e.keyword !== 'format' || !mistyped.has(e.instancePath)).map((e) => toFieldError(root, body, e));
  };
}

const compiled = new Map<string, ShapeValidator>();

/** The shape validator of a definition (full name or image.openshift.io/v1 kind), compiled once. */
export function shapeValidator(kindOrDefinition: string): ShapeValidator {
  const definition = kindOrDefinition.includes('.') ? kindOrDefinition : imageDefinitionName(kindOrDefinition);
  let v = compiled.get(definition);
  if (!v) {
    v = compileShapeValidator(definition);
    compiled.set(definition, v);
  }
  return v;
}

export const validateImageStreamShape: ShapeValidator = shapeValidator('ImageStream');
export const validateImageShape: ShapeValidator = shapeValidator('Image');
