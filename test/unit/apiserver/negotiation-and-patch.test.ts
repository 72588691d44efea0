import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { negotiateOutput } from '../../../src/apiserver/endpoints/negotiation.js';
import { jsonPatch, mergePatch } from '../../../src/apiserver/endpoints/patch.js';
import { StatusError } from '../../../src/apiserver/errors/index.js';

describe('content negotiation', () => {
  const one = { isList: false, allowTable: true };
  const many = { isList: true, allowTable: true };
  it('picks Table for kubectl get', () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    assert.deepEqual(negotiateOutput(accept, many), { kind: 'table', version: 'v1' });
  });
  it('picks PartialObjectMetadataList for the metadata client and skips protobuf', () => {
    const accept = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
    assert.deepEqual(negotiateOutput(accept, many), { kind: 'partial', list: true, version: 'v1' });
  });
  it('falls back to JSON for empty, */* and protobuf-first Accept headers', () => {
    assert.deepEqual(negotiateOutput(undefined, one), { kind: 'json' });
    assert.deepEqual(negotiateOutput('*/*', one), { kind: 'json' });
    assert.deepEqual(negotiateOutput('application/vnd.kubernetes.protobuf, application/json', one), { kind: 'json' });
    assert.deepEqual(negotiateOutput('application/yaml', one), { kind: 'yaml' });
  });
  it('answers 406 for what it cannot produce', () => {
    assert.throws(() => negotiateOutput('text/html', one), (e: unknown) => e instanceof StatusError && e.code === 406);
    assert.throws(
      () => negotiateOutput('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1', many),
      (e: unknown) => e instanceof StatusError && e.code === 406 && /requested object is a list/.test(e.message),
    );
  });
});

describe('patches', () => {
  it('merge patch merges objects, replaces lists and deletes with null', () => {
    const out = mergePatch({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { b: 3 }, l: [3], d: null });
    assert.deepEqual(out, { a: { b: 3, c: 2 }, l: [3] });
  });
  it('json patch applies add, remove, replace, move, copy and test', () => {
    const doc = { a: [1, 2], b: { c: 'x' } };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/b/c', value: 'y' },
      { op: 'copy', from: '/b/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/0' },
      { op: 'test', path: '/e', value: 'y' },
    ]);
    assert.deepEqual(out, { a: [2, 3], b: { c: 'y' }, e: 'y' });
    assert.deepEqual(doc, { a: [1, 2], b: { c: 'x' } }, 'the input is not modified');
  });
  it('a failed json patch test answers 422', () => {
    assert.throws(
      () => jsonPatch({ metadata: { resourceVersion: '5' } }, [{ op: 'test', path: '/metadata/resourceVersion', value: '4' }]),
      (e: unknown) => e instanceof StatusError && e.code === 422,
    );
  });
});
