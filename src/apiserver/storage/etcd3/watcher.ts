// One storage watch = one etcd watch on its own gRPC stream (the raw Watch RPC, not etcd3's Watcher).
//
// Why raw: etcd3 1.1.2's Watcher resumes after a reconnect from "last response header revision + 1",
// and etcd sets that header to its current revision even when a catching-up batch stopped earlier
// (>1000 revisions), and to the current revision on the "created" reply: events can be skipped
// silently. It also hides compact_revision ("Watcher canceled: "). Here the resume point is the
// revision of the last event delivered (or of a progress notification, which etcd only sends to
// watchers that are caught up), so a resumed watch never skips nor repeats an event.

import type { Etcd3, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import type { KubeObject } from '../../api/types.js';
import {
  StorageError,
  type Predicate,
  type StorageWatchEvent,
  type WatchOptions,
  type WatchStream,
} from '../interfaces.js';
import { parseResourceVersion } from '../resource-version.js';
import type { Caller, StorageLogger } from './client.js';
import { decode, decodeKV } from './codec.js';
import { toStorageError } from './errors.js';
import { EventQueue } from './event-queue.js';

export interface WatchConfig {
  /** How often a watch with allowBookmarks asks etcd for progress (one BOOKMARK per answer). */
  bookmarkIntervalMs: number;
  /** Events a consumer may fall behind before the watch ends with an ERROR. */
  queueCapacity: number;
  /** How long a watch from a future resourceVersion waits for etcd to reach it. */
  futureRevisionWaitMs: number;
  /** How long a broken etcd watch stream is retried before the watch ends with an ERROR. */
  reconnectTimeoutMs: number;
  /** Keys per range when reading the initial state. */
  initialChunkSize: number;
}

export interface WatchTarget {
  /** etcd key (single key) or key prefix (ending in "/"). */
  key: Buffer;
  /** Range end for a prefix; undefined for a single key. */
  rangeEnd?: Buffer;
  /** The caller's key, for error messages. */
  name: string;
}

interface WatchDeps {
  client: Etcd3;
  caller: Caller;
  logger: StorageLogger;
  config: WatchConfig;
  currentRevision(): Promise<bigint>;
  /** The storage key of an etcd key (without the configured prefix). */
  storageKey(etcdKey: string): string;
  onEnd(w: EtcdWatch): void;
}

type Duplex = Awaited<ReturnType<Etcd3['watchClient']['watch']>>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Converts one etcd event into what a watcher with `predicate` should see, or undefined to skip it.
 * Selector transitions: an object that starts matching is ADDED, one that stops matching is DELETED
 * (its old content at the new revision).
 */
export function toWatchEvent(ev: IEvent, predicate: Predicate | undefined, name: string): StorageWatchEvent | undefined {
  const rev = ev.kv.mod_revision;
  const key = ev.kv.key.toString('utf8');
  const matches = (o: KubeObject) => predicate === undefined || predicate(o);
  if (ev.type === 'Delete') {
    if (!ev.prev_kv) throw new StorageError('Internal', name, `etcd delete event for ${key} at revision ${rev} has no previous value`);
    const old = decode(ev.prev_kv.value, rev, key);
    return matches(old) ? { type: 'DELETED', object: old } : undefined;
  }
  const cur = decodeKV(ev.kv, key);
  const isCreate = ev.kv.create_revision === ev.kv.mod_revision;
  if (isCreate) return matches(cur) ? { type: 'ADDED', object: cur } : undefined;
  if (predicate === undefined) return { type: 'MODIFIED', object: cur };
  if (!ev.prev_kv) throw new StorageError('Internal', name, `etcd update event for ${key} at revision ${rev} has no previous value`);
  const old = decode(ev.prev_kv.value, rev, key);
  const curMatches = predicate(cur);
  const oldMatches = predicate(old);
  if (curMatches && oldMatches) return { type: 'MODIFIED', object: cur };
  if (curMatches) return { type: 'ADDED', object: cur };
  if (oldMatches) return { type: 'DELETED', object: old };
  return undefined;
}

class StreamBroken extends Error {}

export class EtcdWatch {
  private readonly queue: EventQueue;
  private stopped = false;
  private stream: Duplex | undefined;
  /** Every event up to this revision has been handled: the next stream starts at lastRev + 1. */
  private lastRev = 0n;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  /** Ends the current runStream() quietly (set while a stream runs). */
  private settleStream: (() => void) | undefined;

  constructor(
    private readonly deps: WatchDeps,
    private readonly target: WatchTarget,
    private readonly opts: WatchOptions,
  ) {
    this.queue = new EventQueue(deps.config.queueCapacity, () => this.release());
  }

  /** Validates the options synchronously (an invalid resourceVersion rejects watch()) and starts. */
  start(): WatchStream {
    const rv = this.opts.resourceVersion ?? '';
    const requested = rv === '' ? 0n : parseResourceVersion(rv);
    void this.run(rv, requested);
    return {
      events: this.queue,
      stop: () => this.stop(),
    };
  }

  stop(): void {
    this.queue.abort();
  }

  private async run(rv: string, requested: bigint): Promise<void> {
    try {
      let snapshotRev: bigint;
      if (this.opts.sendInitialEvents || rv === '' || rv === '0') {
        // sendInitialEvents with rv=N: a snapshot at least as new as N (NotOlderThan).
        if (this.opts.sendInitialEvents && requested > 0n) await this.waitForRevision(requested);
        snapshotRev = await this.sendInitialState();
        if (this.queue.isClosed) return;
        if (this.opts.sendInitialEvents && this.opts.allowBookmarks) {
          this.queue.push({ type: 'BOOKMARK', resourceVersion: snapshotRev.toString(), initialEventsEnd: true });
        }
      } else {
        await this.waitForRevision(requested);
        snapshotRev = requested;
      }
      this.lastRev = snapshotRev;
      if (this.opts.allowBookmarks) this.startBookmarks();
      await this.follow();
    } catch (err) {
      this.queue.fail(toStorageError(err, this.target.name));
    }
  }

  /** A watch from a revision etcd has not reached yet waits briefly, then fails (k8s: 3 s). */
  private async waitForRevision(rev: bigint): Promise<void> {
    const deadline = Date.now() + this.deps.config.futureRevisionWaitMs;
    for (;;) {
      const current = await this.deps.currentRevision();
      if (current >= rev) return;
      if (Date.now() >= deadline || this.queue.isClosed) {
        throw new StorageError('TooLargeResourceVersion', this.target.name, `Too large resource version: ${rev}, current: ${current}`, {
          requestedRevision: rev.toString(),
          currentRevision: current.toString(),
        });
      }
      await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    }
  }

  /** Sends ADDED for every matching object at one revision, waiting for the consumer as needed. */
  private async sendInitialState(): Promise<bigint> {
    const { client, caller, config } = this.deps;
    const { key, rangeEnd } = this.target;
    let from = key;
    let rev = 0n;
    for (;;) {
      const req = {
        key: from,
        ...(rangeEnd ? { range_end: rangeEnd, limit: config.initialChunkSize } : {}),
        ...(rev > 0n ? { revision: rev.toString() } : {}),
      };
      const resp = await caller.call(this.target.name, () => client.kv.range(req), { idempotent: true });
      if (rev === 0n) rev = BigInt(resp.header.revision);
      for (const kv of resp.kvs) {
        const obj = decodeKV(kv, kv.key.toString('utf8'));
        if (this.opts.predicate && !this.opts.predicate(obj)) continue;
        await this.queue.waitForSpace();
        if (this.queue.isClosed) return rev;
        this.queue.push({ type: 'ADDED', object: obj });
      }
      if (!rangeEnd || !resp.more || resp.kvs.length === 0) return rev;
      from = Buffer.concat([resp.kvs[resp.kvs.length - 1].key, Buffer.from([0])]);
    }
  }

  /** Follows etcd from lastRev + 1, resuming a broken stream from where it stopped. */
  private async follow(): Promise<void> {
    const { config, logger } = this.deps;
    let brokenSince: number | undefined;
    let backoff = 100;
    while (!this.queue.isClosed) {
      let connected = false;
      try {
        await this.runStream(() => {
          connected = true;
        });
        return; // ended because the watch stopped
      } catch (err) {
        if (this.queue.isClosed) return;
        if (!(err instanceof StreamBroken)) throw err;
        if (connected) {
          brokenSince = undefined;
          backoff = 100;
        }
        brokenSince ??= Date.now();
        logger.warn({ key: this.target.name, resumeFrom: (this.lastRev + 1n).toString(), err: err.message }, 'etcd watch stream broke; resuming');
        if (Date.now() - brokenSince >= config.reconnectTimeoutMs) {
          throw new StorageError(
            'Unreachable',
            this.target.name,
            `etcd watch stream broke and could not be resumed within ${config.reconnectTimeoutMs} ms: ${err.message}`,
          );
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  /**
   * Runs one gRPC watch stream. Resolves when the watch is stopped, rejects with StreamBroken when
   * the stream fails (worth resuming) or a StorageError when etcd cancels the watch (compaction).
   */
  private async runStream(onCreated: () => void): Promise<void> {
    const stream = await this.deps.client.watchClient.watch();
    if (this.queue.isClosed) {
      closeStream(stream);
      return;
    }
    this.stream = stream;
    const startRev = this.lastRev + 1n;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (this.stream === stream) this.stream = undefined;
        closeStream(stream);
        if (err && !this.queue.isClosed) reject(err);
        else resolve();
      };
      this.settleStream = () => settle();
      stream.on('data', (res: IWatchResponse) => {
        if (settled) return;
        try {
          if (res.created && !res.canceled) {
            onCreated();
            return;
          }
          if (res.canceled) {
            settle(this.canceledError(res, startRev));
            return;
          }
          this.handle(res);
        } catch (err) {
          settle(toStorageError(err, this.target.name));
        }
      });
      stream.on('error', (err: Error) => settle(new StreamBroken(err.message)));
      stream.on('end', () => settle(new StreamBroken('etcd closed the watch stream')));
      const req: IWatchRequest = {
        create_request: {
          key: this.target.key,
          ...(this.target.rangeEnd ? { range_end: this.target.rangeEnd } : {}),
          start_revision: startRev.toString(),
          prev_kv: true,
          progress_notify: true,
        },
      };
      stream.write(req);
    });
  }

  private canceledError(res: IWatchResponse, startRev: bigint): StorageError {
    if (res.compact_revision && res.compact_revision !== '0') {
      return new StorageError(
        'Compacted',
        this.target.name,
        `The resourceVersion for the provided watch is too old: revision ${startRev - 1n} has been compacted (oldest available ${res.compact_revision})`,
        { requestedRevision: (startRev - 1n).toString(), currentRevision: res.compact_revision },
      );
    }
    return new StorageError('Internal', this.target.name, `etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`);
  }

  private handle(res: IWatchResponse): void {
    const header = BigInt(res.header.revision);
    if (res.events.length === 0) {
      // A progress notification: etcd only sends it once this watcher has caught up to `header`.
      if (header > this.lastRev) this.lastRev = header;
      if (this.opts.allowBookmarks) this.queue.push({ type: 'BOOKMARK', resourceVersion: this.lastRev.toString() });
      return;
    }
    const before = this.lastRev;
    let max = before;
    for (const ev of res.events) {
      const rev = BigInt(ev.kv.mod_revision);
      if (rev <= before) continue; // already delivered before a resume
      if (rev > max) max = rev;
      const out = toWatchEvent(ev, this.opts.predicate, this.target.name);
      if (out) {
        if (out.type !== 'BOOKMARK' && out.type !== 'ERROR') out.key = this.deps.storageKey(ev.kv.key.toString('utf8'));
        this.queue.push(out);
      }
      if (this.queue.isClosed) return;
    }
    // etcd never splits one revision across responses, so the whole of `max` has been handled.
    this.lastRev = max;
  }

  private startBookmarks(): void {
    this.bookmarkTimer = setInterval(() => {
      try {
        this.stream?.write({ progress_request: {} });
      } catch (err) {
        this.deps.logger.debug({ err: (err as Error).message }, 'etcd watch progress request failed');
      }
    }, this.deps.config.bookmarkIntervalMs);
    this.bookmarkTimer.unref();
  }

  /** Called once when the queue closes (stop, error, overflow): releases the etcd stream. */
  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    this.settleStream?.();
    const s = this.stream;
    this.stream = undefined;
    if (s) closeStream(s);
    this.deps.onEnd(this);
  }
}

/** Half-closes, then cancels: ending first keeps etcd3 from treating the cancel as a host failure. */
function closeStream(stream: Duplex): void {
  try {
    stream.end();
  } catch {
    // already ended
  }
  try {
    stream.cancel();
  } catch {
    // already cancelled
  }
}
