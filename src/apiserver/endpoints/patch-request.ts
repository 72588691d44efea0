// A PATCH request as an update transform: the patch is parsed once, then applied to whatever the
// current object is each time the store's compare-and-swap loop retries, decoded like a body, and
// given to the field manager (server-side apply merges and checks ownership instead).

import type { KubeObject } from '../api/types.js';
import { isObject } from '../api/types.js';
import { errors, StatusError } from '../errors/index.js';
import type { KindShape } from '../openapi/shape-validators.js';
import type { TypeNode } from '../openapi/type-model.js';
import type { UpdateTransform } from '../registry/rest.js';
import { parseDocument, parseYamlValue, type ExpectedType } from './body.js';
import { decodePatched, occurrencesOf, yamlDuplicateError } from './decode.js';
import { typedPatchError, type FieldManager } from './fieldmanager/field-manager.js';
import { checkFields } from './field-validation.js';
import type { FieldValidation } from './options.js';
import { jsonPatch, mergePatch } from './patch.js';
import { APPLY_PATCH_YAML, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './patch-types.js';
import { goValue, strategicMergePatch } from './strategic-merge-patch.js';

export interface PatchRequest {
  mediaType: string;
  body: Buffer;
  name: string;
  expected: ExpectedType;
  type: TypeNode | undefined;
  shape: KindShape | undefined;
  fieldValidation: FieldValidation;
  fieldManager: FieldManager;
  manager: string;
  force: boolean;
  notFound: () => StatusError;
  warn: (warnings: string[]) => void;
}

/** "(<namespace>/<name>; <group>/<version>, Kind=<Kind>)" as apply errors name an object. */
function describe(req: PatchRequest, namespace: string): string {
  const gv = req.expected.group ? `${req.expected.group}/${req.expected.version}` : req.expected.version;
  return `${namespace}/${req.name}; ${gv}, Kind=${req.expected.kind}`;
}

export function patchTransform(req: PatchRequest, namespace: string): UpdateTransform {
  return req.mediaType === APPLY_PATCH_YAML ? applyTransform(req, namespace) : mergingTransform(req);
}

function mergingTransform(req: PatchRequest): UpdateTransform {
  const patch = parseDocument(req.body, 'json');
  const dupes = occurrencesOf(req.body, 'json', req.fieldValidation)?.duplicates ?? [];
  const prefix = req.mediaType === JSON_PATCH ? 'json patch ' : '';
  const patchProblems = dupes.map((d) => `${prefix}duplicate field ${JSON.stringify(d.path)}`);
  if (req.mediaType === STRATEGIC_MERGE_PATCH && !isObject(patch)) {
    throw errors.badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  }
  return (current) => {
    if (!current) throw req.notFound();
    let patched: unknown;
    let shown: () => string;
    if (req.mediaType === JSON_PATCH) {
      patched = jsonPatch(current, patch);
      shown = () => JSON.stringify(patched);
    } else if (req.mediaType === MERGE_PATCH) {
      // A merge patch keeps untouched parts of its target; the new object must not share them.
      patched = mergePatch(structuredClone(current), patch);
      shown = () => JSON.stringify(patched);
    } else {
      patched = strategicMergePatch(current, patch, req.type);
      shown = () => goValue(patch);
    }
    const decoded = decodePatched(patched, req.expected, req.shape, req.fieldValidation, patchProblems, shown);
    req.warn(decoded.warnings);
    return req.fieldManager.update(current, decoded.object, req.manager);
  };
}

function applyTransform(req: PatchRequest, namespace: string): UpdateTransform {
  let config: unknown;
  try {
    config = parseYamlValue(req.body.toString('utf8'));
  } catch (err) {
    throw errors.badRequest(`error decoding YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isObject(config)) throw errors.badRequest('error decoding YAML: the applied configuration is not an object');
  const gv = req.expected.group ? `${req.expected.group}/${req.expected.version}` : req.expected.version;
  if (config.apiVersion !== gv) {
    throw errors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(config.apiVersion ?? '')}, expected: ${gv}`);
  }
  if (config.kind !== undefined && config.kind !== req.expected.kind) {
    throw errors.badRequest(`Incorrect kind specified in apply patch. Specified patch kind: ${String(config.kind)}, expected: ${req.expected.kind}`);
  }
  if (isObject(config.metadata) && config.metadata.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  const applied = { ...config, kind: req.expected.kind, metadata: isObject(config.metadata) ? config.metadata : {} } as KubeObject;
  const where = describe(req, namespace);
  const check = checkFields(applied, req.shape);
  if (check.typeError) throw typedPatchError(where, check.typeError);
  if (check.unknown.length) {
    const lines = check.unknown.map((p) => `.${p}: field not declared in schema`);
    throw typedPatchError(where, lines.length === 1 ? lines[0] : `errors:\n  ${lines.join('\n  ')}`);
  }
  const occurrences = occurrencesOf(req.body, 'yaml', req.fieldValidation);
  const duplicate = occurrences ? yamlDuplicateError(req.body, occurrences) : undefined;
  if (duplicate && req.fieldValidation === 'Strict') throw errors.badRequest(`error strict decoding YAML: ${duplicate}`);
  if (duplicate && req.fieldValidation === 'Warn') req.warn([duplicate]);
  return (current) => req.fieldManager.apply(current, applied, req.manager, req.force);
}
