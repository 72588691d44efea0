// Leader election against a real etcd: each elector has its own storage client, standing in for
// its own server process; closing a client is a process dying (keep-alives stop, nothing revoked).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { Elector, type LeaderElectionRecord } from '../../../src/apiserver/leaderelection/index.js';
import { createEtcd3Storage, type Etcd3Storage } from '../../../src/apiserver/storage/etcd3/index.js';
import { startEtcd, type EtcdHandle } from '../../support/etcd.js';

const TTL = 3;
const TIMING = { ttlSeconds: TTL, renewPeriodMs: 500, renewDeadlineMs: 2_000, retryPeriodMs: 300 };

let etcd: EtcdHandle;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd.destroy();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

interface Replica {
  name: string;
  storage: Etcd3Storage;
  elector: Elector;
  started: number;
  stopped: number;
  /** The signal of the latest term. */
  signal?: AbortSignal;
  leaders: string[];
}

/** One election per test, under a prefix of its own. */
function election() {
  const prefix = `/le-${randomBytes(4).toString('hex')}`;
  const key = 'leaderelection/scheduled-imports';
  const replicas: Replica[] = [];
  const storages: Etcd3Storage[] = [];
  const storage = () => {
    const s = createEtcd3Storage({ endpoints: [etcd.endpoint], prefix, requestTimeoutMs: 1_000 });
    storages.push(s);
    return s;
  };
  const replica = (name: string): Replica => {
    const s = storage();
    const r: Replica = { name, storage: s, started: 0, stopped: 0, leaders: [], elector: undefined as unknown as Elector };
    r.elector = new Elector({
      storage: s,
      key,
      identity: name,
      ...TIMING,
      onStartedLeading: (signal) => {
        r.started++;
        r.signal = signal;
      },
      onStoppedLeading: () => {
        r.stopped++;
      },
      onNewLeader: (id) => r.leaders.push(id),
    });
    replicas.push(r);
    r.elector.start();
    return r;
  };
  return {
    key,
    replica,
    storage,
    leaders: () => replicas.filter((r) => r.elector.isLeader),
    async teardown() {
      await Promise.all(replicas.map((r) => r.elector.stop()));
      await Promise.all(storages.map((s) => s.close()));
    },
  };
}

describe('leader election on an etcd lease', () => {
  it('when two replicas campaign, exactly one leads and the key names it', async () => {
    const e = election();
    try {
      const a = e.replica('replica-a');
      const b = e.replica('replica-b');
      await waitFor('a leader', () => e.leaders().length === 1, 5_000);
      // Stays exactly one over several renew periods.
      for (let i = 0; i < 10; i++) {
        assert.equal(e.leaders().length, 1, 'exactly one leader');
        await sleep(150);
      }
      const [leader] = e.leaders();
      const follower = leader === a ? b : a;
      assert.equal(leader!.started, 1);
      assert.equal(leader!.signal?.aborted, false);
      assert.equal(follower.started, 0);
      const record = (await e.storage().get(e.key)) as LeaderElectionRecord;
      assert.equal(record.holderIdentity, leader!.name);
      assert.equal(record.leaseDurationSeconds, TTL);
      assert.match(record.leaseId, /^\d+$/);
      await waitFor('follower sees the leader', () => follower.elector.leader === leader!.name, 2_000);
    } finally {
      await e.teardown();
    }
  });

  it('when the leader process dies, the other replica takes over within the lease TTL', async () => {
    const e = election();
    try {
      const a = e.replica('replica-a');
      await waitFor('a leads', () => a.elector.isLeader, 5_000);
      const b = e.replica('replica-b');
      await sleep(500);
      assert.equal(b.elector.isLeader, false);

      // Process death: keep-alives stop, nothing is revoked; the key lives until the TTL runs out.
      const died = Date.now();
      await a.storage.close();
      await waitFor('b takes over', () => b.elector.isLeader, TTL * 1000 + 3_000);
      const tookOver = Date.now() - died;
      assert.ok(tookOver >= 1_000, `took over too early (${tookOver} ms): the dead leader's lease was still valid`);
      assert.equal(b.started, 1);
      // The dead one noticed it can no longer confirm and stopped its work.
      await waitFor('a stops leading', () => a.stopped === 1 && a.signal?.aborted === true, TIMING.renewDeadlineMs + 2_000);
      assert.equal(a.elector.isLeader, false);
      const record = (await e.storage().get(e.key)) as LeaderElectionRecord;
      assert.equal(record.holderIdentity, 'replica-b');
    } finally {
      await e.teardown();
    }
  });

  it('when the leader steps down, the follower takes over at once (the lease is revoked)', async () => {
    const e = election();
    try {
      const a = e.replica('replica-a');
      await waitFor('a leads', () => a.elector.isLeader, 5_000);
      const b = e.replica('replica-b');
      await waitFor('b follows a', () => b.elector.leader === 'replica-a', 3_000);
      const t0 = Date.now();
      await a.elector.stop();
      assert.equal(a.stopped, 1);
      assert.equal(a.signal?.aborted, true);
      const took = await waitFor('b takes over', () => b.elector.isLeader, 2_000);
      assert.ok(Date.now() - t0 < TTL * 1000, `took ${took} ms: should not wait for the TTL`);
    } finally {
      await e.teardown();
    }
  });

  it('when the leader key is deleted, the leader stops leading and the election goes on', async () => {
    const e = election();
    try {
      const a = e.replica('replica-a');
      const b = e.replica('replica-b');
      await waitFor('a leader', () => e.leaders().length === 1, 5_000);
      const [first] = e.leaders();
      const signal = first!.signal!;
      await e.storage().delete(e.key);
      await waitFor('the old leader stops', () => signal.aborted && first!.stopped === 1, 1_500);
      await waitFor('a new term', () => e.leaders().length === 1 && a.started + b.started === 2, 5_000);
      assert.equal(e.leaders().length, 1);
    } finally {
      await e.teardown();
    }
  });

  it('when a replica restarts under the same identity, it waits for its old lease to expire', async () => {
    const e = election();
    try {
      const old = e.replica('replica-a');
      await waitFor('old leads', () => old.elector.isLeader, 5_000);
      await old.storage.close();
      const restarted = e.replica('replica-a');
      await sleep(800);
      assert.equal(restarted.elector.isLeader, false, 'the old process\'s key is not the new one\'s lease');
      await waitFor('restarted leads after the TTL', () => restarted.elector.isLeader, TTL * 1000 + 3_000);
    } finally {
      await e.teardown();
    }
  });

  it('rejects timings that would let two leaders overlap', () => {
    const storage = {} as Etcd3Storage;
    const base = { storage, key: 'k', identity: 'x', onStartedLeading: () => undefined };
    assert.throws(() => new Elector({ ...base, ttlSeconds: 3, renewDeadlineMs: 3_000 }), /renew deadline must be shorter/);
    assert.throws(() => new Elector({ ...base, ttlSeconds: 3, renewPeriodMs: 2_500, renewDeadlineMs: 2_000 }), /renew period must be shorter/);
    assert.throws(() => new Elector({ ...base, ttlSeconds: 1.5 }), /whole number/);
  });
});
