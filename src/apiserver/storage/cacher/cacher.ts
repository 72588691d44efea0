// A Storage that serves lists, watches (and, when configured, gets) of some resources from a watch
// cache per resource, and passes everything else to the storage it wraps. Writes always go to etcd;
// the caches learn about them from etcd.
//
// One etcd watch feeds every cache: it covers the whole key prefix, so its events carry every
// revision of this server's keys in order. That is what makes consistent reads possible on etcd 3.4,
// whose progress requests may be answered before the events they cover: a read of the most recent
// state (resourceVersion "") reads etcd's current revision (one count-only range, shared by concurrent
// readers) and waits, briefly, until the feed has passed it. When etcd's revision moved on by writes
// outside this server's prefix (a shared etcd), nothing on the feed would ever reach it: a list or
// watch then writes a progress key under the prefix (one write shared by the readers waiting) and
// waits for its event. A get reads the key's current resourceVersion from etcd (without its value)
// and answers from memory when the cached version is that one. A read the cache cannot answer
// exactly (an older Exact revision, a continue token of another revision, a cache that is behind)
// goes to etcd.
//
// The feed starts from lists of every cached resource at one revision; etcd restarts are bridged by
// the etcd watch itself; when the watch is lost anyway (its revision compacted, a long outage) the
// caches re-list and turn the difference into events.

import type { KubeObject } from '../../api/types.js';
import type { StorageLogger } from '../etcd3/client.js';
import { decodeContinue, encodeContinue } from '../etcd3/continue-token.js';
import { EventQueue } from '../etcd3/event-queue.js';
import { tooLarge } from '../etcd3/list.js';
import {
  StorageError,
  type DeleteOptions,
  type GetOptions,
  type Lease,
  type ListOptions,
  type ListResult,
  type Storage,
  type UpdateFn,
  type UpdateOptions,
  type WatchOptions,
  type WatchStream,
} from '../interfaces.js';
import { parseResourceVersion } from '../resource-version.js';
import { CacheWatcher } from './cache-watcher.js';
import { RevisionReader } from './revision-reader.js';
import { WatchCache, type WatchCacheConfig } from './watch-cache.js';

export interface CacherConfig extends WatchCacheConfig {
  /** How long a most-recent read waits for the feed to pass etcd's revision before writing the progress key. */
  freshnessGraceMs: number;
  /** Keys per page of the (re)lists that fill the caches. */
  listPageSize: number;
  /** How long a read of the most recent state waits for the progress key's event before going to etcd. */
  freshnessTimeoutMs: number;
  /** How long a read or watch at a revision the cache has not reached yet waits for it. */
  futureRevisionWaitMs: number;
  /** How long a request waits for a cache that is still being filled before going to etcd. */
  readyTimeoutMs: number;
  /** Serve gets of the cached resources from memory too (else from etcd). */
  gets: boolean;
}

export const defaultCacherConfig: CacherConfig = {
  ringCapacity: 1024,
  watcherQueueCapacity: 1000,
  bookmarkIntervalMs: 60_000,
  listPageSize: 500,
  freshnessGraceMs: 5,
  freshnessTimeoutMs: 1000,
  futureRevisionWaitMs: 3000,
  readyTimeoutMs: 1000,
  gets: true,
};

export interface CacherStats {
  resource: string;
  objects: number;
  events: number;
  watchers: number;
  revision: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A key under the prefix (outside every resource) whose writes move the feed to etcd's revision. */
const PROGRESS_KEY = 'watch-cache-progress';

export class Cacher implements Storage {
  private readonly caches = new Map<string, WatchCache>();
  private readonly revisions: RevisionReader;
  private readonly progress: RevisionReader;
  private feed: WatchStream | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly inner: Storage,
    private readonly logger: StorageLogger,
    private readonly config: CacherConfig = defaultCacherConfig,
  ) {
    this.revisions = new RevisionReader(() => inner.currentRevision());
    this.progress = new RevisionReader(() => this.writeProgress());
  }

  private async writeProgress(): Promise<string> {
    const next = (cur: KubeObject): KubeObject => ({ metadata: { name: PROGRESS_KEY }, writes: Number((cur as { writes?: unknown }).writes ?? 0) + 1 }) as KubeObject;
    const written = await this.inner.guaranteedUpdate(PROGRESS_KEY, next, { createIfMissing: () => next({ metadata: {} }) });
    return written.metadata.resourceVersion ?? '0';
  }

  /** Serves `resources` (the first segment of their keys, "imagestreams") from memory from now on; called once. */
  start(resources: Iterable<string>): void {
    if (this.started) throw new Error('the cacher is already started');
    this.started = true;
    for (const r of resources) this.caches.set(r, new WatchCache(`${r}/`, this.config));
    for (const c of this.caches.values()) c.start();
    void this.follow();
  }

  /** Fills the caches, then applies the events of the one etcd watch; re-lists when it is lost. */
  private async follow(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      try {
        const rev = await this.fill();
        if (this.stopped) return;
        const feed = await this.inner.watch('', { resourceVersion: rev.toString() });
        this.feed = feed;
        if (this.stopped) feed.stop();
        backoff = 100;
        for await (const ev of feed.events) {
          if (ev.type === 'ERROR') throw ev.error;
          if (ev.type === 'BOOKMARK') continue;
          if (ev.key !== undefined) this.cacheFor(ev.key)?.apply(ev.type, ev.object);
          const at = BigInt(ev.object.metadata.resourceVersion ?? '0');
          for (const c of this.caches.values()) c.advance(at);
        }
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err: (err as Error).message }, 'watch cache lost its etcd watch; re-listing');
      } finally {
        this.feed = undefined;
      }
      if (this.stopped) return;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2000);
    }
  }

  /** Lists every cached resource at one revision and fills (or refills) its cache; returns the revision. */
  private async fill(): Promise<bigint> {
    let rev: bigint | undefined;
    const lists: [WatchCache, KubeObject[]][] = [];
    for (const c of this.caches.values()) {
      const page = await this.listAll(c.prefix, rev);
      rev ??= page.rev;
      lists.push([c, page.items]);
    }
    const at = rev ?? BigInt(await this.inner.currentRevision());
    for (const [c, items] of lists) c.fill(items, at);
    return at;
  }

  /** Every object under `prefix` at revision `at` (the latest when undefined), page by page. */
  private async listAll(prefix: string, at: bigint | undefined): Promise<{ items: KubeObject[]; rev: bigint }> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await this.inner.list(prefix, {
        limit: this.config.listPageSize,
        ...(token ? { continue: token } : at !== undefined ? { resourceVersion: at.toString(), resourceVersionMatch: 'Exact' as const } : {}),
      });
      items.push(...page.items);
      token = page.continue;
      if (!token) return { items, rev: BigInt(page.resourceVersion) };
    }
  }

  stats(): CacherStats[] {
    return [...this.caches.entries()].map(([resource, c]) => ({
      resource,
      objects: c.size,
      events: c.eventsHeld,
      watchers: c.watcherCount,
      revision: c.rev.toString(),
    }));
  }

  private cacheFor(key: string): WatchCache | undefined {
    const i = key.indexOf('/');
    return this.caches.get(i < 0 ? key : key.slice(0, i));
  }

  /**
   * True once the cache holds every change up to etcd's current revision; a feed that does not get
   * there by itself is moved there by a write of the progress key.
   */
  private async fresh(cache: WatchCache): Promise<boolean> {
    const rev = await this.revisions.current();
    if (await cache.waitFor(rev, this.config.freshnessGraceMs)) return true;
    return cache.waitFor(await this.progress.current(), this.config.freshnessTimeoutMs);
  }

  // ---- writes and everything else: etcd ----

  create(key: string, obj: KubeObject, opts?: { lease?: Lease }): Promise<KubeObject> {
    return this.inner.create(key, obj, opts);
  }
  guaranteedUpdate(key: string, tryUpdate: UpdateFn, opts?: UpdateOptions): Promise<KubeObject> {
    return this.inner.guaranteedUpdate(key, tryUpdate, opts);
  }
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.inner.delete(key, opts);
  }
  grantLease(ttlSeconds: number): Promise<Lease> {
    return this.inner.grantLease(ttlSeconds);
  }
  currentRevision(): Promise<string> {
    return this.inner.currentRevision();
  }
  healthCheck(): Promise<void> {
    return this.inner.healthCheck();
  }
  async close(): Promise<void> {
    this.stopped = true;
    this.feed?.stop();
    for (const c of this.caches.values()) c.stop();
    await this.inner.close();
  }

  // ---- reads ----

  async get(key: string, opts: GetOptions = {}): Promise<KubeObject> {
    // Readers that may change what they get (updates, the registry's own checks) read etcd.
    const cache = this.config.gets && opts.shared ? this.cacheFor(key) : undefined;
    if (!cache?.ready) return this.inner.get(key, opts);
    const rv = opts.resourceVersion ?? '';
    if (rv === '') {
      // Most recent: the key's current resourceVersion from etcd (no value) proves the copy current.
      if (!this.inner.version) return this.inner.get(key, opts);
      const current = await this.inner.version(key);
      if (current === undefined) throw notFound(key);
      const obj = cache.get(key);
      return obj !== undefined && obj.metadata.resourceVersion === current ? obj : this.inner.get(key, opts);
    }
    if (rv !== '0' && cache.rev < parseResourceVersion(rv)) return this.inner.get(key, opts);
    const obj = cache.get(key);
    if (obj === undefined) throw notFound(key);
    return obj;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const cache = this.cacheFor(prefix);
    if (!cache || !(await cache.whenReady(this.config.readyTimeoutMs))) return this.inner.list(prefix, opts);
    const served = await this.listFromCache(cache, prefix, opts);
    if (!served) return this.inner.list(prefix, opts);
    if (!opts.shared) served.items = served.items.map((o) => structuredClone(o));
    return served;
  }

  /** The list from memory when the cache can answer it exactly (conventions §6), else undefined. */
  private async listFromCache(cache: WatchCache, prefix: string, opts: ListOptions): Promise<ListResult | undefined> {
    const rv = opts.resourceVersion ?? '';
    const match = opts.resourceVersionMatch ?? '';
    let limit = opts.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    let start = '';
    if (opts.continue) {
      if (rv !== '' && rv !== '0') return undefined;
      const token = decodeContinue(opts.continue);
      if (token.rv !== cache.rev) return undefined;
      start = token.start;
    } else if (rv === '') {
      if (!(await this.fresh(cache))) return undefined;
    } else {
      const n = parseResourceVersion(rv);
      if (match === 'Exact' || (match === '' && n > 0n && limit > 0)) {
        // rv=N with a limit is Exact too (the legacy rule); the cache holds only its current revision.
        if (n === 0n || n !== cache.rev) return undefined;
      } else if (match === 'NotOlderThan' || (match === '' && n > 0n)) {
        if (!(await cache.waitFor(n, this.config.futureRevisionWaitMs))) return undefined;
      } else if (match === '') {
        limit = 0; // "any": like etcd, a list at rv=0 ignores limit
      } else {
        return undefined;
      }
    }
    const res = cache.list(prefix, { start, limit, predicate: opts.predicate, hasSelector: opts.hasSelector === true });
    if (res.continue !== undefined) res.continue = encodeContinue(res.continue, BigInt(res.resourceVersion));
    return res;
  }

  async watch(keyOrPrefix: string, opts: WatchOptions = {}): Promise<WatchStream> {
    const cache = this.cacheFor(keyOrPrefix);
    if (!cache || !(await cache.whenReady(this.config.readyTimeoutMs))) return this.inner.watch(keyOrPrefix, opts);
    const rv = opts.resourceVersion ?? '';
    const requested = rv === '' ? 0n : parseResourceVersion(rv);
    if (rv === '') {
      if (!(await this.fresh(cache))) return this.inner.watch(keyOrPrefix, opts);
    } else if (requested > 0n && !(await cache.waitFor(requested, this.config.futureRevisionWaitMs))) {
      // A revision etcd has not reached either ends the watch as kube-apiserver does; else etcd serves it.
      const current = await this.revisions.current();
      if (current < requested) return failedWatch(tooLarge(keyOrPrefix, requested, current));
      return this.inner.watch(keyOrPrefix, opts);
    }
    const w = new CacheWatcher({
      key: keyOrPrefix,
      singleKey: opts.singleKey === true,
      predicate: opts.predicate,
      allowBookmarks: opts.allowBookmarks === true,
      shared: opts.shared === true,
      queueCapacity: this.config.watcherQueueCapacity,
      onClose: (x) => cache.removeWatcher(x),
    });
    const initial = opts.sendInitialEvents === true || rv === '' || rv === '0';
    cache.watch(w, initial ? 'initial' : requested, opts.sendInitialEvents === true);
    return { events: w.queue, stop: () => w.queue.abort() };
  }
}


/** A watch that ends at once with `error`. */
function failedWatch(error: StorageError): WatchStream {
  const q = new EventQueue(1, () => undefined);
  q.fail(error);
  return { events: q, stop: () => q.abort() };
}

function notFound(key: string): StorageError {
  return new StorageError('KeyNotFound', key, `key ${key} not found`);
}
