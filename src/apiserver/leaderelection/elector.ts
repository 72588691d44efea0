// Leader election on a storage key bound to a lease: whoever creates the key leads while its lease
// is kept alive. Background work that must run once per cluster (scheduled imports) runs inside
// onStartedLeading and stops when its signal aborts.
//
// Safety: a leader confirms it still holds the key (same holder and lease) every renew period and
// gives up leadership when it has not confirmed for the renew deadline (shorter than the TTL), so
// a leader cut off from etcd stops before its lease can expire and another replica take over.
// Liveness: followers watch the key and campaign as soon as it is deleted; when a leader dies
// without revoking, its lease (and the key) expire after the TTL.

import type { KubeObject } from '../api/types.js';
import { StorageError, type Lease, type Storage, type StorageWatchEvent } from '../storage/interfaces.js';
import { pause } from '../util/pause.js';

export interface ElectorLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  debug(obj: Record<string, unknown>, msg: string): void;
}

const silent: ElectorLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

export interface ElectorOptions {
  storage: Storage;
  /** Storage key of the election ("leaderelection/image-import-scheduler"). */
  key: string;
  /** Who this replica is (pod name); stored in the key. */
  identity: string;
  /** Lease TTL in whole seconds (default 15): how long a dead leader blocks a successor. */
  ttlSeconds?: number;
  /** How often a leader confirms it holds the key (default TTL/3). */
  renewPeriodMs?: number;
  /** A leader that could not confirm for this long stops leading (default 2/3 of the TTL). */
  renewDeadlineMs?: number;
  /** Pause after errors, and the follower's re-check interval without watch events (default 2 s). */
  retryPeriodMs?: number;
  /** Runs when this replica becomes leader; `signal` aborts when it stops being leader. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Runs after leadership ended (and onStartedLeading's promise settled, or the TTL passed). */
  onStoppedLeading?(): void;
  /** Every change of the observed holder ("" when nobody holds it). */
  onNewLeader?(identity: string): void;
  logger?: ElectorLogger;
}

/** The value stored at the election key. */
export interface LeaderElectionRecord extends KubeObject {
  holderIdentity: string;
  leaseId: string;
  leaseDurationSeconds: number;
  acquireTime: string;
}

interface Held {
  lease: Lease;
  resourceVersion: string;
  acquiredAt: number;
}

function isRecord(o: KubeObject): o is LeaderElectionRecord {
  return typeof o.holderIdentity === 'string' && typeof o.leaseId === 'string';
}

function isNotFound(err: unknown): boolean {
  return err instanceof StorageError && err.code === 'KeyNotFound';
}

export class Elector {
  private readonly storage: Storage;
  private readonly key: string;
  private readonly identity: string;
  private readonly ttlSeconds: number;
  private readonly renewPeriodMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: ElectorLogger;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private leading = false;
  private observed = '';

  constructor(private readonly opts: ElectorOptions) {
    this.storage = opts.storage;
    this.key = opts.key;
    this.identity = opts.identity;
    this.ttlSeconds = opts.ttlSeconds ?? 15;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) throw new Error(`leader election TTL must be a whole number of seconds >= 1, got ${this.ttlSeconds}`);
    this.renewPeriodMs = opts.renewPeriodMs ?? Math.floor((this.ttlSeconds * 1000) / 3);
    this.renewDeadlineMs = opts.renewDeadlineMs ?? Math.floor((this.ttlSeconds * 2000) / 3);
    if (this.renewDeadlineMs >= this.ttlSeconds * 1000) throw new Error('leader election renew deadline must be shorter than the lease TTL');
    if (this.renewPeriodMs >= this.renewDeadlineMs) throw new Error('leader election renew period must be shorter than the renew deadline');
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.log = opts.logger ?? silent;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen ("" when none or unknown). */
  get leader(): string {
    return this.observed;
  }

  /** Starts campaigning in the background. */
  start(): void {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = this.loop();
  }

  /** Stops campaigning; a leader stops its work and releases the key (revokes its lease). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private observe(holder: string): void {
    if (holder === this.observed) return;
    this.observed = holder;
    try {
      this.opts.onNewLeader?.(holder);
    } catch (err) {
      this.log.warn({ err: String(err) }, 'leader election: onNewLeader failed');
    }
  }

  private async loop(): Promise<void> {
    const stop = this.stopping.signal;
    while (!stop.aborted) {
      try {
        const held = await this.campaign();
        if (held) await this.lead(held);
      } catch (err) {
        this.log.debug({ key: this.key, err: err instanceof Error ? err.message : String(err) }, 'leader election: campaign failed; retrying');
        await pause(this.retryPeriodMs, stop);
      }
    }
  }

  /** Waits until this replica creates the key; undefined when stopped first. */
  private async campaign(): Promise<Held | undefined> {
    const stop = this.stopping.signal;
    while (!stop.aborted) {
      // The revision comes first: a watch from it misses nothing that happens after the read.
      const revision = await this.storage.currentRevision();
      let current: KubeObject | undefined;
      try {
        current = await this.storage.get(this.key);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (current) {
        this.observe(isRecord(current) ? current.holderIdentity : '');
        await this.waitForChange(revision, this.ttlSeconds * 1000);
        continue;
      }
      this.observe('');
      const startedAt = Date.now();
      const lease = await this.storage.grantLease(this.ttlSeconds);
      const record: LeaderElectionRecord = {
        apiVersion: 'v1',
        kind: 'LeaderElectionRecord',
        metadata: { name: this.key },
        holderIdentity: this.identity,
        leaseId: lease.id,
        leaseDurationSeconds: this.ttlSeconds,
        acquireTime: new Date(startedAt).toISOString(),
      };
      try {
        const created = await this.storage.create(this.key, record, { lease });
        return { lease, resourceVersion: created.metadata.resourceVersion ?? revision, acquiredAt: startedAt };
      } catch (err) {
        await lease.revoke().catch(() => undefined);
        if (err instanceof StorageError && err.code === 'KeyExists') continue; // lost the race
        throw err;
      }
    }
    return undefined;
  }

  /** Returns on any change of the key after `revision`, a broken watch, stop, or `maxWaitMs`. */
  private async waitForChange(revision: string, maxWaitMs: number): Promise<void> {
    const done = new AbortController();
    const timer = setTimeout(() => done.abort(), maxWaitMs);
    const onStop = () => done.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    try {
      const stream = await this.storage.watch(this.key, { singleKey: true, resourceVersion: revision });
      const stopStream = () => stream.stop();
      done.signal.addEventListener('abort', stopStream, { once: true });
      try {
        for await (const ev of stream.events) {
          if (ev.type !== 'BOOKMARK') break;
        }
      } finally {
        stream.stop();
        done.signal.removeEventListener('abort', stopStream);
      }
    } catch (err) {
      this.log.debug({ key: this.key, err: String(err) }, 'leader election: watch failed');
      await pause(this.retryPeriodMs, done.signal);
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
  }

  private async lead(held: Held): Promise<void> {
    const leadership = new AbortController();
    this.leading = true;
    this.observe(this.identity);
    this.log.info({ key: this.key, identity: this.identity, lease: held.lease.id }, 'leader election: started leading');
    const work = Promise.resolve()
      .then(() => this.opts.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'leader election: onStartedLeading failed'));

    const reason = await this.holdUntilLost(held);
    leadership.abort(new Error(`leadership lost: ${reason}`));
    this.leading = false;
    this.log.info({ key: this.key, identity: this.identity, reason }, 'leader election: stopped leading');
    // Let the work wind down before the key is released, but never longer than a TTL.
    const grace = new AbortController();
    await Promise.race([work, pause(this.ttlSeconds * 1000, grace.signal)]);
    grace.abort();
    try {
      this.opts.onStoppedLeading?.();
    } catch (err) {
      this.log.warn({ err: String(err) }, 'leader election: onStoppedLeading failed');
    }
    // Revoking deletes the key if it is still ours and ends the keep-alives either way.
    await held.lease.revoke().catch(() => undefined);
    if (this.observed === this.identity) this.observe('');
  }

  private isOurs(o: KubeObject, held: Held): boolean {
    return isRecord(o) && o.holderIdentity === this.identity && o.leaseId === held.lease.id;
  }

  /** Resolves with why leadership ended: key gone or taken, not confirmed in time, or stop(). */
  private holdUntilLost(held: Held): Promise<string> {
    return new Promise<string>((resolve) => {
      const lost = new AbortController();
      let deadline: NodeJS.Timeout | undefined;
      const markLost = (why: string) => {
        if (lost.signal.aborted) return;
        clearTimeout(deadline);
        this.stopping.signal.removeEventListener('abort', onStop);
        lost.abort();
        resolve(why);
      };
      const onStop = () => markLost('elector stopped');
      if (this.stopping.signal.aborted) return markLost('elector stopped');
      this.stopping.signal.addEventListener('abort', onStop, { once: true });

      const armDeadline = (confirmedAt: number) => {
        clearTimeout(deadline);
        const left = confirmedAt + this.renewDeadlineMs - Date.now();
        deadline = setTimeout(() => markLost(`could not confirm leadership within ${this.renewDeadlineMs} ms`), Math.max(0, left));
      };
      armDeadline(held.acquiredAt);

      void this.confirmLoop(held, lost.signal, armDeadline, markLost);
      void this.watchLoop(held, lost.signal, markLost);
    });
  }

  /** Every renew period: read the key; ours → push the deadline out; gone or taken → lost. */
  private async confirmLoop(held: Held, lost: AbortSignal, confirmed: (at: number) => void, markLost: (why: string) => void): Promise<void> {
    while (!lost.aborted) {
      await pause(this.renewPeriodMs, lost);
      if (lost.aborted) return;
      const sentAt = Date.now();
      try {
        const current = await this.storage.get(this.key);
        if (this.isOurs(current, held)) confirmed(sentAt);
        else markLost(`the election key is held by ${isRecord(current) ? current.holderIdentity : 'someone else'}`);
      } catch (err) {
        if (isNotFound(err)) markLost('the election key is gone (lease expired or key deleted)');
        else this.log.debug({ key: this.key, err: String(err) }, 'leader election: could not confirm leadership');
      }
    }
  }

  /** Watches the key so a deletion or takeover is noticed at once, not at the next confirmation. */
  private async watchLoop(held: Held, lost: AbortSignal, markLost: (why: string) => void): Promise<void> {
    let revision = held.resourceVersion;
    while (!lost.aborted) {
      try {
        const stream = await this.storage.watch(this.key, { singleKey: true, resourceVersion: revision });
        const stopStream = () => stream.stop();
        lost.addEventListener('abort', stopStream, { once: true });
        try {
          for await (const ev of stream.events) {
            const why = this.lossFromEvent(ev, held);
            if (why) return markLost(why);
            if (ev.type === 'ERROR') break;
          }
        } finally {
          stream.stop();
          lost.removeEventListener('abort', stopStream);
        }
      } catch (err) {
        this.log.debug({ key: this.key, err: String(err) }, 'leader election: watch failed');
      }
      if (lost.aborted) return;
      // The watch broke (etcd restart, compaction): resume from now; confirmLoop covers the gap.
      await pause(this.retryPeriodMs, lost);
      try {
        revision = await this.storage.currentRevision();
        const current = await this.storage.get(this.key);
        if (!this.isOurs(current, held)) return markLost('the election key changed hands while the watch was down');
      } catch (err) {
        if (isNotFound(err)) return markLost('the election key is gone (lease expired or key deleted)');
      }
    }
  }

  private lossFromEvent(ev: StorageWatchEvent, held: Held): string | undefined {
    if (ev.type === 'DELETED') return 'the election key was deleted';
    if ((ev.type === 'MODIFIED' || ev.type === 'ADDED') && !this.isOurs(ev.object, held)) {
      return `the election key is held by ${isRecord(ev.object) ? ev.object.holderIdentity : 'someone else'}`;
    }
    return undefined;
  }
}
