// The pure parts of imports: ImageStreamImport defaulting, which repository tags go first, how
// results change a stream (and when they change nothing), which tags the controller imports, its
// queue and its rate limit.

import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { defaultImageStreamImport } from '../../../src/image/api/defaults.js';
import type { ImageStream } from '../../../src/image/api/types.js';
import type { ImageStreamImport } from '../../../src/image/api/virtual-types.js';
import { hasScheduledTags, importFor, needsPendingImport } from '../../../src/image/controllers/import-needs.js';
import { ImportQueue } from '../../../src/image/controllers/import-queue.js';
import { TokenBucket } from '../../../src/image/controllers/rate-limiter.js';
import { applyImports, comparableStream, type TagImport } from '../../../src/image/registry/imagestreamimport/apply.js';
import { prioritizeTags } from '../../../src/image/registry/imagestreamimport/tag-order.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const NOW = new Date('2024-05-06T07:08:09Z');

describe('ImageStreamImport defaulting', () => {
  it('fills policies and a target tag only when from.name has a tag', () => {
    const isi: ImageStreamImport = {
      metadata: { name: 'x' },
      spec: {
        import: true,
        images: [{ from: { kind: 'DockerImage', name: 'quay.io/a/b:1.0' } }, { from: { kind: 'DockerImage', name: 'busybox' } }, { from: { kind: 'DockerImage', name: `busybox@${D1}` } }],
        repository: { from: { kind: 'DockerImage', name: 'quay.io/a/b' } },
      },
    };
    defaultImageStreamImport(isi, { importMode: 'PreserveOriginal' });
    assert.deepEqual(isi.spec.images?.map((i) => i.to), [{ name: '1.0' }, undefined, undefined]);
    assert.deepEqual(isi.spec.images?.[0]?.importPolicy, { importMode: 'PreserveOriginal' });
    assert.deepEqual(isi.spec.images?.[1]?.referencePolicy, { type: 'Source' });
    assert.deepEqual(isi.spec.repository?.importPolicy, { importMode: 'PreserveOriginal' });
  });
});

describe('repository tag priority', () => {
  it('latest, minor versions newest first, full versions newest first, then the rest', () => {
    assert.deepEqual(prioritizeTags(['beta', '1.2.3', 'v5.1', '5.1', 'latest', '5.1-rc1', '10.0', 'v1.10.0', 'alpha', '1.2.3-rc.1']), [
      'latest',
      '10.0',
      '5.1',
      'v5.1',
      '5.1-rc1',
      'v1.10.0',
      '1.2.3',
      '1.2.3-rc.1',
      'alpha',
      'beta',
    ]);
  });
});

function stream(tags: ImageStream['spec'] = {}, status: ImageStream['status'] = {}, generation = 1): ImageStream {
  return { metadata: { name: 's', namespace: 'ns', generation, annotations: { 'openshift.io/image.dockerRepositoryCheck': 'x' } }, spec: tags, status };
}
const image = (digest: string) => ({ metadata: { name: digest }, dockerImageReference: `quay.io/a/b@${digest}` });
const success = (tag: string, digest: string): TagImport => ({
  tag,
  from: `quay.io/a/b:${tag}`,
  importPolicy: { importMode: 'Legacy' },
  referencePolicy: { type: 'Source' },
  image: image(digest),
  ensureSpecTagOnFailure: true,
});

describe('recording import results on a stream', () => {
  it('a new image adds an event and re-points the spec tag at generation 0', () => {
    const s = stream({ tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'old/x:v1' }, generation: 1, referencePolicy: { type: 'Local' } }] });
    applyImports(s, [success('v1', D1)], { now: NOW, nextGeneration: 2 });
    assert.deepEqual(s.spec?.tags?.[0], {
      name: 'v1',
      from: { kind: 'DockerImage', name: 'quay.io/a/b:v1' },
      generation: 0,
      referencePolicy: { type: 'Local' },
      importPolicy: { importMode: 'Legacy' },
    });
    assert.deepEqual(s.status?.tags?.[0]?.items, [{ created: '2024-05-06T07:08:09Z', dockerImageReference: `quay.io/a/b@${D1}`, image: D1, generation: 2 }]);
  });

  it('the same image again changes nothing', () => {
    const s = stream(
      { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/a/b:v1' }, generation: 2, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } }] },
      { tags: [{ tag: 'v1', items: [{ created: '2020-01-01T00:00:00Z', dockerImageReference: `quay.io/a/b@${D1}`, image: D1, generation: 2 }] }] },
      2,
    );
    const before = comparableStream(s, {});
    applyImports(s, [success('v1', D1)], { now: NOW, nextGeneration: 3 });
    assert.equal(comparableStream(s, {}), before);
  });

  it('a failure sets a condition once; the same failure again changes nothing', () => {
    const s = stream({ tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/a/b:v1' }, generation: 1 }] });
    const failed: TagImport = { ...success('v1', D1), image: undefined, failure: { metadata: {}, status: 'Failure', reason: 'NotFound', message: 'gone', code: 404 } };
    applyImports(s, [failed], { now: NOW, nextGeneration: 2 });
    assert.deepEqual(s.status?.tags?.[0]?.conditions, [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: '2024-05-06T07:08:09Z', reason: 'NotFound', message: 'gone', generation: 2 }]);
    assert.equal(s.spec?.tags?.[0]?.generation, 0);
    const after = comparableStream(s, {});
    applyImports(s, [failed], { now: new Date('2030-01-01T00:00:00Z'), nextGeneration: 5 });
    assert.equal(comparableStream(s, {}), after);
  });

  it('a later success clears the condition', () => {
    const s = stream({}, { tags: [{ tag: 'v1', items: null, conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'x', message: 'y' }] }] });
    applyImports(s, [success('v1', D2)], { now: NOW, nextGeneration: 2 });
    assert.equal(s.status?.tags?.[0]?.conditions, undefined);
    assert.equal(s.status?.tags?.[0]?.items?.[0]?.image, D2);
  });
});

describe('what the controller imports', () => {
  const tag = (name: string, extra: Record<string, unknown> = {}) => ({ name, from: { kind: 'DockerImage', name: `quay.io/a/b:${name}` }, generation: 2, ...extra });
  const observed = (name: string, generation: number) => ({ tag: name, items: [{ created: null, dockerImageReference: 'x', image: D1, generation }] });

  it('a tag whose generation is newer than its status is pending', () => {
    const s = stream({ tags: [tag('new'), tag('done'), tag('ref', { reference: true })] }, { tags: [observed('done', 2)] }, 2);
    assert.equal(needsPendingImport(s), true);
    assert.deepEqual(importFor(s, 'pending')?.spec.images?.map((i) => i.to?.name), ['new']);
  });

  it('a failure condition at the tag\'s generation counts as observed', () => {
    const s = stream({ tags: [tag('bad')] }, { tags: [{ tag: 'bad', items: null, conditions: [{ type: 'ImportSuccess', status: 'False', generation: 2 }] }] }, 2);
    assert.equal(needsPendingImport(s), false);
    assert.equal(importFor(s, 'pending'), undefined);
  });

  it('scheduled rounds add scheduled tags; an imported digest is never re-checked', () => {
    const s = stream(
      { tags: [tag('a', { importPolicy: { scheduled: true } }), { ...tag('pinned', { importPolicy: { scheduled: true } }), from: { kind: 'DockerImage', name: `quay.io/a/b@${D1}` } }, tag('b')] },
      { tags: [observed('a', 2), observed('pinned', 2), observed('b', 2)] },
      2,
    );
    assert.equal(needsPendingImport(s), false);
    assert.equal(hasScheduledTags(s), true);
    assert.deepEqual(importFor(s, 'scheduled')?.spec.images?.map((i) => i.to?.name), ['a']);
  });

  it('a stream never imported into with a repository gets a repository import, insecure when the stream says so', () => {
    const s = stream({ dockerImageRepository: 'reg.local:5000/team/app' });
    s.metadata.annotations = { 'openshift.io/image.insecureRepository': 'true' };
    const isi = importFor(s, 'pending');
    assert.deepEqual(isi?.spec.repository, { from: { kind: 'DockerImage', name: 'reg.local:5000/team/app' }, importPolicy: { insecure: true } });
    assert.deepEqual(isi?.metadata, { name: 's', namespace: 'ns' });
  });
});

describe('the import queue', () => {
  it('serves pending before scheduled, each stream once, and re-queues a stream that changed while it was imported', async () => {
    const q = new ImportQueue();
    q.add('a', 'scheduled');
    q.add('b', 'scheduled');
    q.add('b', 'pending');
    q.add('a', 'scheduled');
    assert.equal(q.length, 2);
    assert.deepEqual(await q.take(), { key: 'b', kind: 'pending' });
    q.add('b', 'scheduled'); // while b is being imported
    assert.deepEqual(await q.take(), { key: 'a', kind: 'scheduled' });
    assert.equal(q.length, 0);
    q.done('b');
    assert.deepEqual(await q.take(), { key: 'b', kind: 'scheduled' });
    const waiting = q.take();
    q.close();
    assert.equal(await waiting, undefined);
  });
});

describe('the import rate limit', () => {
  it('allows a burst, then one token per 60/rate seconds', async () => {
    let now = 0;
    const bucket = new TokenBucket(60, 2, () => now);
    const signal = new AbortController().signal;
    await bucket.take(signal);
    await bucket.take(signal);
    let third = false;
    const p = bucket.take(signal).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(third, false);
    now = 1000;
    await p;
    assert.equal(third, true);
  });

  it('an abort ends the wait', async () => {
    const bucket = new TokenBucket(1, 1);
    const ac = new AbortController();
    await bucket.take(ac.signal);
    const p = bucket.take(ac.signal);
    ac.abort(new Error('stopped'));
    await assert.rejects(p, /stopped/);
  });
});
