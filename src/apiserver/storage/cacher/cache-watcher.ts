// One client watch served by a WatchCache: its own bounded queue (a consumer that falls too far behind
// gets an ERROR and re-lists, and never grows memory), its key range and selector, and the selector
// transitions k8s.io/apiserver applies (starts matching: ADDED; stops matching: DELETED).

import type { KubeObject } from '../../api/types.js';
import { EventQueue } from '../etcd3/event-queue.js';
import type { Predicate, StorageWatchEvent } from '../interfaces.js';
import { shareVersion } from '../object-version.js';

/** One change to the cache, in revision order; objects are shared versions. */
export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  rev: bigint;
  /** The new object, or for DELETED the last content at the deletion revision. */
  object: KubeObject;
  /** The object before a MODIFIED (for selector transitions). */
  prev?: KubeObject;
  /** prev at the new revision, made once for the watchers that see the change as a DELETED. */
  leftover?: KubeObject;
}

export interface CacheWatcherOptions {
  /** Key prefix, or one exact key. */
  key: string;
  singleKey: boolean;
  predicate?: Predicate;
  allowBookmarks: boolean;
  /** Hand out shared versions (the caller never mutates them); otherwise copies. */
  shared: boolean;
  queueCapacity: number;
  onClose(w: CacheWatcher): void;
}

function leftoverOf(ev: CacheEvent, prev: KubeObject): KubeObject {
  ev.leftover ??= shareVersion({ ...prev, metadata: { ...prev.metadata, resourceVersion: ev.rev.toString() } });
  return ev.leftover;
}

export class CacheWatcher {
  readonly queue: EventQueue;

  constructor(private readonly o: CacheWatcherOptions) {
    this.queue = new EventQueue(o.queueCapacity, () => o.onClose(this));
  }

  /** The watched key, or the prefix of the watched range. */
  get key(): string {
    return this.o.key;
  }

  covers(key: string): boolean {
    return this.o.singleKey ? key === this.o.key : key.startsWith(this.o.key);
  }

  matches(obj: KubeObject): boolean {
    return this.o.predicate === undefined || this.o.predicate(obj);
  }

  /** Queues what this watcher should see of `ev` (nothing when it is outside its range or selector). */
  deliver(ev: CacheEvent): void {
    if (!this.covers(ev.key)) return;
    const p = this.o.predicate;
    if (p === undefined || ev.type !== 'MODIFIED') {
      if (p === undefined || p(ev.object)) this.push(ev.type, ev.object);
      return;
    }
    const now = p(ev.object);
    const before = ev.prev !== undefined && p(ev.prev);
    if (now) this.push(before ? 'MODIFIED' : 'ADDED', ev.object);
    else if (before && ev.prev) this.push('DELETED', leftoverOf(ev, ev.prev));
  }

  push(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    this.queue.push({ type, object: this.o.shared ? object : structuredClone(object) });
  }

  bookmark(rev: bigint, initialEventsEnd = false): void {
    if (!this.o.allowBookmarks) return;
    const ev: StorageWatchEvent = { type: 'BOOKMARK', resourceVersion: rev.toString() };
    if (initialEventsEnd) ev.initialEventsEnd = true;
    this.queue.push(ev);
  }
}
