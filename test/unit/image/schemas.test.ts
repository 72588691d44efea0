import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isRFC3339, isStdBase64 } from '../../../src/image/api/formats.js';
import {
  imageApiDocument,
  imageDefinitionName,
  shapeValidator,
  validateImageShape,
  validateImageStreamShape,
} from '../../../src/image/api/schemas.js';

const RECORDED = '/work/shared/reference/recorded/';
const load = (f: string): unknown => JSON.parse(readFileSync(RECORDED + f, 'utf8'));
const render = (errs: { toString(): string }[]): string[] => errs.map(String);

describe('api-schemas: the definitions are the reference OpenAPI, verbatim', () => {
  test('same 52 definitions as the reference file', () => {
    const reference = JSON.parse(readFileSync('/work/shared/reference/image.openshift.io-v1.openapi.json', 'utf8')) as unknown;
    assert.deepEqual(imageApiDocument, reference);
    assert.equal(Object.keys(imageApiDocument.definitions).length, 52);
    assert.ok(imageApiDocument.definitions[imageDefinitionName('ImageStream')]);
  });
});

describe('shape validation of ImageStream bodies', () => {
  test('recorded requests and responses pass', () => {
    for (const f of ['request-create-imagestream.json', 'get-imagestream.json', 'create-imagestream.json', 'request-status-422-imagestream-invalid-tag-reference.json']) {
      assert.deepEqual(render(validateImageStreamShape(load(f))), [], f);
    }
  });

  test('the required lists are not enforced (a bare object is fine)', () => {
    assert.deepEqual(validateImageStreamShape({}), []);
    assert.deepEqual(validateImageStreamShape({ spec: { tags: [{}] }, status: { tags: [{ items: [{}] }] } }), []);
  });

  test('null is accepted anywhere, as Go decodes it to the zero value', () => {
    const body = {
      metadata: { name: null, labels: { a: null }, annotations: null },
      spec: { lookupPolicy: null, tags: [null, { name: 'a', annotations: null, from: null, generation: null, importPolicy: null }] },
      status: null,
    };
    assert.deepEqual(validateImageStreamShape(body), []);
  });

  test('wrong JSON types become FieldValueTypeInvalid errors with Kubernetes paths', () => {
    const errs = validateImageStreamShape({
      metadata: { name: 1, labels: { app: 2 } },
      spec: { tags: [{ name: 'ok' }, { name: 3, from: 'x', generation: 1.5, reference: 'yes' }], lookupPolicy: { local: 'no' } },
      status: { tags: 'none' },
    });
    assert.deepEqual(render(errs).sort(), [
      'metadata.labels[app]: Invalid value: "number": metadata.labels[app] in body must be of type string: "number"',
      'metadata.name: Invalid value: "number": metadata.name in body must be of type string: "number"',
      'spec.lookupPolicy.local: Invalid value: "string": spec.lookupPolicy.local in body must be of type boolean: "string"',
      'spec.tags[1].from: Invalid value: "string": spec.tags[1].from in body must be of type object: "string"',
      'spec.tags[1].generation: Invalid value: "number": spec.tags[1].generation in body must be of type integer: "number"',
      'spec.tags[1].name: Invalid value: "number": spec.tags[1].name in body must be of type string: "number"',
      'spec.tags[1].reference: Invalid value: "string": spec.tags[1].reference in body must be of type boolean: "string"',
      'status.tags: Invalid value: "string": status.tags in body must be of type array: "string"',
    ]);
    assert.ok(errs.every((e) => e.type === 'FieldValueTypeInvalid'));
  });

  test('malformed timestamps are FieldValueInvalid', () => {
    const errs = validateImageStreamShape({ status: { tags: [{ tag: 'a', items: [{ created: 'yesterday' }] }] } });
    assert.deepEqual(render(errs), [
      'status.tags[0].items[0].created: Invalid value: "yesterday": status.tags[0].items[0].created in body must be of type date-time: "yesterday"',
    ]);
    assert.equal(errs[0]?.type, 'FieldValueInvalid');
  });

  test('a body that is not an object is reported at the root', () => {
    assert.deepEqual(render(validateImageStreamShape([])), [': Invalid value: "array": body must be of type object: "array"']);
    assert.deepEqual(render(validateImageStreamShape(null)), [': Invalid value: "null": body must be of type object: "null"']);
  });

  test('unknown fields are not a shape error (field validation handles them)', () => {
    assert.deepEqual(validateImageStreamShape({ spec: { foo: 1 }, bar: [] }), []);
  });
});

describe('shape validation of Image bodies', () => {
  test('recorded bodies pass', () => {
    for (const f of ['request-create-image.json', 'get-image.json']) assert.deepEqual(render(validateImageShape(load(f))), [], f);
  });

  test('byte fields must be standard base64', () => {
    const errs = validateImageShape({ dockerImageSignatures: ['aGVsbG8=', '!!'], signatures: [{ content: 'not base64' }] });
    assert.deepEqual(render(errs), [
      'dockerImageSignatures[1]: Invalid value: "!!": dockerImageSignatures[1] in body must be of type byte: "!!"',
      'signatures[0].content: Invalid value: "not base64": signatures[0].content in body must be of type byte: "not base64"',
    ]);
  });

  test('dockerImageMetadata must be an object; its content is free-form', () => {
    assert.deepEqual(validateImageShape({ dockerImageMetadata: { Id: 1, anything: [] } }), []);
    assert.deepEqual(render(validateImageShape({ dockerImageMetadata: 'x' })), [
      'dockerImageMetadata: Invalid value: "string": dockerImageMetadata in body must be of type object: "string"',
    ]);
  });

  test('a wrong type is reported once even where a format also applies', () => {
    assert.deepEqual(render(validateImageShape({ dockerImageLayers: [{ size: 'big' }] })), [
      'dockerImageLayers[0].size: Invalid value: "string": dockerImageLayers[0].size in body must be of type integer: "string"',
    ]);
    assert.equal(validateImageShape({ dockerImageLayers: [{ size: 2.5 }] }).length, 1);
  });

  test('validators for other kinds compile once and are reused', () => {
    const v = shapeValidator('ImageStreamTag');
    assert.equal(shapeValidator('ImageStreamTag'), v);
    assert.equal(shapeValidator(imageDefinitionName('ImageStreamTag')), v);
    assert.deepEqual(render(v({ tag: { name: 1 } })), ['tag.name: Invalid value: "number": tag.name in body must be of type string: "number"']);
    assert.throws(() => shapeValidator('NoSuchKind'), /unknown definition/);
  });
});

describe('string formats', () => {
  test('RFC 3339 as Go parses it', () => {
    for (const ok of ['2026-11-27T05:19:24Z', '2019-08-15T07:28:14.830150536Z', '2020-02-29T00:00:00+05:30']) assert.ok(isRFC3339(ok), ok);
    for (const bad of ['', '2026-11-27', '2026-11-27 05:19:24Z', '2026-13-01T00:00:00Z', '2019-02-29T00:00:00Z', '2026-11-27t05:19:24z', '2026-11-27T24:00:00Z']) {
      assert.ok(!isRFC3339(bad), bad);
    }
  });
  test('standard base64 with padding', () => {
    for (const ok of ['', 'aGVsbG8=', 'aGk=', 'YWJj', 'aGVs\nbG8=']) assert.ok(isStdBase64(ok), ok);
    for (const bad of ['aGVsbG8', 'a', '-_-_', 'aGk==']) assert.ok(!isStdBase64(bad), bad);
  });
});
