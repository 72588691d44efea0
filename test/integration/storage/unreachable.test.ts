import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { StorageError } from '../../../src/apiserver/storage/interfaces.js';
import { EventReader, obj, sleep, startHarness, summarize, type Harness } from './harness.js';

// Every test here stops etcd, so they run one after another against this file's own etcd.
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.teardown();
});

/** Runs `op` and asserts it fails fast with an etcd-unavailable StorageError. */
async function failsFast(name: string, op: () => Promise<unknown>, withinMs: number): Promise<void> {
  const start = Date.now();
  await assert.rejects(op(), (err: unknown) => {
    assert.ok(err instanceof StorageError, `${name}: ${String(err)}`);
    assert.ok(err.code === 'Unreachable' || err.code === 'Timeout', `${name}: ${err.code} ${err.message}`);
    return true;
  });
  const took = Date.now() - start;
  assert.ok(took < withinMs, `${name} took ${took} ms`);
}

async function eventually<T>(op: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

describe('when etcd is unreachable', () => {
  it('every call fails within the request timeout with Unreachable, and works again once etcd is back', async () => {
    const s = h.storage({ requestTimeoutMs: 2_000, healthCheckTimeoutMs: 1_000 });
    const existing = await s.create('imagestreams/ns/a', obj('ns', 'a'));
    await h.etcd.stop();
    try {
      const limit = 3_500;
      await failsFast('create', () => s.create('imagestreams/ns/b', obj('ns', 'b')), limit);
      await failsFast('get', () => s.get('imagestreams/ns/a'), limit);
      await failsFast('list', () => s.list('imagestreams/ns/'), limit);
      await failsFast('update', () => s.guaranteedUpdate('imagestreams/ns/a', (c) => ({ ...c, spec: { x: 1 } })), limit);
      await failsFast('delete', () => s.delete('imagestreams/ns/a'), limit);
      await failsFast('currentRevision', () => s.currentRevision(), limit);
      await failsFast('healthCheck', () => s.healthCheck(), limit);
      await failsFast('grantLease', () => s.grantLease(5), limit);
      // A watch cannot start: it reports the failure as an ERROR event, quickly.
      const w = new EventReader(await s.watch('imagestreams/ns/', { resourceVersion: existing.metadata.resourceVersion }));
      assert.match(summarize(await w.next(limit)), /^ERROR (Unreachable|Timeout)$/);
    } finally {
      await h.etcd.start();
    }
    // The same storage recovers without being re-created.
    const got = await eventually(() => s.get('imagestreams/ns/a'), 10_000);
    assert.equal(got.metadata.resourceVersion, existing.metadata.resourceVersion);
    await s.healthCheck();
    await s.create('imagestreams/ns/b', obj('ns', 'b'));
    await s.guaranteedUpdate('imagestreams/ns/a', (c) => ({ ...c, spec: { x: 1 } }));
    assert.deepEqual((await s.list('imagestreams/ns/')).items.map((o) => o.metadata.name), ['a', 'b']);
    const lease = await s.grantLease(5);
    await lease.revoke();
  });

  it('a watch resumes from the last delivered revision after etcd restarts: no event is lost or repeated', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, error: () => {}, warn: (_: object, msg: string) => void warnings.push(msg) };
    const s = h.storage({ watch: { reconnectTimeoutMs: 30_000 }, logger });
    const r = new EventReader(await s.watch('imagestreams/w/', { resourceVersion: await s.currentRevision() }));
    const a = await s.create('imagestreams/w/a', obj('w', 'a'));
    assert.equal(summarize(await r.next()), `ADDED w/a ${a.metadata.resourceVersion}`);
    await h.etcd.stop();
    await sleep(500);
    await h.etcd.start();
    // Written as soon as etcd is back, very likely before the watch has reconnected.
    const written = [];
    written.push(await eventually(() => s.create('imagestreams/w/b', obj('w', 'b')), 10_000));
    written.push(await s.guaranteedUpdate('imagestreams/w/a', (c) => ({ ...c, spec: { v: 2 } })));
    written.push(await s.create('imagestreams/w/c', obj('w', 'c')));
    const seen = [];
    for (let i = 0; i < written.length; i++) seen.push(summarize(await r.next(15_000)));
    assert.deepEqual(seen, [
      `ADDED w/b ${written[0].metadata.resourceVersion}`,
      `MODIFIED w/a ${written[1].metadata.resourceVersion}`,
      `ADDED w/c ${written[2].metadata.resourceVersion}`,
    ]);
    assert.equal(await r.none(500), undefined);
    assert.ok(warnings.includes('etcd watch stream broke; resuming'), 'the stream really was resumed');
    r.stream.stop();
  });

  it('a watch whose etcd stays away longer than the reconnect timeout ends with ERROR Unreachable', async () => {
    const s = h.storage({ watch: { reconnectTimeoutMs: 1_000 } });
    const r = new EventReader(await s.watch('imagestreams/x/', { resourceVersion: await s.currentRevision() }));
    await sleep(200);
    await h.etcd.stop();
    try {
      const start = Date.now();
      assert.equal(summarize(await r.next(10_000)), 'ERROR Unreachable');
      assert.ok(Date.now() - start < 5_000);
      assert.equal(await r.nextOrEnd(), 'end');
    } finally {
      await h.etcd.start();
    }
  });
});
