// Decoding write bodies the way a typed k8s.io/apiserver handler does: kind and apiVersion
// checked, JSON types checked by the kind's ajv validator (400 "cannot be handled as"), unknown and
// duplicate fields dropped and reported per fieldValidation (Strict: 400 strict decoding error;
// Warn: Warning headers; Ignore: silently). Patches report the same problems on the patched
// object as 422 on field "patch", as kube-apiserver does.

import type { KubeObject, StatusCause } from '../api/types.js';
import { isObject } from '../api/types.js';
import { errors, StatusError } from '../errors/index.js';
import { renderValue } from '../errors/field.js';
import type { KindShape } from '../openapi/shape-validators.js';
import { decodeObject, parseDocument, type BodyFormat, type ExpectedType } from './body.js';
import { lineOf, scanJSON, scanYAML, type FieldOccurrences } from './duplicate-fields.js';
import { checkFields, strictErrors } from './field-validation.js';
import type { FieldValidation } from './options.js';

export interface Decoded {
  object: KubeObject;
  warnings: string[];
}

/** "ImageStream in version "v1" cannot be handled as a ImageStream: <why>" (400). */
export function cannotHandle(expected: ExpectedType, why: string): StatusError {
  return errors.badRequest(`${expected.kind} in version "${expected.version}" cannot be handled as a ${expected.kind}: ${why}`);
}

/** Repeated keys of a document, found only when they will be reported. */
export function occurrencesOf(raw: Buffer, format: BodyFormat, fv: FieldValidation): FieldOccurrences | undefined {
  if (fv === 'Ignore') return undefined;
  const text = raw.toString('utf8');
  try {
    return format === 'yaml' ? scanYAML(text) : scanJSON(text);
  } catch {
    return undefined;
  }
}

/** A create or update body. */
export function decodeBody(raw: Buffer, format: BodyFormat, expected: ExpectedType, shape: KindShape | undefined, fv: FieldValidation): Decoded {
  const doc = parseDocument(raw, format);
  const obj = decodeObject(doc, expected);
  const check = checkFields(obj, shape);
  if (check.typeError) throw cannotHandle(expected, check.typeError);
  const problems = strictErrors(check.unknown, occurrencesOf(raw, format, fv));
  if (problems.length && fv === 'Strict') throw cannotHandle(expected, `strict decoding error: ${problems.join(', ')}`);
  const object = check.value as KubeObject;
  if (!isObject(object.metadata)) object.metadata = {};
  return { object, warnings: fv === 'Warn' ? problems : [] };
}

/** 422 on an unnamed object, field "patch" (k8s.io/apiserver's patch errors). */
export function invalidPatch(value: string, detail: string): StatusError {
  const body = `Invalid value: ${renderValue(value)}: ${detail}`;
  const cause: StatusCause = { reason: 'FieldValueInvalid', message: body, field: 'patch' };
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: ` "" is invalid: patch: ${body}`,
    reason: 'Invalid',
    details: { causes: [cause] },
    code: 422,
  });
}

/**
 * The object a patch produced, decoded like a body. `shown` is how the failing patch is printed
 * in errors (the patched JSON, or the patch map for strategic merge patches).
 */
export function decodePatched(
  patched: unknown,
  expected: ExpectedType,
  shape: KindShape | undefined,
  fv: FieldValidation,
  patchProblems: readonly string[],
  shown: () => string,
): Decoded {
  let obj: KubeObject;
  try {
    obj = decodeObject(patched, expected);
  } catch (err) {
    if (err instanceof StatusError) throw invalidPatch(shown(), err.status.message ?? '');
    throw err;
  }
  const check = checkFields(obj, shape);
  if (check.typeError) throw invalidPatch(shown(), check.typeError);
  const problems = [...patchProblems, ...check.unknown.map((p) => `unknown field ${JSON.stringify(p)}`)];
  if (problems.length && fv === 'Strict') throw invalidPatch(shown(), `strict decoding error: ${problems.join(', ')}`);
  const object = check.value as KubeObject;
  if (!isObject(object.metadata)) object.metadata = {};
  return { object, warnings: fv === 'Warn' ? problems : [] };
}

/** Duplicate keys of a YAML apply body as the YAML strict decoder words them. */
export function yamlDuplicateError(raw: Buffer, occurrences: FieldOccurrences): string | undefined {
  if (!occurrences.duplicates.length) return undefined;
  const text = raw.toString('utf8');
  const lines = occurrences.duplicates.map((d) => `  line ${lineOf(text, d.pos)}: key ${JSON.stringify(d.path.split('.').pop())} already set in map`);
  return `error converting YAML to JSON: yaml: unmarshal errors:\n${lines.join('\n')}`;
}
