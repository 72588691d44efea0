// Bodies are checked by ajv validators compiled from the type model of api-schemas/; what ajv
// finds is reported with the texts Go's decoders give (encoding/json, base64, metav1.Time, strict
// decoding).

import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { decodeBody } from '../../../src/apiserver/endpoints/decode.js';
import { checkFields } from '../../../src/apiserver/endpoints/field-validation.js';
import { ShapeValidators, illegalBase64At } from '../../../src/apiserver/openapi/shape-validators.js';
import { TypeModel } from '../../../src/apiserver/openapi/type-model.js';
import type { Definitions } from '../../../src/apiserver/openapi/schema.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';
import { StatusError } from '../../../src/apiserver/errors/index.js';

const KINDS = ['ImageStream', 'Image', 'ImageStreamImport', 'ImageStreamMapping', 'ImageStreamTag', 'ImageTag', 'ImageSignature'];

function validators(definitions: Definitions = imageApiDocument.definitions): { model: TypeModel; shapes: ShapeValidators } {
  const model = new TypeModel({ definitions, definitionOf: imageDefinitionName });
  return { model, shapes: new ShapeValidators(model, KINDS) };
}

const { shapes } = validators();
const stream = shapes.forKind('ImageStream');
const image = shapes.forKind('Image');
const typeError = (obj: unknown, shape = stream): string | undefined => checkFields(obj, shape).typeError;

describe('wrong JSON types are reported as encoding/json reports them', () => {
  it('names the innermost Go struct, the field path without indexes or map keys, and the Go type', () => {
    assert.equal(typeError({ spec: { tags: [{ name: 'a' }, { name: 'b', importPolicy: { scheduled: 'yes' } }] } }), 'json: cannot unmarshal string into Go struct field TagImportPolicy.spec.tags.importPolicy.scheduled of type bool');
    assert.equal(typeError({ spec: { tags: [{ name: 'a', annotations: { k: true } }] } }), 'json: cannot unmarshal bool into Go struct field TagReference.spec.tags.annotations of type string');
    assert.equal(typeError({ spec: { tags: { name: 'a' } } }), 'json: cannot unmarshal object into Go struct field ImageStreamSpec.spec.tags of type []v1.TagReference');
    assert.equal(typeError({ spec: { tags: ['latest'] } }), 'json: cannot unmarshal string into Go struct field ImageStreamSpec.spec.tags of type v1.TagReference');
    assert.equal(typeError({ metadata: { labels: [] } }), 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string');
    assert.equal(typeError({ metadata: { ownerReferences: [{ controller: 1 }] } }), 'json: cannot unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.controller of type bool');
    assert.equal(typeError({ status: { tags: [{ tag: 'a', items: [{ created: 5 }] }] } }), 'json: cannot unmarshal number into Go struct field TagEvent.status.tags.items.created of type v1.Time');
  });

  it('a fractional number for an integer shows the number', () => {
    assert.equal(typeError({ spec: { tags: [{ name: 'a', generation: 1.5 }] } }), 'json: cannot unmarshal number 1.5 into Go struct field TagReference.spec.tags.generation of type int64');
    assert.equal(typeError({ metadata: { generation: '2' } }), 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64');
  });

  it('the first wrong value in the document wins, whatever order the schema declares fields in', () => {
    const specFirst = { spec: { lookupPolicy: { local: 1 } }, metadata: { generation: 'x' } };
    assert.match(String(typeError(specFirst)), /ImageLookupPolicy\.spec\.lookupPolicy\.local of type bool$/);
    const metadataFirst = { metadata: { generation: 'x' }, spec: { lookupPolicy: { local: 1 } } };
    assert.match(String(typeError(metadataFirst)), /ObjectMeta\.metadata\.generation of type int64$/);
    const listOrder = { spec: { tags: [{ name: 'a', generation: 'x' }, { name: 1 }] } };
    assert.match(String(typeError(listOrder)), /TagReference\.spec\.tags\.generation/);
  });

  it('free-form fields (RawExtension) take any JSON', () => {
    assert.equal(typeError({ dockerImageMetadata: { anything: [1, { x: null }] }, dockerImageManifests: null }, image), undefined);
  });
});

describe('null is accepted for every type, as Go leaves the zero value', () => {
  it('for structs, lists, maps, scalars, list items and map values', () => {
    const check = checkFields({ metadata: { labels: null, annotations: { a: null }, generation: null }, spec: { lookupPolicy: null, tags: [null, { name: null, from: null }] }, status: null }, stream);
    assert.equal(check.typeError, undefined);
    assert.deepEqual(check.unknown, []);
    assert.equal(typeError({ signatures: [{ content: null, created: null }] }, image), undefined);
  });
});

describe('[]byte fields are base64 as Go reads it', () => {
  const content = (c: string): string | undefined => typeError({ signatures: [{ type: 'atomic', content: c }] }, image);

  it('names the byte where decoding stops', () => {
    assert.equal(content('not base64!'), 'illegal base64 data at input byte 3');
    assert.equal(content('YWJ'), 'illegal base64 data at input byte 3');
    assert.equal(content('YQ==YQ=='), 'illegal base64 data at input byte 4');
    assert.equal(content('Y==='), 'illegal base64 data at input byte 1');
  });

  it('a value that is not a string names Go\'s byte slice', () => {
    assert.equal(typeError({ signatures: [{ content: 5 }] }, image), 'json: cannot unmarshal number into Go struct field ImageSignature.signatures.content of type []uint8');
  });

  it('accepts padding and skips line breaks', () => {
    assert.equal(content(Buffer.from('signed').toString('base64')), undefined);
    assert.equal(content('YWJj\r\nZA=='), undefined);
    assert.equal(content(''), undefined);
    assert.equal(illegalBase64At('YWJjZA=='), -1);
  });
});

describe('times are RFC 3339 as metav1.Time reads them', () => {
  it('reports what does not parse with the time package text', () => {
    assert.equal(typeError({ metadata: { creationTimestamp: 'yesterday' } }), 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"');
    assert.match(String(typeError({ metadata: { creationTimestamp: '2024-01-02 03:04:05Z' } })), /^parsing time "2024-01-02 03:04:05Z"/);
  });

  it('accepts fractional seconds and offsets', () => {
    assert.equal(typeError({ metadata: { creationTimestamp: '2024-01-02T03:04:05.123456Z', deletionTimestamp: '2024-01-02T03:04:05+02:00' } }), undefined);
  });
});

describe('unknown fields', () => {
  it('are all listed in document order with strict decoding paths, and dropped from a copy', () => {
    const body = { top: 1, spec: { tags: [{ name: 'a' }, { name: 'b', extra: true, from: { kind: 'DockerImage', nope: 1 } }], odd: 2 }, metadata: { name: 'x', bogus: { deep: 1 } } };
    const before = structuredClone(body);
    const check = checkFields(body, stream);
    assert.deepEqual(check.unknown, ['top', 'spec.tags[1].extra', 'spec.tags[1].from.nope', 'spec.odd', 'metadata.bogus']);
    assert.deepEqual(check.value, { spec: { tags: [{ name: 'a' }, { name: 'b', from: { kind: 'DockerImage' } }] }, metadata: { name: 'x' } });
    assert.deepEqual(body, before, 'the input is not changed');
    assert.equal((check.value as typeof body).spec.tags[0], body.spec.tags[0], 'what is not on a dropped path is shared');
  });

  it('are all listed for a long list of bad items, each with the first wrong type still found', () => {
    const tags = Array.from({ length: 20_000 }, (_, i) => ({ name: `t${i}`, bogus: i, generation: i === 19_999 ? 'x' : 1 }));
    const check = checkFields({ spec: { tags } }, stream);
    assert.equal(check.unknown.length, 20_000);
    assert.equal(check.unknown[19_999], 'spec.tags[19999].bogus');
    assert.match(String(check.typeError), /TagReference\.spec\.tags\.generation of type int64$/);
  });

  it('keys with "/" and "~" are named as sent', () => {
    assert.deepEqual(checkFields({ spec: { 'a/b': 1, 'c~d': 2 } }, stream).unknown, ['spec.a/b', 'spec.c~d']);
  });

  it('are reported next to a wrong type', () => {
    const check = checkFields({ spec: { foo: 1, lookupPolicy: { local: 'no' } } }, stream);
    assert.deepEqual(check.unknown, ['spec.foo']);
    assert.match(String(check.typeError), /ImageLookupPolicy\.spec\.lookupPolicy\.local of type bool$/);
  });

  it('are kept where the schema preserves unknown fields', () => {
    const definitions = structuredClone(imageApiDocument.definitions);
    const policy = definitions[imageDefinitionName('ImageLookupPolicy')];
    assert.ok(policy);
    policy['x-kubernetes-preserve-unknown-fields'] = true;
    const preserving = validators(definitions).shapes.forKind('ImageStream');
    const check = checkFields({ spec: { lookupPolicy: { local: true, extra: 1 }, other: 1 } }, preserving);
    assert.deepEqual(check.unknown, ['spec.other']);
    assert.deepEqual(check.value, { spec: { lookupPolicy: { local: true, extra: 1 } } });
  });
});

describe('"__proto__", "constructor" and "prototype" are ordinary keys', () => {
  const parsed = (text: string): unknown => JSON.parse(text);

  it('as fields of a struct they are unknown and dropped', () => {
    const body = parsed('{"metadata":{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}},"spec":{"prototype":1}}');
    const check = checkFields(body, stream);
    assert.deepEqual(check.unknown, ['metadata.__proto__', 'metadata.constructor', 'spec.prototype']);
    assert.deepEqual(check.value, { metadata: { name: 'x' }, spec: {} });
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    assert.equal(Object.getPrototypeOf((check.value as { metadata: object }).metadata), Object.prototype);
  });

  it('as keys of a map they are kept as own keys and their values checked', () => {
    const ok = checkFields(parsed('{"metadata":{"labels":{"__proto__":"a","constructor":"b"}}}'), stream);
    assert.equal(ok.typeError, undefined);
    const labels = (ok.value as { metadata: { labels: Record<string, unknown> } }).metadata.labels;
    assert.deepEqual(Object.keys(labels), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.equal(typeError(parsed('{"metadata":{"labels":{"__proto__":1}}}')), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it('an unknown "__proto__" next to a dropped sibling path is removed from the copy only', () => {
    const body = parsed('{"spec":{"__proto__":{"x":1},"lookupPolicy":{"local":true,"__proto__":2}}}') as { spec: Record<string, unknown> };
    const check = checkFields(body, stream);
    assert.deepEqual(check.unknown, ['spec.__proto__', 'spec.lookupPolicy.__proto__']);
    assert.deepEqual(JSON.stringify(check.value), '{"spec":{"lookupPolicy":{"local":true}}}');
    assert.ok(Object.hasOwn(body.spec, '__proto__'));
  });
});

describe('deep input', () => {
  const deep = (depth: number): unknown => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = { n: [v] };
    return v;
  };

  it('is never walked where the schema stops: free-form fields, unknown fields, wrong types', () => {
    assert.equal(typeError({ dockerImageMetadata: deep(100_000) }, image), undefined);
    const unknownDeep = checkFields({ spec: { extra: deep(100_000) } }, stream);
    assert.deepEqual(unknownDeep.unknown, ['spec.extra']);
    assert.deepEqual(checkFields({ spec: { tags: [deep(100_000)] } }, stream).unknown, ['spec.tags[0].n']);
    let nested: unknown = [];
    for (let i = 0; i < 100_000; i++) nested = [nested];
    assert.equal(typeError({ spec: { tags: [nested] } }), 'json: cannot unmarshal array into Go struct field ImageStreamSpec.spec.tags of type v1.TagReference');
  });
});

describe('one schema feeds the validators and the type model', () => {
  it('a field added to api-schemas is known to both', () => {
    const definitions = structuredClone(imageApiDocument.definitions);
    const policy = definitions[imageDefinitionName('ImageLookupPolicy')];
    assert.ok(policy?.properties);
    policy.properties.remote = { type: 'integer', format: 'int32' };
    const { model, shapes: changed } = validators(definitions);
    assert.equal(model.forKind('ImageStream')?.field('spec')?.kind, 'struct');
    const check = checkFields({ spec: { lookupPolicy: { remote: 3 } } }, changed.forKind('ImageStream'));
    assert.deepEqual(check.unknown, []);
    assert.equal(typeError({ spec: { lookupPolicy: { remote: 'x' } } }, changed.forKind('ImageStream')), 'json: cannot unmarshal string into Go struct field ImageLookupPolicy.spec.lookupPolicy.remote of type int32');
    assert.deepEqual(checkFields({ spec: { lookupPolicy: { remote: 3 } } }, stream).unknown, ['spec.lookupPolicy.remote'], 'the shipped schema does not have it');
  });

  it('a struct that contains itself is checked at every depth', () => {
    const definitions: Definitions = {
      'x.v1.Node': {
        type: 'object',
        properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/x.v1.Node' } } },
      },
    };
    const model = new TypeModel({ definitions, definitionOf: (kind) => `x.v1.${kind}` });
    const node = new ShapeValidators(model, ['Node']).forKind('Node');
    const tree = { name: 'a', children: [{ name: 'b', children: [{ name: 'c', children: [{ name: 1, odd: true }] }] }] };
    const check = checkFields(tree, node);
    assert.deepEqual(check.unknown, ['children[0].children[0].children[0].odd']);
    assert.equal(check.typeError, 'json: cannot unmarshal number into Go struct field Node.children.children.children.name of type string');
  });

  it('kinds without a schema are not checked', () => {
    assert.equal(shapes.forKind('NoSuchKind'), undefined);
    assert.deepEqual(checkFields({ anything: 1 }, undefined), { value: { anything: 1 }, unknown: [] });
  });
});

describe('a body decoded for a kind', () => {
  const expected = { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' };
  const raw = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const badRequest = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof StatusError);
      assert.equal(err.status.code, 400);
      return String(err.status.message);
    }
    assert.fail('expected a 400');
  };

  it('answers a wrong type with "cannot be handled as" whatever fieldValidation says', () => {
    for (const fv of ['Strict', 'Warn', 'Ignore'] as const) {
      assert.equal(
        badRequest(() => decodeBody(raw({ spec: { tags: 'latest' } }), 'json', expected, stream, fv)),
        'ImageStream in version "v1" cannot be handled as a ImageStream: json: cannot unmarshal string into Go struct field ImageStreamSpec.spec.tags of type []v1.TagReference',
      );
    }
  });

  it('Strict lists unknown and duplicate fields; Warn returns them as warnings; Ignore drops them silently', () => {
    const text = Buffer.from('{"metadata":{"name":"a","name":"b"},"spec":{"x":1,"lookupPolicy":{"local":true,"y":2}}}');
    assert.equal(
      badRequest(() => decodeBody(text, 'json', expected, stream, 'Strict')),
      'ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: duplicate field "metadata.name", unknown field "spec.x", unknown field "spec.lookupPolicy.y"',
    );
    const warn = decodeBody(text, 'json', expected, stream, 'Warn');
    assert.deepEqual(warn.warnings, ['duplicate field "metadata.name"', 'unknown field "spec.x"', 'unknown field "spec.lookupPolicy.y"']);
    assert.deepEqual(warn.object.spec, { lookupPolicy: { local: true } });
    const ignore = decodeBody(text, 'json', expected, stream, 'Ignore');
    assert.deepEqual(ignore.warnings, []);
    assert.deepEqual(ignore.object, { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'b' }, spec: { lookupPolicy: { local: true } } });
  });
});
