import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import type { ObjectMeta } from '../../../src/apiserver/api/types.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  nameIsDNSLabel,
  validatePathSegmentName,
} from '../../../src/apiserver/registry/validation/names.js';
import {
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../../src/apiserver/registry/validation/objectmeta.js';

const render = (errs: { toString(): string }[]): string[] => errs.map(String);

const QUALIFIED_REGEX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS_LABEL_REGEX =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('name format checks', () => {
  test('path segment names: not . or .., no / or %', () => {
    assert.deepEqual(isValidPathSegmentName('ok:name@x'), []);
    assert.deepEqual(isValidPathSegmentName('.'), ["may not be '.'"]);
    assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
    assert.deepEqual(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(validatePathSegmentName('..', true), [], 'a prefix may be ..');
  });

  test('DNS-1123 labels and subdomains', () => {
    assert.deepEqual(isDNS1123Label('team-a'), []);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('Team'), [DNS_LABEL_REGEX]);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
    assert.deepEqual(isDNS1123Subdomain('example.com'), []);
    assert.equal(isDNS1123Subdomain('-x').length, 1);
    assert.deepEqual(nameIsDNSLabel('abc-', true), [], 'generateName prefix ending in - is masked');
  });

  test('qualified names (label and annotation keys)', () => {
    assert.deepEqual(isQualifiedName('app'), []);
    assert.deepEqual(isQualifiedName('example.com/app'), []);
    assert.deepEqual(isQualifiedName('/app'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('a/b/c').length, 1);
    assert.deepEqual(isQualifiedName('-app'), [QUALIFIED_REGEX]);
    assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
    assert.deepEqual(isQualifiedName('Example.com/app'), [
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  test('label values may be empty', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('v1.2_x-y'), []);
    assert.equal(isValidLabelValue('bad value').length, 1);
    assert.deepEqual(isValidLabelValue('x'.repeat(64))[0], 'must be no more than 63 characters');
  });
});

describe('ObjectMeta on create', () => {
  test('a name is required unless generateName is set', () => {
    assert.deepEqual(render(validateObjectMeta({}, { namespaced: false })), ['metadata.name: Required value: name or generateName is required']);
  });

  test('namespaced objects need a DNS-label namespace; cluster-scoped ones must not have one', () => {
    assert.deepEqual(render(validateObjectMeta({ name: 'a' }, { namespaced: true })), ['metadata.namespace: Required value']);
    assert.deepEqual(render(validateObjectMeta({ name: 'a', namespace: 'Bad' }, { namespaced: true })), [
      `metadata.namespace: Invalid value: "Bad": ${DNS_LABEL_REGEX}`,
    ]);
    assert.deepEqual(render(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false })), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  test('labels, annotations, generation, owner references, finalizers and managed fields', () => {
    const meta: ObjectMeta = {
      name: 'a',
      generation: -1,
      labels: { 'bad key': 'v', ok: 'bad value' },
      annotations: { '-x': 'v' },
      ownerReferences: [
        { apiVersion: '', kind: '', name: '', uid: '' },
        { apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' },
      ],
      finalizers: ['orphan', 'foregroundDeletion', 'custom'],
      managedFields: [{ operation: 'Patch' as 'Apply', fieldsType: 'FieldsV2', manager: 'm\u0001' }],
    };
    const errs = render(validateObjectMeta(meta, { namespaced: false, qualifiedFinalizers: true }));
    assert.deepEqual(errs, [
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
      `metadata.labels: Invalid value: "bad key": ${QUALIFIED_REGEX}`,
      "metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      `metadata.annotations: Invalid value: "-x": ${QUALIFIED_REGEX}`,
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner',
      'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion","custom"]: finalizer orphan and foregroundDeletion cannot be both set',
      'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
      'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
      'metadata.managedFields[0].manager: Invalid value: "m\\u0001": invalid character U+0001 (at position 1)',
      'metadata.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  test('only one controller owner', () => {
    const refs = [
      { apiVersion: 'apps/v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'B', name: 'b', uid: '2', controller: true },
    ];
    const errs = validateObjectMeta({ name: 'x', ownerReferences: refs }, { namespaced: false });
    assert.equal(errs.length, 1);
    assert.match(errs[0]?.detail ?? '', /Only one reference can have Controller set to true. Found "true" in references for A\/a and B\/b/);
  });

  test('annotations may not exceed 256 KiB in total; keys are checked lower-cased', () => {
    assert.deepEqual(render(validateAnnotations({ a: 'x'.repeat(256 * 1024) }, 'metadata.annotations')), [
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
    assert.deepEqual(validateAnnotations({ 'Example.COM/Key': 'v' }, 'metadata.annotations'), []);
    assert.deepEqual(validateLabels(undefined, 'metadata.labels'), []);
  });

  test('a custom name rule is applied to name and generateName', () => {
    const nameFn = (n: string, prefix: boolean): string[] => (n.startsWith('x') ? [] : [`bad ${prefix ? 'prefix' : 'name'}`]);
    assert.deepEqual(render(validateObjectMeta({ name: 'a', generateName: 'b' }, { namespaced: false, nameFn })), [
      'metadata.generateName: Invalid value: "b": bad prefix',
      'metadata.name: Invalid value: "a": bad name',
    ]);
  });
});

describe('ObjectMeta on update', () => {
  const old: ObjectMeta = { name: 'a', namespace: 'ns', uid: 'u1', resourceVersion: '5', generation: 3, creationTimestamp: '2026-01-01T00:00:00Z' };

  test('an unchanged object with a resourceVersion passes', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old }, old), []);
  });

  test('identity fields are immutable and resourceVersion is required', () => {
    const errs = render(
      validateObjectMetaUpdate({ name: 'b', namespace: 'other', uid: 'u2', generation: 2, creationTimestamp: '2027-01-01T00:00:00Z' }, old),
    );
    assert.deepEqual(errs, [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.generation: Invalid value: 2: must not be decremented',
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.namespace: Invalid value: "other": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: "2027-01-01T00:00:00Z": field is immutable',
    ]);
  });

  test('no new finalizers once deletion started', () => {
    const deleting = { ...old, deletionTimestamp: '2026-02-01T00:00:00Z', finalizers: ['a.io/x'] };
    const errs = render(validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y', 'a.io/z'] }, deleting));
    assert.deepEqual(errs, [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/z", "b.io/y"}',
    ]);
  });
});
