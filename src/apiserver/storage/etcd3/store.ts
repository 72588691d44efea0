// The Storage contract on etcd: objects are JSON values, resourceVersion is the key's mod revision,
// every write is a compare-and-swap transaction on that revision. When the connection to a member
// fails after a write was sent (its leader killed, say), the write may or may not have applied: a
// linearizable read on the remaining members settles which, instead of failing the request.

import type { Etcd3, IKeyValue, ITxnResponse } from 'etcd3';
import type { KubeObject } from '../../api/types.js';
import {
  StorageError,
  type DeleteOptions,
  type GetOptions,
  type Lease,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Storage,
  type UpdateFn,
  type UpdateOptions,
  type WatchOptions,
  type WatchStream,
} from '../interfaces.js';
import { parseResourceVersion } from '../resource-version.js';
import type { Caller, StorageLogger } from './client.js';
import { decode, decodeKV, encode, sameAsStored } from './codec.js';
import { mayHaveApplied } from './errors.js';
import { prefixEnd, type KeySpace } from './keys.js';
import type { LeaseManager } from './leases.js';
import { listPrefix } from './list.js';
import { EtcdWatch, type WatchConfig } from './watcher.js';

export interface StoreDeps {
  client: Etcd3;
  caller: Caller;
  keys: KeySpace;
  leases: LeaseManager;
  logger: StorageLogger;
  watch: WatchConfig;
  healthCheckTimeoutMs: number;
}

/** What a compare-and-swap came to: applied at `revision`, or not, with the key's current value. */
interface WriteOutcome {
  succeeded: boolean;
  revision: string;
  current?: IKeyValue;
}

function outcomeOf(resp: ITxnResponse): WriteOutcome {
  return { succeeded: resp.succeeded, revision: resp.header.revision, current: failureKV(resp) };
}

/** How many times a write whose fate was unknown (and turned out not applied) is sent again. */
const UNKNOWN_OUTCOME_RESENDS = 2;

export class Etcd3Storage implements Storage {
  private readonly watches = new Set<EtcdWatch>();
  private closed = false;

  constructor(private readonly d: StoreDeps) {}

  async create(key: string, obj: KubeObject, opts?: { lease?: Lease }): Promise<KubeObject> {
    const k = Buffer.from(this.d.keys.objectKey(key), 'utf8');
    const value = encode(obj, key);
    const resp = await this.casPut(key, k, '0', value, opts?.lease?.id);
    if (!resp.succeeded) throw new StorageError('KeyExists', key, `key ${key} already exists`);
    return decode(value, resp.revision, key);
  }

  async get(key: string, opts?: GetOptions): Promise<KubeObject> {
    const rv = opts?.resourceVersion ?? '';
    const min = rv === '' ? 0n : parseResourceVersion(rv);
    const k = Buffer.from(this.d.keys.objectKey(key), 'utf8');
    // "" must be linearizable (never stale); "0" may be served by any member.
    const resp = await this.d.caller.call(key, () => this.d.client.kv.range({ key: k, serializable: rv === '0' }), { idempotent: true });
    const current = BigInt(resp.header.revision);
    if (min > current) {
      throw new StorageError('TooLargeResourceVersion', key, `Too large resource version: ${min}, current: ${current}`, {
        requestedRevision: min.toString(),
        currentRevision: current.toString(),
      });
    }
    const kv = resp.kvs[0];
    if (!kv) throw notFound(key);
    return decodeKV(kv, key);
  }

  async version(key: string): Promise<string | undefined> {
    const k = Buffer.from(this.d.keys.objectKey(key), 'utf8');
    const resp = await this.d.caller.call(key, () => this.d.client.kv.range({ key: k, keys_only: true }), { idempotent: true });
    return resp.kvs[0]?.mod_revision;
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const deps = { client: this.d.client, caller: this.d.caller, currentRevision: () => this.revision() };
    return listPrefix(deps, prefix, this.d.keys.listPrefix(prefix), opts);
  }

  async guaranteedUpdate(key: string, tryUpdate: UpdateFn, opts: UpdateOptions = {}): Promise<KubeObject> {
    const k = Buffer.from(this.d.keys.objectKey(key), 'utf8');
    let current = await this.readKV(key, k);
    for (;;) {
      if (!current) {
        if (!opts.createIfMissing) throw notFound(key);
        checkPreconditions(key, opts.preconditions, { metadata: {} });
        const created = await opts.createIfMissing();
        const value = encode(created, key);
        const resp = await this.casPut(key, k, '0', value, undefined);
        if (resp.succeeded) return decode(value, resp.revision, key);
        current = resp.current;
        continue;
      }
      checkPreconditions(key, opts.preconditions, decodeKV(current, key));
      // tryUpdate gets its own copy and may throw; its errors reach the caller unchanged.
      const next = await tryUpdate(decodeKV(current, key));
      const value = encode(next, key);
      if (sameAsStored(value, current.value)) {
        // Nothing changed: no write, so no new resourceVersion and no watch event.
        return decodeKV(current, key);
      }
      const lease = current.lease !== '0' ? current.lease : undefined;
      const resp = await this.casPut(key, k, current.mod_revision, value, lease);
      if (resp.succeeded) return decode(value, resp.revision, key);
      // Lost the race: retry with the value that won (returned by the same transaction).
      current = resp.current;
    }
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const k = Buffer.from(this.d.keys.objectKey(key), 'utf8');
    let current = await this.readKV(key, k);
    for (;;) {
      if (!current) throw notFound(key);
      const obj = decodeKV(current, key);
      checkPreconditions(key, opts.preconditions, obj);
      if (opts.validateDeletion) await opts.validateDeletion(decodeKV(current, key));
      const rev = current.mod_revision;
      const resp = await this.writeSettled(
        key,
        k,
        () =>
          this.d.client.kv.txn({
            compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: rev }],
            success: [{ request_delete_range: { key: k } }],
            failure: [{ request_range: { key: k } }],
          }),
        // Gone: deleted (by this request, or by another one just as well). Unchanged: not applied.
        (kv, revision) => (!kv ? { succeeded: true, revision } : kv.mod_revision === rev ? undefined : { succeeded: false, revision, current: kv }),
      );
      if (resp.succeeded) {
        obj.metadata.resourceVersion = resp.revision;
        return obj;
      }
      current = resp.current;
    }
  }

  async watch(keyOrPrefix: string, opts: WatchOptions = {}): Promise<WatchStream> {
    if (this.closed) throw new StorageError('Unreachable', keyOrPrefix, 'storage is closed');
    let target;
    if (opts.singleKey) {
      target = { key: Buffer.from(this.d.keys.objectKey(keyOrPrefix), 'utf8'), name: keyOrPrefix };
    } else {
      const p = Buffer.from(this.d.keys.listPrefix(keyOrPrefix), 'utf8');
      target = { key: p, rangeEnd: prefixEnd(p), name: keyOrPrefix };
    }
    const w = new EtcdWatch(
      {
        client: this.d.client,
        caller: this.d.caller,
        logger: this.d.logger,
        config: this.d.watch,
        currentRevision: () => this.revision(),
        storageKey: (k) => this.d.keys.storageKey(k),
        onEnd: (x) => this.watches.delete(x),
      },
      target,
      opts,
    );
    this.watches.add(w);
    try {
      return w.start();
    } catch (err) {
      this.watches.delete(w);
      throw err;
    }
  }

  grantLease(ttlSeconds: number): Promise<Lease> {
    return this.d.leases.grant(ttlSeconds);
  }

  async currentRevision(): Promise<string> {
    return (await this.revision()).toString();
  }

  /** The current revision as seen by a linearizable read. */
  async revision(): Promise<bigint> {
    const key = Buffer.from(this.d.keys.healthKey(), 'utf8');
    const resp = await this.d.caller.call('', () => this.d.client.kv.range({ key, count_only: true }), { idempotent: true });
    return BigInt(resp.header.revision);
  }

  /**
   * A linearizable read, which needs a quorum: it fails over to the other members like any read,
   * so readiness fails only when no quorum is reachable. A read that times out gets a second
   * window: while the members elect a new leader (about a second, longer on a loaded machine)
   * reads wait, and a quorum that is only choosing its leader is not an outage.
   */
  async healthCheck(): Promise<void> {
    const key = Buffer.from(this.d.keys.healthKey(), 'utf8');
    for (let attempt = 1; ; attempt++) {
      try {
        await this.d.caller.call('', (deadline) => this.d.client.kv.range({ key, count_only: true }, { deadline }), {
          idempotent: true,
          timeoutMs: this.d.healthCheckTimeoutMs,
        });
        return;
      } catch (err) {
        if (attempt >= 2 || !(err instanceof StorageError) || err.code !== 'Timeout') throw err;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.stop();
    this.watches.clear();
    this.d.leases.releaseAll();
    this.d.client.close();
  }

  private async readKV(key: string, k: Buffer): Promise<IKeyValue | undefined> {
    const resp = await this.d.caller.call(key, () => this.d.client.kv.range({ key: k }), { idempotent: true });
    return resp.kvs[0];
  }

  /** Put if the key's mod revision is `expectedRev` ("0" = absent); else read it back. */
  private casPut(key: string, k: Buffer, expectedRev: string, value: Buffer, lease: string | undefined): Promise<WriteOutcome> {
    return this.writeSettled(
      key,
      k,
      () =>
        this.d.client.kv.txn({
          compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRev }],
          // Keep the key on its lease, if it had one (a plain put would detach it).
          success: [{ request_put: { key: k, value, ...(lease ? { lease } : {}) } }],
          failure: [{ request_range: { key: k } }],
        }),
      (kv, revision) => {
        if ((kv?.mod_revision ?? '0') === expectedRev) return undefined; // not applied
        // Our exact bytes written since: this write applied (object values carry a fresh
        // managedFields time or uid, so another writer's bytes are not ours).
        if (kv && kv.value.equals(value)) return { succeeded: true, revision: kv.mod_revision };
        return { succeeded: false, revision, current: kv };
      },
    );
  }

  /**
   * Runs a write transaction. If the connection failed after sending it (or its deadline passed),
   * reads the key (a linearizable read, on whichever member answers) and lets `settle` decide from
   * its current value: applied, lost to another write, or not applied (undefined), when it is sent
   * again. A write sent again may meet the first one applied after all (a pending proposal): its
   * failed compare is then settled the same way, so the request never sees its own write as
   * another's.
   */
  private async writeSettled(
    key: string,
    k: Buffer,
    txn: () => Promise<ITxnResponse>,
    settle: (kv: IKeyValue | undefined, revision: string) => WriteOutcome | undefined,
  ): Promise<WriteOutcome> {
    for (let resend = 0; ; resend++) {
      try {
        const outcome = outcomeOf(await this.d.caller.call(key, txn, { idempotent: false }));
        if (resend === 0 || outcome.succeeded) return outcome;
        return settle(outcome.current, outcome.revision) ?? outcome;
      } catch (err) {
        if (!(err instanceof StorageError) || !mayHaveApplied(err.cause) || resend >= UNKNOWN_OUTCOME_RESENDS) throw err;
        this.d.logger.info({ key, err: err.message }, 'etcd write outcome unknown; reading it back');
        const resp = await this.d.caller.call(key, () => this.d.client.kv.range({ key: k }), { idempotent: true });
        const settled = settle(resp.kvs[0], resp.header.revision);
        if (settled) return settled;
      }
    }
  }
}

function notFound(key: string): StorageError {
  return new StorageError('KeyNotFound', key, `key ${key} not found`);
}

function failureKV(resp: ITxnResponse): IKeyValue | undefined {
  return resp.responses[0]?.response_range?.kvs[0];
}

/** k8s.io/apiserver's Preconditions.Check, word for word (the registry answers 409 with it). */
function checkPreconditions(key: string, pre: Preconditions | undefined, obj: KubeObject): void {
  if (!pre) return;
  const uid = obj.metadata.uid ?? '';
  if (pre.uid !== undefined && pre.uid !== uid) {
    throw new StorageError('ResourceVersionConflicts', key, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
  }
  const rv = obj.metadata.resourceVersion ?? '';
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== rv) {
    throw new StorageError(
      'ResourceVersionConflicts',
      key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${rv}`,
    );
  }
}
