import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { StatusError } from '../../../src/apiserver/errors/index.js';
import {
  addTagEvent,
  limitTagHistory,
  propagateTrackingTags,
  resolveImageId,
  resolveReferenceForTagEvent,
  trackedTag,
  updateTrackingTags,
} from '../../../src/image/api/tag-history.js';
import type { ImageStream, TagEvent, TagReference } from '../../../src/image/api/types.js';

const ev = (ref: string, image: string, generation = 1, created = '2026-01-01T00:00:00Z'): TagEvent => ({ created, dockerImageReference: ref, image, generation });
const ist = (name: string, from: string, namespace?: string): TagReference => ({ name, from: { kind: 'ImageStreamTag', name: from, ...(namespace ? { namespace } : {}) } });

function streamWith(tags: TagReference[] = [], status: Record<string, TagEvent[]> = {}): ImageStream {
  return {
    metadata: { name: 'is', namespace: 'ns' },
    spec: { tags },
    status: { dockerImageRepository: 'reg:5000/ns/is', tags: Object.entries(status).map(([tag, items]) => ({ tag, items })) },
  };
}
const items = (s: ImageStream, tag: string): [string, string, number][] =>
  (s.status?.tags?.find((t) => t.tag === tag)?.items ?? []).map((e) => [e.dockerImageReference ?? '', e.image ?? '', e.generation ?? 0]);

describe('addTagEvent (§5.1)', () => {
  test('empty: the event starts the list; identical: no change', () => {
    const s = streamWith();
    assert.equal(addTagEvent(s, 't', ev('r1', 'i1')), true);
    assert.equal(addTagEvent(s, 't', ev('r1', 'i1', 1, '2027-01-01T00:00:00Z')), false, 'created does not count');
    assert.deepEqual(items(s, 't'), [['r1', 'i1', 1]]);
  });

  test('generation only; same ref; same image; both different', () => {
    const s = streamWith([], { t: [ev('r1', 'i1')] });
    addTagEvent(s, 't', ev('r1', 'i1', 2));
    assert.deepEqual(items(s, 't'), [['r1', 'i1', 2]]);
    addTagEvent(s, 't', ev('r1', 'i2', 3));
    assert.deepEqual(items(s, 't'), [['r1', 'i2', 3]]);
    addTagEvent(s, 't', ev('r2', 'i2', 3));
    assert.deepEqual(items(s, 't'), [['r2', 'i2', 3]]);
    addTagEvent(s, 't', ev('r3', 'i3', 3));
    assert.deepEqual(items(s, 't'), [
      ['r3', 'i3', 3],
      ['r2', 'i2', 3],
    ]);
  });

  test('a change clears the conditions; no change keeps them', () => {
    const s = streamWith([], { t: [ev('r1', 'i1')] });
    const list = s.status?.tags?.[0];
    assert.ok(list);
    list.conditions = [{ type: 'ImportSuccess', status: 'False' }];
    addTagEvent(s, 't', ev('r1', 'i1'));
    assert.equal(list.conditions?.length, 1);
    addTagEvent(s, 't', ev('r2', 'i2'));
    assert.equal(s.status?.tags?.[0]?.conditions, undefined);
  });
});

describe('tracking tags (§5.3)', () => {
  test('"T" and "<this stream>:T" track T; other streams, namespaces and kinds do not', () => {
    const s = streamWith();
    assert.equal(trackedTag(s, ist('a', 'latest')), 'latest');
    assert.equal(trackedTag(s, ist('a', 'is:latest')), 'latest');
    assert.equal(trackedTag(s, ist('a', 'is:')), 'latest');
    assert.equal(trackedTag(s, ist('a', 'other:latest')), undefined);
    assert.equal(trackedTag(s, ist('a', 'latest', 'elsewhere')), undefined);
    assert.equal(trackedTag(s, ist('a', 'latest', 'ns')), 'latest');
    assert.equal(trackedTag(s, { name: 'a', from: { kind: 'ImageStreamImage', name: 'latest' } }), undefined);
  });

  test('one hop with updateTrackingTags; every hop after a write with propagateTrackingTags', () => {
    const s = streamWith([ist('b', 'a'), ist('c', 'b'), ist('d', 'c')], { a: [ev('r1', 'i1')] });
    assert.deepEqual(updateTrackingTags(structuredClone(s), 'a', ev('r1', 'i1')), ['b']);
    const old = structuredClone(s);
    old.status = { tags: [] };
    assert.equal(propagateTrackingTags(s, old), 3);
    for (const t of ['b', 'c', 'd']) assert.deepEqual(items(s, t), [['r1', 'i1', 1]], t);
  });

  test('unchanged tags do not propagate; cycles end', () => {
    const s = streamWith([ist('a', 'b'), ist('b', 'a')], { a: [ev('r1', 'i1')] });
    assert.equal(propagateTrackingTags(s, structuredClone(s)), 0);
    const old = structuredClone(s);
    addTagEvent(s, 'a', ev('r2', 'i2'));
    assert.equal(propagateTrackingTags(s, old), 1);
    assert.deepEqual(items(s, 'b'), [['r2', 'i2', 1]]);
  });
});

describe('reference policy, short IDs and the history bound', () => {
  const A = `sha256:${'a'.repeat(64)}`;
  const AB = `sha256:ab${'0'.repeat(62)}`;

  test('Local: <status.dockerImageRepository>@<image>; without an image or repository: the event reference', () => {
    const s = streamWith([{ name: 'l', referencePolicy: { type: 'Local' } }, { name: 's', referencePolicy: { type: 'Source' } }]);
    assert.equal(resolveReferenceForTagEvent(s, 'l', ev('quay.io/x@y', A)), `reg:5000/ns/is@${A}`);
    assert.equal(resolveReferenceForTagEvent(s, 'l', ev('quay.io/x:1', '')), 'quay.io/x:1');
    assert.equal(resolveReferenceForTagEvent(s, 's', ev('quay.io/x@y', A)), 'quay.io/x@y');
    assert.equal(resolveReferenceForTagEvent(s, 'nospec', ev('quay.io/x@y', A)), 'quay.io/x@y');
    const noRepo = streamWith([{ name: 'l', referencePolicy: { type: 'Local' } }]);
    delete noRepo.status?.dockerImageRepository;
    assert.equal(resolveReferenceForTagEvent(noRepo, 'l', ev('quay.io/x@y', A)), 'quay.io/x@y');
  });

  test('resolveImageId: prefix of the hex or of the whole name; 404 none; 409 several (sorted)', () => {
    const s = streamWith([], { x: [ev('r/a', A), ev('r/ab', AB)], y: [ev('r/a2', A)] });
    assert.equal(resolveImageId(s, 'aa', 'now').image, A);
    assert.equal(resolveImageId(s, 'sha256:ab', 'now').image, AB);
    assert.throws(
      () => resolveImageId(s, 'a', 'now'),
      (e: unknown) => e instanceof StatusError && e.code === 409 && e.message.endsWith(`multiple images match the prefix "a": ${A}, ${AB}`),
    );
    assert.throws(() => resolveImageId(s, 'c', 'now'), (e: unknown) => e instanceof StatusError && e.message === 'imagestreamimage.image.openshift.io "c" not found');
  });

  test('limitTagHistory keeps the newest N; 0 or undefined keep all', () => {
    const s = streamWith([], { t: [ev('3', '3'), ev('2', '2'), ev('1', '1')] });
    limitTagHistory(s, 0);
    assert.equal(items(s, 't').length, 3);
    limitTagHistory(s, 2);
    assert.deepEqual(items(s, 't').map((e) => e[0]), ['3', '2']);
  });
});
