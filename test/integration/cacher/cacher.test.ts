import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { KubeObject } from '../../../src/apiserver/api/types.js';
import { Cacher, defaultCacherConfig, type CacherConfig } from '../../../src/apiserver/storage/cacher/index.js';
import { silentLogger } from '../../../src/apiserver/storage/etcd3/client.js';
import type { Etcd3Storage } from '../../../src/apiserver/storage/etcd3/index.js';
import { StorageError, type Storage, type StorageWatchEvent, type WatchOptions, type WatchStream } from '../../../src/apiserver/storage/interfaces.js';
import { EventReader, obj, sleep, startHarness, summarize, type Harness } from '../storage/harness.js';

let h: Harness;
const cachers: Cacher[] = [];
before(async () => {
  h = await startHarness();
});
after(async () => {
  await Promise.all(cachers.map((c) => c.close()));
  await h.teardown();
});

const RESOURCES = ['imagestreams', 'images'];

/** A cacher over its own etcd storage; `prefix` shares the keys of another instance (another server). */
async function cacher(prefix: string, config: Partial<CacherConfig> = {}, wrap: (s: Etcd3Storage) => Storage = (s) => s): Promise<Cacher> {
  const c = new Cacher(wrap(h.storage({ prefix })), silentLogger, { ...defaultCacherConfig, ...config });
  cachers.push(c);
  c.start(RESOURCES);
  await c.list('imagestreams/', { resourceVersion: '0' });
  return c;
}

const newPrefix = (): string => `/cacher-${randomBytes(4).toString('hex')}`;
const names = (items: KubeObject[]): string[] => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

/** Reads events until `done` says the collected ones are enough (or fails after the timeout). */
async function collect(r: EventReader, done: (evs: StorageWatchEvent[]) => boolean, timeoutMs = 10_000): Promise<StorageWatchEvent[]> {
  const evs: StorageWatchEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(evs)) evs.push(await r.next(Math.max(1, deadline - Date.now())));
  return evs;
}

/** The state a client builds from events: key -> resourceVersion. */
function replay(evs: StorageWatchEvent[], into = new Map<string, string>()): Map<string, string> {
  for (const ev of evs) {
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
    const k = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
    if (ev.type === 'DELETED') into.delete(k);
    else into.set(k, ev.object.metadata.resourceVersion ?? '');
  }
  return into;
}

function stateOf(items: KubeObject[]): Map<string, string> {
  return new Map(items.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion ?? '']));
}

describe('reads from the watch cache', () => {
  it('lists and gets see, at once, what another server instance wrote, including deletes', async () => {
    const prefix = newPrefix();
    const a = await cacher(prefix);
    const b = await cacher(prefix);
    const x = await b.create('imagestreams/ns/x', obj('ns', 'x'));
    const list = await a.list('imagestreams/ns/', {});
    assert.deepEqual(names(list.items), ['ns/x']);
    assert.ok(BigInt(list.resourceVersion) >= BigInt(x.metadata.resourceVersion ?? ''));
    const got = await a.get('imagestreams/ns/x', { shared: true });
    assert.equal(got.metadata.resourceVersion, x.metadata.resourceVersion);
    await b.delete('imagestreams/ns/x');
    await assert.rejects(a.get('imagestreams/ns/x', { shared: true }), (e: unknown) => e instanceof StorageError && e.code === 'KeyNotFound');
    assert.deepEqual((await a.list('imagestreams/ns/', {})).items, []);
  });

  it('a most-recent list answers at least the revision of a write to another resource', async () => {
    const prefix = newPrefix();
    const a = await cacher(prefix);
    const b = await cacher(prefix);
    await b.create('imagestreams/ns/s', obj('ns', 's'));
    await a.list('imagestreams/', {});
    const img = await b.create('images/i1', { kind: 'Image', apiVersion: 'image.openshift.io/v1', metadata: { name: 'i1' } });
    const list = await a.list('imagestreams/', {});
    assert.ok(BigInt(list.resourceVersion) >= BigInt(img.metadata.resourceVersion ?? ''), `${list.resourceVersion} < ${img.metadata.resourceVersion}`);
  });

  it('pages with limit and continue like etcd, with the same items, tokens and remaining counts', async () => {
    const prefix = newPrefix();
    const a = await cacher(prefix);
    for (const n of ['a', 'b', 'c', 'd', 'e']) await a.create(`imagestreams/p/${n}`, obj('p', n));
    await a.create('imagestreams/q/z', obj('q', 'z'));
    const etcd = h.storage({ prefix });
    const fromCache = await a.list('imagestreams/p/', { limit: 2 });
    const fromEtcd = await etcd.list('imagestreams/p/', { limit: 2 });
    assert.deepEqual(fromCache, fromEtcd);
    const next = await a.list('imagestreams/p/', { limit: 2, continue: fromCache.continue });
    assert.deepEqual(next, await etcd.list('imagestreams/p/', { limit: 2, continue: fromEtcd.continue }));
    assert.deepEqual(names(next.items), ['p/c', 'p/d']);
    const selected = await a.list('imagestreams/', { predicate: (o) => o.metadata.name !== 'b', hasSelector: true, limit: 3 });
    assert.deepEqual(names(selected.items), ['p/a', 'p/c', 'p/d']);
    assert.equal(selected.remainingItemCount, undefined);
  });

  it('a list copy can be changed without changing what the cache serves', async () => {
    const prefix = newPrefix();
    const a = await cacher(prefix);
    await a.create('imagestreams/m/a', obj('m', 'a', { spec: { v: 1 } }));
    const copy = await a.list('imagestreams/m/', {});
    (copy.items[0] as unknown as { spec: { v: number } }).spec.v = 99;
    assert.deepEqual((await a.list('imagestreams/m/', {})).items[0].spec, { v: 1 });
  });
});

describe('watches from the watch cache', () => {
  it('every watcher of every cached resource is fed by one etcd watch', async () => {
    let watches = 0;
    const counting = (s: Etcd3Storage): Storage =>
      Object.assign(Object.create(s) as Storage, {
        watch: (k: string, o?: WatchOptions) => {
          watches++;
          return s.watch(k, o);
        },
      });
    const a = await cacher(newPrefix(), {}, counting);
    const start = (await a.list('imagestreams/', {})).resourceVersion;
    const readers = await Promise.all(Array.from({ length: 20 }, async () => new EventReader(await a.watch('imagestreams/', { resourceVersion: start }))));
    const images = await Promise.all(Array.from({ length: 5 }, async () => new EventReader(await a.watch('images/', { resourceVersion: start }))));
    await a.create('imagestreams/w/one', obj('w', 'one'));
    await a.create('images/one', { kind: 'Image', apiVersion: 'image.openshift.io/v1', metadata: { name: 'one' } });
    for (const r of readers) assert.match(summarize(await r.next()), /^ADDED w\/one /);
    for (const r of images) assert.match(summarize(await r.next()), /^ADDED undefined\/one /);
    assert.equal(watches, 1);
    for (const r of images) r.stream.stop();
    for (const r of readers) r.stream.stop();
  });

  it('no event is missed or repeated across an etcd restart', async () => {
    const prefix = newPrefix();
    const a = await cacher(prefix);
    const start = (await a.list('imagestreams/', {})).resourceVersion;
    const r = new EventReader(await a.watch('imagestreams/', { resourceVersion: start }));
    await a.create('imagestreams/r/before', obj('r', 'before'));
    await h.etcd.stop();
    await sleep(500);
    await h.etcd.start();
    const writer = h.storage({ prefix });
    for (let i = 0; i < 5; i++) await writer.create(`imagestreams/r/after-${i}`, obj('r', `after-${i}`));
    await writer.guaranteedUpdate('imagestreams/r/before', (c) => ({ ...c, spec: { v: 2 } }));
    const evs = await collect(r, (e) => e.length >= 7);
    assert.deepEqual(
      evs.map((e) => summarize(e).split(' ').slice(0, 2).join(' ')),
      ['ADDED r/before', ...[0, 1, 2, 3, 4].map((i) => `ADDED r/after-${i}`), 'MODIFIED r/before'],
    );
    const revs = evs.map((e) => BigInt(e.type === 'ADDED' || e.type === 'MODIFIED' ? (e.object.metadata.resourceVersion ?? '0') : '0'));
    assert.deepEqual(revs, [...revs].sort((x, y) => (x < y ? -1 : 1)));
    assert.equal(await r.none(300), undefined);
    r.stream.stop();
  });

  it('after its own etcd watch is compacted away, the cache re-lists and clients see the difference, once', async () => {
    // The cache's etcd watch can be held at the gate: writes and a compaction then happen before it starts.
    let gate: Promise<void> = Promise.resolve();
    let open: () => void = () => undefined;
    let current: WatchStream | undefined;
    let starts = 0;
    const gated = (s: Etcd3Storage): Storage =>
      Object.assign(Object.create(s) as Storage, {
        watch: async (k: string, o?: WatchOptions) => {
          if (k !== '') return s.watch(k, o);
          starts++;
          await gate;
          current = await s.watch(k, o);
          return current;
        },
      });
    const prefix = newPrefix();
    const a = await cacher(prefix, {}, gated);
    const writer = h.storage({ prefix });
    await writer.create('imagestreams/c/keep', obj('c', 'keep'));
    await writer.create('imagestreams/c/gone', obj('c', 'gone'));
    const initial = await a.list('imagestreams/', {});
    const r = new EventReader(await a.watch('imagestreams/', { resourceVersion: initial.resourceVersion }));

    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    current?.stop(); // the cache's etcd watch ends; its next one waits at the gate
    while (starts < 2) await sleep(20);
    await writer.guaranteedUpdate('imagestreams/c/keep', (c) => ({ ...c, spec: { v: 1 } }));
    await writer.guaranteedUpdate('imagestreams/c/keep', (c) => ({ ...c, spec: { v: 2 } }));
    await writer.delete('imagestreams/c/gone');
    await writer.create('imagestreams/c/new', obj('c', 'new'));
    await h.compact();
    open();

    const truth = await writer.list('imagestreams/', {});
    const want = stateOf(truth.items);
    const evs = await collect(r, (e) => isDeepStrictEqual(replay(e, stateOf(initial.items)), want));
    assert.equal(new Set(evs.map(summarize)).size, evs.length, 'no event twice');
    assert.equal(await r.none(300), undefined);
    assert.ok(starts >= 3, 'the compacted watch was replaced by a re-list and a new watch');
    r.stream.stop();
  });

  it('a watcher too slow to keep up is closed with an ERROR while the others go on', async () => {
    const a = await cacher(newPrefix(), { watcherQueueCapacity: 5 });
    const start = (await a.list('imagestreams/', {})).resourceVersion;
    const slow = new EventReader(await a.watch('imagestreams/', { resourceVersion: start }));
    const fast = new EventReader(await a.watch('imagestreams/', { resourceVersion: start }));
    const got: StorageWatchEvent[] = [];
    for (let i = 0; i < 20; i++) {
      await a.create(`imagestreams/s/o${i}`, obj('s', `o${i}`));
      got.push(await fast.next());
    }
    assert.equal(got.length, 20);
    const slowEvents = await collect(slow, (e) => e.length > 0 && e[e.length - 1].type === 'ERROR');
    assert.ok(slowEvents.length <= 6);
    assert.equal(await slow.nextOrEnd(), 'end');
    assert.deepEqual(a.stats().find((s) => s.resource === 'imagestreams')?.watchers, 1);
    fast.stream.stop();
  });

  it('holds a bounded ring of events: older resourceVersions get "too old resource version", newer ones resume exactly', async () => {
    const a = await cacher(newPrefix(), { ringCapacity: 8 });
    const start = (await a.list('imagestreams/', {})).resourceVersion;
    const revs: string[] = [];
    for (let i = 0; i < 30; i++) revs.push((await a.create(`imagestreams/b/o${i}`, obj('b', `o${i}`))).metadata.resourceVersion ?? '');
    await a.list('imagestreams/', {});
    assert.equal(a.stats().find((s) => s.resource === 'imagestreams')?.events, 8);
    const old = new EventReader(await a.watch('imagestreams/', { resourceVersion: start }));
    const err = await old.next();
    assert.equal(err.type, 'ERROR');
    assert.ok(err.type === 'ERROR' && err.error.code === 'Compacted');
    assert.match(err.type === 'ERROR' ? (err.error.extra.tooOld ?? '') : '', new RegExp(`^too old resource version: ${start} \\(\\d+\\)$`));
    const recent = new EventReader(await a.watch('imagestreams/', { resourceVersion: revs[25] }));
    const evs = await collect(recent, (e) => e.length >= 4);
    assert.deepEqual(evs.map((e) => summarize(e)), [26, 27, 28, 29].map((i) => `ADDED b/o${i} ${revs[i]}`));
    recent.stream.stop();
  });

  it('a watch from a revision etcd has not reached ends with "Too large resource version" after the wait', async () => {
    const a = await cacher(newPrefix(), { futureRevisionWaitMs: 200 });
    const head = BigInt(await a.currentRevision());
    const r = new EventReader(await a.watch('imagestreams/', { resourceVersion: (head + 1000n).toString() }));
    const ev = await r.next();
    assert.ok(ev.type === 'ERROR' && ev.error.code === 'TooLargeResourceVersion');
    assert.match(ev.type === 'ERROR' ? ev.error.message : '', new RegExp(`^Too large resource version: ${head + 1000n}, current: \\d+$`));
    assert.equal(await r.nextOrEnd(), 'end');
  });

  it('selectors see objects that start matching as ADDED and stop matching as DELETED; sendInitialEvents ends with a bookmark', async () => {
    const a = await cacher(newPrefix());
    await a.create('imagestreams/sel/a', obj('sel', 'a', { metadata: { labels: { app: 'x' } } }));
    await a.create('imagestreams/sel/b', obj('sel', 'b'));
    const r = new EventReader(
      await a.watch('imagestreams/sel/', { sendInitialEvents: true, allowBookmarks: true, predicate: (o) => o.metadata.labels?.app === 'x' }),
    );
    assert.match(summarize(await r.next()), /^ADDED sel\/a /);
    const bm = await r.next();
    assert.ok(bm.type === 'BOOKMARK' && bm.initialEventsEnd === true);
    await a.guaranteedUpdate('imagestreams/sel/b', (c) => ({ ...c, metadata: { ...c.metadata, labels: { app: 'x' } } }));
    await a.guaranteedUpdate('imagestreams/sel/a', (c) => ({ ...c, metadata: { ...c.metadata, labels: {} } }));
    assert.match(summarize(await r.next()), /^ADDED sel\/b /);
    const gone = await r.next();
    assert.match(summarize(gone), /^DELETED sel\/a /);
    r.stream.stop();
  });
});
