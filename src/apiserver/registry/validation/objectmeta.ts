// ObjectMeta validation as k8s.io/apimachinery (and kube's core wrapper) performs it on create and
// update: names, namespace, generation, labels, annotations, owner references, finalizers and
// managed fields. Resource independent; a resource passes its own name rule.

import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from '../../api/types.js';
import { isObject } from '../../api/types.js';
import { FieldPath, fieldErrors, type FieldErrorList } from '../../errors/field.js';
import {
  isQualifiedName,
  isValidLabelValue,
  validateNamespaceName,
  validatePathSegmentName,
  type NameValidator,
} from './names.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;
const FIELD_MANAGER_MAX_LENGTH = 128;
const MAX_SUBRESOURCE_NAME_LENGTH = 256;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const FIELD_IMMUTABLE_MESSAGE = 'field is immutable';
export const IS_NEGATIVE_MESSAGE = 'must be greater than or equal to 0';

export interface ObjectMetaValidationOptions {
  /** Namespaced resources need a namespace (a DNS label); cluster-scoped ones must not have one. */
  namespaced: boolean;
  /** Name rule; path-segment rules by default. */
  nameFn?: NameValidator;
  /**
   * kube's core validation also rejects unqualified finalizer names other than the standard ones
   * (kubernetes, orphan, foregroundDeletion); API servers built on it (openshift-apiserver) do too.
   */
  qualifiedFinalizers?: boolean;
}

type Path = FieldPath | string;
const asPath = (p: Path): FieldPath => (typeof p === 'string' ? FieldPath.root(p) : p);

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

export function validateLabels(labels: ObjectMeta['labels'], path: Path): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!isObject(labels)) return errs;
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(fieldErrors.invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: ObjectMeta['annotations'], path: Path): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!isObject(annotations)) return errs;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, msg));
    total += utf8(k) + utf8(String(v ?? ''));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errs.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return errs;
}

/** apiVersion "group/version" or "version" -> [group, version]; malformed -> no version. */
function splitAPIVersion(apiVersion: string): [string, string] {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return ['', apiVersion];
  if (parts.length === 2) return [parts[0] ?? '', parts[1] ?? ''];
  return ['', ''];
}

export function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], path: Path): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!Array.isArray(refs)) return errs;
  const p = asPath(path);
  let firstController = '';
  for (const raw of refs) {
    const ref: Partial<OwnerReference> = isObject(raw) ? raw : {};
    const [group, version] = splitAPIVersion(ref.apiVersion ?? '');
    const kind = ref.kind ?? '';
    if (!version) errs.push(fieldErrors.invalid(p.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!kind) errs.push(fieldErrors.invalid(p.child('kind'), kind, 'must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(p.child('name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(p.child('uid'), ref.uid ?? '', 'must not be empty'));
    if (group === '' && version === 'v1' && kind === 'Event') {
      errs.push(fieldErrors.invalid(p, ref, `${group}/${version}, Kind=${kind} is disallowed from being an owner`));
    }
    if (ref.controller === true) {
      const current = `${kind}/${ref.name ?? ''}`;
      if (firstController) {
        errs.push(
          fieldErrors.invalid(
            p,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: ObjectMeta['finalizers'], path: Path): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!Array.isArray(finalizers)) return errs;
  const p = asPath(path);
  for (const f of finalizers) for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(p, f, msg));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(p, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** kube core's extra rule: an unqualified finalizer must be one of the standard ones. */
export function validateKubeFinalizerNames(finalizers: ObjectMeta['finalizers'], path: Path): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!Array.isArray(finalizers)) return errs;
  finalizers.forEach((f, i) => {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(fieldErrors.invalid(asPath(path).index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function validateManagedFields(entries: ObjectMeta['managedFields'], path: Path): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!Array.isArray(entries)) return errs;
  entries.forEach((raw, i) => {
    const e: ManagedFieldsEntry = isObject(raw) ? raw : {};
    const p = asPath(path).index(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      errs.push(fieldErrors.invalid(p.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(fieldErrors.invalid(p.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    const manager = e.manager ?? '';
    if (utf8(manager) > FIELD_MANAGER_MAX_LENGTH) errs.push(fieldErrors.tooLong(p.child('manager'), FIELD_MANAGER_MAX_LENGTH));
    let pos = 0;
    for (const ch of manager) {
      if (!PRINTABLE.test(ch)) {
        const code = ch.codePointAt(0) ?? 0;
        const hex = code.toString(16).toUpperCase().padStart(4, '0');
        errs.push(fieldErrors.invalid(p.child('manager'), manager, `invalid character U+${hex} (at position ${pos})`));
      }
      pos += utf8(ch);
    }
    if (utf8(e.subresource ?? '') > MAX_SUBRESOURCE_NAME_LENGTH) errs.push(fieldErrors.tooLong(p.child('subresource'), MAX_SUBRESOURCE_NAME_LENGTH));
  });
  return errs;
}

/** Go's semantic equality for the scalar meta fields: unset equals the zero value. */
function sameScalar(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (v === undefined || v === null ? '' : v);
  return norm(a) === norm(b);
}

export function validateImmutableField(newVal: unknown, oldVal: unknown, path: Path): FieldErrorList {
  return sameScalar(newVal, oldVal) ? [] : [fieldErrors.invalid(path, newVal ?? '', FIELD_IMMUTABLE_MESSAGE)];
}

/** ValidateObjectMeta: what every created object's metadata must satisfy. */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  opts: ObjectMetaValidationOptions,
  path: Path = FieldPath.root('metadata'),
): FieldErrorList {
  const m: ObjectMeta = isObject(meta) ? meta : {};
  const p = asPath(path);
  const nameFn = opts.nameFn ?? validatePathSegmentName;
  const errs: FieldErrorList = [];
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(fieldErrors.invalid(p.child('generateName'), m.generateName, msg));
  if (!m.name) errs.push(fieldErrors.required(p.child('name'), 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(fieldErrors.invalid(p.child('name'), m.name, msg));
  if (opts.namespaced) {
    if (!m.namespace) errs.push(fieldErrors.required(p.child('namespace')));
    else for (const msg of validateNamespaceName(m.namespace, false)) errs.push(fieldErrors.invalid(p.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErrors.forbidden(p.child('namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(fieldErrors.invalid(p.child('generation'), m.generation, IS_NEGATIVE_MESSAGE));
  errs.push(...validateLabels(m.labels, p.child('labels')));
  errs.push(...validateAnnotations(m.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, p.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, p.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, p.child('managedFields')));
  if (opts.qualifiedFinalizers) errs.push(...validateKubeFinalizerNames(m.finalizers, p.child('finalizers')));
  return errs;
}

/** ValidateObjectMetaUpdate: immutable identity fields and the rules that still apply on update. */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined,
  oldMeta: ObjectMeta | undefined,
  path: Path = FieldPath.root('metadata'),
  opts: { qualifiedFinalizers?: boolean } = {},
): FieldErrorList {
  const n: ObjectMeta = isObject(newMeta) ? newMeta : {};
  const o: ObjectMeta = isObject(oldMeta) ? oldMeta : {};
  const p = asPath(path);
  const errs: FieldErrorList = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const added = [...new Set((n.finalizers ?? []).filter((f) => !before.has(f)))].sort();
    if (added.length) {
      errs.push(
        fieldErrors.forbidden(
          p.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  if (!n.resourceVersion) errs.push(fieldErrors.invalid(p.child('resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(fieldErrors.invalid(p.child('generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(n.name, o.name, p.child('name')));
  errs.push(...validateImmutableField(n.namespace, o.namespace, p.child('namespace')));
  errs.push(...validateImmutableField(n.uid, o.uid, p.child('uid')));
  errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, p.child('creationTimestamp')));
  errs.push(...validateImmutableField(n.deletionTimestamp, o.deletionTimestamp, p.child('deletionTimestamp')));
  errs.push(...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, p.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n.labels, p.child('labels')));
  errs.push(...validateAnnotations(n.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, p.child('ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, p.child('managedFields')));
  if (opts.qualifiedFinalizers) errs.push(...validateKubeFinalizerNames(n.finalizers, p.child('finalizers')));
  return errs;
}
