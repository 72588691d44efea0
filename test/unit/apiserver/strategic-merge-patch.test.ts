import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { goValue, strategicMergePatch } from '../../../src/apiserver/endpoints/strategic-merge-patch.js';
import { StatusError } from '../../../src/apiserver/errors/index.js';
import { TypeModel } from '../../../src/apiserver/openapi/type-model.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';

const model = new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName });
const stream = model.forKind('ImageStream');
const image = model.forKind('Image');

const tag = (name: string, ref: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, from: { kind: 'DockerImage', name: ref }, ...extra });
const names = (o: unknown): string[] => ((o as { spec: { tags: { name: string }[] } }).spec.tags ?? []).map((t) => t.name);

describe('the type model from api-schemas', () => {
  it('knows list semantics from the patch extensions and list types', () => {
    assert.ok(stream);
    const spec = stream.field('spec');
    assert.equal(spec?.kind, 'struct');
    const tags = spec?.kind === 'struct' ? spec.field('tags') : undefined;
    assert.equal(tags?.kind, 'list');
    assert.deepEqual(tags?.kind === 'list' && [tags.listType, tags.keys, tags.patchMergeKey], ['map', ['name'], 'name']);
    const statusTags = (stream.field('status') as { field(n: string): unknown }).field('tags') as { keys: string[] };
    assert.deepEqual(statusTags.keys, ['tag']);
    const meta = stream.field('metadata');
    const finalizers = meta?.kind === 'struct' ? meta.field('finalizers') : undefined;
    assert.equal(finalizers?.kind === 'list' && finalizers.listType, 'set');
    const owners = meta?.kind === 'struct' ? meta.field('ownerReferences') : undefined;
    assert.deepEqual(owners?.kind === 'list' && owners.keys, ['uid']);
    const from = (tags?.kind === 'list' ? tags.element : undefined) as { field(n: string): { atomic?: boolean } } | undefined;
    assert.equal(from?.field('from').atomic, true, 'ObjectReference is an atomic struct');
  });
});

describe('strategic merge patch', () => {
  const original = { metadata: { name: 'is', labels: { a: '1' } }, spec: { tags: [tag('a', 'x/y:a'), tag('b', 'x/y:b')] } };

  it('merges spec.tags by name and keeps the others', () => {
    const out = strategicMergePatch(original, { spec: { tags: [{ name: 'b', from: { kind: 'DockerImage', name: 'x/y:b2' } }] } }, stream);
    assert.deepEqual(names(out), ['a', 'b']);
    assert.equal((out as { spec: { tags: { from: { name: string } }[] } }).spec.tags[1].from.name, 'x/y:b2');
  });

  it('puts new items before server-only items it cannot place, as k8s.io/apimachinery does', () => {
    const out = strategicMergePatch(original, { spec: { tags: [tag('c', 'x/y:c')] } }, stream);
    assert.deepEqual(names(out), ['c', 'a', 'b']);
  });

  it('merges status.tags by tag', () => {
    const withStatus = { metadata: {}, status: { tags: [{ tag: 'a', items: [{ image: 'sha256:1' }] }] } };
    const out = strategicMergePatch(withStatus, { status: { tags: [{ tag: 'b', items: [] }, { tag: 'a', conditions: [] }] } }, stream) as {
      status: { tags: { tag: string; items?: unknown[] }[] };
    };
    assert.deepEqual(
      out.status.tags.map((t) => t.tag),
      ['b', 'a'],
    );
    assert.deepEqual(out.status.tags[1].items, [{ image: 'sha256:1' }], 'the merged item keeps its history');
  });

  it('$patch: delete removes one item, $patch: replace replaces the list', () => {
    assert.deepEqual(names(strategicMergePatch(original, { spec: { tags: [{ $patch: 'delete', name: 'a' }] } }, stream)), ['b']);
    const replaced = strategicMergePatch(original, { spec: { tags: [{ $patch: 'replace' }, tag('z', 'x/y:z')] } }, stream);
    assert.deepEqual(names(replaced), ['z']);
  });

  it('$patch: replace on a map replaces it, $patch: delete empties it', () => {
    const out = strategicMergePatch(original, { metadata: { labels: { $patch: 'replace', b: '2' } } }, stream) as { metadata: { labels: unknown } };
    assert.deepEqual(out.metadata.labels, { b: '2' });
    const gone = strategicMergePatch(original, { metadata: { labels: { $patch: 'delete' } } }, stream) as { metadata: { labels: unknown } };
    assert.deepEqual(gone.metadata.labels, {});
  });

  it('$setElementOrder orders the merged list; null deletes a field', () => {
    const patch = { spec: { tags: [tag('c', 'x/y:c')], '$setElementOrder/tags': [{ name: 'b' }, { name: 'c' }, { name: 'a' }] } };
    const out = strategicMergePatch(original, patch, stream);
    assert.deepEqual(names(out), ['b', 'c', 'a']);
    const noLabels = strategicMergePatch(original, { metadata: { labels: null } }, stream) as { metadata: Record<string, unknown> };
    assert.equal('labels' in noLabels.metadata, false);
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes values', () => {
    const o = { metadata: { finalizers: ['a', 'b'] } };
    const merged = strategicMergePatch(o, { metadata: { finalizers: ['b', 'c'] } }, stream) as { metadata: { finalizers: string[] } };
    assert.deepEqual([...merged.metadata.finalizers].sort(), ['a', 'b', 'c']);
    const removed = strategicMergePatch(o, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, stream) as { metadata: { finalizers: string[] } };
    assert.deepEqual(removed.metadata.finalizers, ['b']);
  });

  it('$retainKeys keeps only the listed fields', () => {
    const out = strategicMergePatch({ spec: { lookupPolicy: { local: true }, dockerImageRepository: 'r' } }, { spec: { $retainKeys: ['lookupPolicy'] } }, stream) as {
      spec: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(out.spec), ['lookupPolicy']);
  });

  it("the garbage collector's ownerReferences patch deletes by uid", () => {
    const o = { metadata: { uid: 'u', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: '1' }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: '2' }] } };
    const out = strategicMergePatch(o, { metadata: { ownerReferences: [{ $patch: 'delete', uid: '1' }], uid: 'u' } }, stream) as { metadata: { ownerReferences: { uid: string }[] } };
    assert.deepEqual(
      out.metadata.ownerReferences.map((r) => r.uid),
      ['2'],
    );
  });

  it('fields with patch strategy replace are replaced (Image.dockerImageMetadata)', () => {
    const o = { dockerImageMetadata: { a: 1, b: 2 } };
    const out = strategicMergePatch(o, { dockerImageMetadata: { c: 3 } }, image) as { dockerImageMetadata: unknown };
    assert.deepEqual(out.dockerImageMetadata, { c: 3 });
  });

  it('lists without a merge strategy are replaced; items without the merge key are a 400', () => {
    assert.throws(
      () => strategicMergePatch(original, { spec: { tags: [{ from: { kind: 'DockerImage', name: 'x' } }] } }, stream),
      (e: unknown) => e instanceof StatusError && e.code === 400 && /does not contain declared merge key: name/.test(e.message),
    );
    assert.throws(() => strategicMergePatch(original, { spec: { $patch: 'sideways' } }, stream), (e: unknown) => e instanceof StatusError && e.code === 400);
  });

  it('prints patches as Go prints maps', () => {
    assert.equal(goValue({ spec: { b: 1, a: ['x', true] } }), 'map[spec:map[a:[x true] b:1]]');
  });

  it('merges 50,000 keyed items with $setElementOrder, each once, in the order given (linear: items are found by key)', () => {
    const n = 50_000;
    const original = { spec: { tags: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, from: { kind: 'DockerImage', name: `x:${i}` } })) } };
    const tags = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, annotations: { a: 'b' } }));
    const patch = { spec: { tags: [...tags, { name: 't1', $patch: 'delete' }], '$setElementOrder/tags': [...tags].reverse().map((t) => ({ name: t.name })) } };
    const out = strategicMergePatch(original, patch, stream) as { spec: { tags: { name: string; from?: unknown; annotations?: unknown }[] } };
    assert.equal(out.spec.tags.length, n);
    assert.equal(out.spec.tags[0].name, `t${n - 1}`);
    assert.equal(out.spec.tags[n - 1].name, 't0');
    assert.deepEqual(out.spec.tags[n - 2], { name: 't1', annotations: { a: 'b' } });
    assert.deepEqual(out.spec.tags[5], { name: `t${n - 6}`, from: { kind: 'DockerImage', name: `x:${n - 6}` }, annotations: { a: 'b' } });
  });
});
