import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { KubeObject } from '../../../src/apiserver/api/types.js';
import type { StorageWatchEvent } from '../../../src/apiserver/storage/interfaces.js';
import { EventReader, obj, sleep, startHarness, summarize, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.teardown();
});

const rvOf = (o: KubeObject) => o.metadata.resourceVersion ?? '';

/** etcd's own count of open watchers, to prove stop() releases them. */
async function etcdWatchers(): Promise<number> {
  const text = await (await fetch(`${h.etcd.endpoint}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('etcd_debugging_mvcc_watcher_total '));
  assert.ok(line, 'etcd exposes etcd_debugging_mvcc_watcher_total');
  return Number(line.split(' ')[1]);
}

/** The watcher count once watches stopped by earlier tests are gone (etcd cancels asynchronously). */
async function settledWatchers(): Promise<number> {
  let prev = await etcdWatchers();
  for (;;) {
    await sleep(200);
    const cur = await etcdWatchers();
    if (cur === prev) return cur;
    prev = cur;
  }
}

describe('watch from a resourceVersion', () => {
  it('when objects are created, updated and deleted, the watch sees each change in order, DELETED with the last state', async () => {
    const s = h.storage();
    const start = await s.currentRevision();
    const r = new EventReader(await s.watch('imagestreams/ns/', { resourceVersion: start }));
    const a = await s.create('imagestreams/ns/a', obj('ns', 'a', { spec: { v: 1 } }));
    const a2 = await s.guaranteedUpdate('imagestreams/ns/a', (c) => ({ ...c, spec: { v: 2 } }));
    const b = await s.create('imagestreams/ns/b', obj('ns', 'b'));
    const gone = await s.delete('imagestreams/ns/a');
    await s.create('imagestreams/other/x', obj('other', 'x'));
    assert.equal(summarize(await r.next()), `ADDED ns/a ${rvOf(a)}`);
    const mod = await r.next();
    assert.equal(summarize(mod), `MODIFIED ns/a ${rvOf(a2)}`);
    assert.equal(summarize(await r.next()), `ADDED ns/b ${rvOf(b)}`);
    const del = await r.next();
    assert.equal(summarize(del), `DELETED ns/a ${rvOf(gone)}`);
    assert.deepEqual(del.type === 'DELETED' && del.object.spec, { v: 2 });
    assert.equal(await r.none(300), undefined, 'nothing from another namespace');
    r.stream.stop();
  });

  it('when started at an older revision, only events after it are replayed', async () => {
    const s = h.storage();
    const a = await s.create('imagestreams/re/a', obj('re', 'a'));
    const b = await s.create('imagestreams/re/b', obj('re', 'b'));
    const r = new EventReader(await s.watch('imagestreams/re/', { resourceVersion: rvOf(a) }));
    assert.equal(summarize(await r.next()), `ADDED re/b ${rvOf(b)}`);
    assert.equal(await r.none(200), undefined);
    r.stream.stop();
  });

  it('when a predicate is given, objects that start matching are ADDED and those that stop matching are DELETED', async () => {
    const s = h.storage();
    const predicate = (o: KubeObject) => o.metadata.labels?.app === 'web';
    const r = new EventReader(await s.watch('imagestreams/sel/', { resourceVersion: await s.currentRevision(), predicate }));
    await s.create('imagestreams/sel/x', obj('sel', 'x', { metadata: { labels: { app: 'db' } } }));
    const on = await s.guaranteedUpdate('imagestreams/sel/x', (c) => ({ ...c, metadata: { ...c.metadata, labels: { app: 'web' } } }));
    const still = await s.guaranteedUpdate('imagestreams/sel/x', (c) => ({ ...c, spec: { v: 1 } }));
    const off = await s.guaranteedUpdate('imagestreams/sel/x', (c) => ({ ...c, metadata: { ...c.metadata, labels: { app: 'db' } } }));
    await s.delete('imagestreams/sel/x');
    assert.equal(summarize(await r.next()), `ADDED sel/x ${rvOf(on)}`);
    assert.equal(summarize(await r.next()), `MODIFIED sel/x ${rvOf(still)}`);
    const del = await r.next();
    assert.equal(summarize(del), `DELETED sel/x ${rvOf(off)}`);
    // The DELETED object is the old content (still matching), at the new revision.
    assert.equal(del.type === 'DELETED' && del.object.metadata.labels?.app, 'web');
    assert.equal(await r.none(300), undefined);
    r.stream.stop();
  });

  it('when singleKey is set, only that key is watched', async () => {
    const s = h.storage();
    const r = new EventReader(await s.watch('imagestreams/one/a', { resourceVersion: await s.currentRevision(), singleKey: true }));
    await s.create('imagestreams/one/ab', obj('one', 'ab'));
    const a = await s.create('imagestreams/one/a', obj('one', 'a'));
    assert.equal(summarize(await r.next()), `ADDED one/a ${rvOf(a)}`);
    assert.equal(await r.none(200), undefined);
    r.stream.stop();
  });
});

describe('watch with initial state', () => {
  it('when resourceVersion is "" or "0", every current object is sent as ADDED first, then changes', async () => {
    const s = h.storage();
    const a = await s.create('imagestreams/init/a', obj('init', 'a'));
    const b = await s.create('imagestreams/init/b', obj('init', 'b', { metadata: { labels: { skip: 'y' } } }));
    for (const resourceVersion of ['', '0']) {
      const r = new EventReader(await s.watch('imagestreams/init/', { resourceVersion }));
      assert.equal(summarize(await r.next()), `ADDED init/a ${rvOf(a)}`);
      assert.equal(summarize(await r.next()), `ADDED init/b ${rvOf(b)}`);
      const c = await s.create(`imagestreams/init/c${resourceVersion}`, obj('init', `c${resourceVersion}`));
      assert.equal(summarize(await r.next()), `ADDED init/c${resourceVersion} ${rvOf(c)}`);
      r.stream.stop();
      await s.delete(`imagestreams/init/c${resourceVersion}`);
    }
    // The predicate applies to the initial state too.
    const r = new EventReader(await s.watch('imagestreams/init/', { predicate: (o) => !o.metadata.labels?.skip }));
    assert.equal(summarize(await r.next()), `ADDED init/a ${rvOf(a)}`);
    assert.equal(await r.none(200), undefined);
    r.stream.stop();
  });

  it('when sendInitialEvents and allowBookmarks are set, the initial ADDEDs end with a BOOKMARK at the snapshot revision', async () => {
    const s = h.storage();
    await s.create('imagestreams/wl/a', obj('wl', 'a'));
    await s.create('imagestreams/wl/b', obj('wl', 'b'));
    const snapshot = await s.currentRevision();
    const r = new EventReader(await s.watch('imagestreams/wl/', { sendInitialEvents: true, allowBookmarks: true }));
    assert.equal((await r.next()).type, 'ADDED');
    assert.equal((await r.next()).type, 'ADDED');
    assert.equal(summarize(await r.next()), `BOOKMARK ${snapshot} end`);
    const c = await s.create('imagestreams/wl/c', obj('wl', 'c'));
    assert.equal(summarize(await r.next()), `ADDED wl/c ${rvOf(c)}`);
    r.stream.stop();
  });

  it('when sendInitialEvents asks for a revision not older than N, the snapshot is at least N', async () => {
    const s = h.storage();
    const a = await s.create('imagestreams/wl2/a', obj('wl2', 'a'));
    const r = new EventReader(await s.watch('imagestreams/wl2/', { sendInitialEvents: true, allowBookmarks: true, resourceVersion: rvOf(a) }));
    assert.equal(summarize(await r.next()), `ADDED wl2/a ${rvOf(a)}`);
    const end = await r.next();
    assert.ok(end.type === 'BOOKMARK' && end.initialEventsEnd && BigInt(end.resourceVersion) >= BigInt(rvOf(a)));
    r.stream.stop();
  });

  it('when the initial state is larger than the buffer, it is delivered in full as the consumer reads', async () => {
    const s = h.storage({ watch: { queueCapacity: 8, initialChunkSize: 3 } });
    for (let i = 0; i < 30; i++) await s.create(`imagestreams/big/o${String(i).padStart(2, '0')}`, obj('big', `o${i}`));
    const r = new EventReader(await s.watch('imagestreams/big/', { resourceVersion: '0' }));
    await sleep(200); // let the producer fill the buffer
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const ev = await r.next();
      assert.equal(ev.type, 'ADDED', summarize(ev));
      seen.push(ev.type === 'ADDED' ? (ev.object.metadata.name ?? '') : '');
    }
    assert.equal(new Set(seen).size, 30);
    r.stream.stop();
  });
});

describe('watch bookmarks', () => {
  it('when allowBookmarks is set, periodic BOOKMARKs carry the latest revision', async () => {
    const s = h.storage({ watch: { bookmarkIntervalMs: 200 } });
    const r = new EventReader(await s.watch('imagestreams/bm/', { resourceVersion: await s.currentRevision(), allowBookmarks: true }));
    // A write elsewhere moves the revision; the bookmark must reach it without any event here.
    const elsewhere = await s.create('imagestreams/not-bm/x', obj('not-bm', 'x'));
    let ev: StorageWatchEvent;
    do {
      ev = await r.next(3000);
      assert.equal(ev.type, 'BOOKMARK');
    } while (ev.type === 'BOOKMARK' && BigInt(ev.resourceVersion) < BigInt(rvOf(elsewhere)));
    assert.ok(ev.type === 'BOOKMARK' && !ev.initialEventsEnd);
    r.stream.stop();
  });

  it('when allowBookmarks is not set, no BOOKMARK is sent', async () => {
    const s = h.storage({ watch: { bookmarkIntervalMs: 100 } });
    const r = new EventReader(await s.watch('imagestreams/nobm/', { resourceVersion: await s.currentRevision() }));
    assert.equal(await r.none(500), undefined);
    r.stream.stop();
  });
});

describe('watch errors and lifecycle', () => {
  it('when the start revision was compacted, the watch sends ERROR Compacted and ends', async () => {
    const s = h.storage();
    const a = await s.create('imagestreams/cmp/a', obj('cmp', 'a'));
    await s.create('imagestreams/cmp/b', obj('cmp', 'b'));
    await h.compact();
    const r = new EventReader(await s.watch('imagestreams/cmp/', { resourceVersion: String(BigInt(rvOf(a)) - 1n) }));
    const ev = await r.next();
    assert.equal(summarize(ev), 'ERROR Compacted');
    assert.equal(await r.nextOrEnd(), 'end');
  });

  it('when the start revision is in the future and etcd does not reach it, the watch sends ERROR TooLargeResourceVersion', async () => {
    const s = h.storage({ watch: { futureRevisionWaitMs: 300 } });
    const future = String(BigInt(await s.currentRevision()) + 1000n);
    const r = new EventReader(await s.watch('imagestreams/fut/', { resourceVersion: future }));
    const ev = await r.next();
    assert.equal(summarize(ev), 'ERROR TooLargeResourceVersion');
    assert.ok(ev.type === 'ERROR' && ev.error.extra.requestedRevision === future);
    assert.equal(await r.nextOrEnd(), 'end');
  });

  it('when the start revision is reached while waiting, the watch proceeds normally', async () => {
    const s = h.storage({ watch: { futureRevisionWaitMs: 3000 } });
    const next = String(BigInt(await s.currentRevision()) + 1n);
    const r = new EventReader(await s.watch('imagestreams/soon/', { resourceVersion: next }));
    await sleep(100);
    await s.create('imagestreams/soon/a', obj('soon', 'a')); // reaches `next`, not after it
    const b = await s.create('imagestreams/soon/b', obj('soon', 'b'));
    assert.equal(summarize(await r.next()), `ADDED soon/b ${rvOf(b)}`);
    r.stream.stop();
  });

  it('when stop() is called, the stream ends and etcd releases the watcher', async () => {
    const s = h.storage();
    const before = await settledWatchers();
    const streams = await Promise.all(
      Array.from({ length: 3 }, async () => s.watch('imagestreams/stop/', { resourceVersion: await s.currentRevision() })),
    );
    await waitFor(async () => (await etcdWatchers()) === before + 3);
    for (const st of streams) st.stop();
    for (const st of streams) assert.equal(await new EventReader(st).nextOrEnd(), 'end');
    await waitFor(async () => (await etcdWatchers()) === before);
  });

  it('when the consumer leaves the for-await loop, the watch is released', async () => {
    const s = h.storage();
    const before = await settledWatchers();
    const stream = await s.watch('imagestreams/loop/', { resourceVersion: await s.currentRevision() });
    await waitFor(async () => (await etcdWatchers()) === before + 1);
    setTimeout(() => void s.create('imagestreams/loop/a', obj('loop', 'a')), 50);
    for await (const ev of stream.events) {
      assert.equal(ev.type, 'ADDED');
      break;
    }
    await waitFor(async () => (await etcdWatchers()) === before);
  });

  it('when the consumer falls too far behind, the backlog is dropped and the watch ends with an ERROR', async () => {
    const s = h.storage({ watch: { queueCapacity: 5 } });
    const r = new EventReader(await s.watch('imagestreams/slow/', { resourceVersion: await s.currentRevision() }));
    for (let i = 0; i < 10; i++) await s.create(`imagestreams/slow/o${i}`, obj('slow', `o${i}`));
    await sleep(300);
    const ev = await r.next();
    assert.equal(summarize(ev), 'ERROR Internal');
    assert.match(ev.type === 'ERROR' ? ev.error.message : '', /too slow/);
    assert.equal(await r.nextOrEnd(), 'end');
  });

  it('when the resourceVersion is not a number, watch() rejects', async () => {
    const s = h.storage();
    await assert.rejects(s.watch('imagestreams/', { resourceVersion: 'x1' }), /invalid resource version/);
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`condition not reached in time (etcd watchers: ${await etcdWatchers()})`);
    await sleep(50);
  }
}
