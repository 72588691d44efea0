// The watch cache of one resource: the current objects (a map plus sorted keys, so a namespace is a
// contiguous key range), a bounded ring of recent events for resuming watches, and the client
// watchers it feeds. The Cacher fills it from a list and then applies the events of its etcd watch;
// a re-list (after that watch was lost) turns the difference into events, so no client sees a gap or
// a duplicate.

import type { KubeObject } from '../../api/types.js';
import { StorageError, type ListResult, type Predicate } from '../interfaces.js';
import { shareVersion } from '../object-version.js';
import { CacheWatcher, type CacheEvent } from './cache-watcher.js';

export interface WatchCacheConfig {
  /** Events kept for resuming watches; a resourceVersion older than the ring gets 410 Expired. */
  ringCapacity: number;
  /** Events a watcher may fall behind before it is closed with an ERROR (the client re-lists). */
  watcherQueueCapacity: number;
  /** How often watchers that allow bookmarks get one. */
  bookmarkIntervalMs: number;
}

/** First index in sorted `keys` whose key is >= `k`. */
function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface RevisionWaiter {
  rev: bigint;
  resolve(reached: boolean): void;
  timer: NodeJS.Timeout;
}

export interface CacheListOptions {
  /** Start key relative to the prefix (from a continue token). */
  start: string;
  limit: number;
  predicate?: Predicate;
  hasSelector: boolean;
}

export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly keys: string[] = [];
  private readonly ring: (CacheEvent | undefined)[];
  private ringHead = 0;
  private ringSize = 0;
  /** A watch can resume from revision R (events after R) when R >= windowStart. */
  private windowStart = 0n;
  /** Every change up to this revision has been applied. */
  private revision = 0n;
  private isReady = false;
  private readyWaiters: (() => void)[] = [];
  private readonly watchers = new Set<CacheWatcher>();
  private waiters: RevisionWaiter[] = [];
  private stopped = false;
  private bookmarkTimer: NodeJS.Timeout | undefined;

  constructor(
    /** "imagestreams/": the resource's key prefix. */
    readonly prefix: string,
    private readonly config: WatchCacheConfig,
  ) {
    this.ring = new Array<CacheEvent | undefined>(config.ringCapacity);
  }

  get rev(): bigint {
    return this.revision;
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** The oldest revision a watch may resume from. */
  get oldest(): bigint {
    return this.windowStart;
  }

  get size(): number {
    return this.objects.size;
  }

  get eventsHeld(): number {
    return this.ringSize;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  start(): void {
    this.bookmarkTimer = setInterval(() => {
      for (const w of this.watchers) w.bookmark(this.revision);
    }, this.config.bookmarkIntervalMs);
    this.bookmarkTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    for (const w of [...this.watchers]) w.queue.abort();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
    this.releaseReadyWaiters();
  }

  /** Resolves true once the cache has been filled, false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.isReady), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve(this.isReady);
      });
    });
  }

  /** Resolves true once the cache has applied every change up to `rev`, false after `timeoutMs`. */
  waitFor(rev: bigint, timeoutMs: number): Promise<boolean> {
    if (this.revision >= rev) return Promise.resolve(true);
    if (this.stopped || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: RevisionWaiter = {
        rev,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(this.revision >= rev);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Matching objects under `prefix` in key order, at the cache's current revision. */
  list(prefix: string, o: CacheListOptions): ListResult {
    const items: KubeObject[] = [];
    let i = lowerBound(this.keys, prefix + o.start);
    let lastKey: string | undefined;
    let hasMore = false;
    for (; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (!key.startsWith(prefix)) break;
      if (o.limit > 0 && items.length >= o.limit) {
        hasMore = true;
        break;
      }
      lastKey = key;
      const obj = this.objects.get(key);
      if (obj !== undefined && (o.predicate === undefined || o.predicate(obj))) items.push(obj);
    }
    const result: ListResult = { items, resourceVersion: this.revision.toString() };
    if (hasMore && lastKey !== undefined) {
      result.continue = `${lastKey.slice(prefix.length)}\u0000`;
      if (!o.hasSelector) result.remainingItemCount = lowerBound(this.keys, prefixEnd(prefix)) - i;
    }
    return result;
  }

  /**
   * Starts a watcher: the matching current objects as ADDED first when `initial`, then every event
   * after `from` (the cache's revision for `initial`). A revision older than the ring ends the watch
   * with 410 Expired, as kube-apiserver's cacher answers.
   */
  watch(w: CacheWatcher, from: bigint | 'initial', initialEventsEnd: boolean): void {
    if (from === 'initial') {
      const snapshotRev = this.revision;
      const snapshot: KubeObject[] = [];
      let i = lowerBound(this.keys, w.key);
      for (; i < this.keys.length && w.covers(this.keys[i]); i++) {
        const obj = this.objects.get(this.keys[i]);
        if (obj !== undefined && w.matches(obj)) snapshot.push(obj);
      }
      void this.sendInitial(w, snapshot, snapshotRev, initialEventsEnd);
      return;
    }
    this.goLive(w, from);
  }

  private async sendInitial(w: CacheWatcher, snapshot: KubeObject[], rev: bigint, initialEventsEnd: boolean): Promise<void> {
    for (const obj of snapshot) {
      await w.queue.waitForSpace();
      if (w.queue.isClosed) return;
      w.push('ADDED', obj);
    }
    if (initialEventsEnd) w.bookmark(rev, true);
    this.goLive(w, rev);
  }

  /** Replays the ring after `from` and registers for live events, in one synchronous step. */
  private goLive(w: CacheWatcher, from: bigint): void {
    if (w.queue.isClosed) return;
    if (from < this.windowStart) {
      w.queue.fail(tooOld(this.prefix, from, this.windowStart));
      return;
    }
    for (let n = 0; n < this.ringSize; n++) {
      const ev = this.ring[(this.ringHead + n) % this.ring.length];
      if (ev !== undefined && ev.rev > from) w.deliver(ev);
    }
    if (w.queue.isClosed || this.stopped) {
      w.queue.close();
      return;
    }
    this.watchers.add(w);
  }

  removeWatcher(w: CacheWatcher): void {
    this.watchers.delete(w);
  }

  // ---- filling and following ----

  private keyOf(obj: KubeObject): string {
    const ns = obj.metadata.namespace;
    return ns ? `${this.prefix}${ns}/${obj.metadata.name ?? ''}` : `${this.prefix}${obj.metadata.name ?? ''}`;
  }

  /** Fills the cache from a list at `rev`; on a re-list, the difference to what was held becomes events. */
  fill(items: KubeObject[], rev: bigint): void {
    if (!this.isReady) {
      for (const obj of items) {
        const key = this.keyOf(obj);
        this.objects.set(key, shareVersion(obj));
        this.keys.push(key);
      }
      this.keys.sort();
      this.windowStart = rev;
      this.revision = rev;
      this.isReady = true;
      this.releaseReadyWaiters();
      this.notifyWaiters();
      return;
    }
    const seen = new Set<string>();
    for (const obj of items) {
      const key = this.keyOf(obj);
      seen.add(key);
      const old = this.objects.get(key);
      if (old === undefined || old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.apply(old ? 'MODIFIED' : 'ADDED', obj, rev);
    }
    for (const key of [...this.keys]) {
      const old = this.objects.get(key);
      if (!seen.has(key) && old) this.apply('DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: rev.toString() } }, rev);
    }
    this.advance(rev);
  }

  /** Applies one change; `at` overrides the event's revision (re-list differences). */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, at?: bigint): void {
    const rev = at ?? BigInt(obj.metadata.resourceVersion ?? '0');
    const key = this.keyOf(obj);
    shareVersion(obj);
    const prev = this.objects.get(key);
    let ev: CacheEvent;
    if (type === 'DELETED') {
      if (prev === undefined) return;
      this.objects.delete(key);
      this.keys.splice(lowerBound(this.keys, key), 1);
      ev = { type, key, rev, object: obj };
    } else {
      this.objects.set(key, obj);
      if (prev === undefined) {
        this.keys.splice(lowerBound(this.keys, key), 0, key);
        ev = { type: 'ADDED', key, rev, object: obj };
      } else {
        ev = { type: 'MODIFIED', key, rev, object: obj, prev };
      }
    }
    this.record(ev);
  }

  private record(ev: CacheEvent): void {
    const cap = this.ring.length;
    if (cap > 0) {
      if (this.ringSize === cap) {
        const evicted = this.ring[this.ringHead];
        if (evicted !== undefined && evicted.rev > this.windowStart) this.windowStart = evicted.rev;
        this.ring[this.ringHead] = ev;
        this.ringHead = (this.ringHead + 1) % cap;
      } else {
        this.ring[(this.ringHead + this.ringSize) % cap] = ev;
        this.ringSize++;
      }
    } else if (ev.rev > this.windowStart) {
      this.windowStart = ev.rev;
    }
    for (const w of this.watchers) w.deliver(ev);
    this.advance(ev.rev);
  }

  /** Every change up to `rev` has been applied (changes to other resources move the revision too). */
  advance(rev: bigint): void {
    if (rev <= this.revision) return;
    this.revision = rev;
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    if (this.waiters.length === 0) return;
    const keep: RevisionWaiter[] = [];
    for (const w of this.waiters) {
      if (w.rev <= this.revision) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else {
        keep.push(w);
      }
    }
    this.waiters = keep;
  }

  private releaseReadyWaiters(): void {
    const ws = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of ws) w();
  }
}

/** The first key after every key that starts with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function tooOld(name: string, requested: bigint, oldest: bigint): StorageError {
  const text = `too old resource version: ${requested} (${oldest})`;
  return new StorageError('Compacted', name, text, { tooOld: text, requestedRevision: requested.toString(), currentRevision: oldest.toString() });
}
