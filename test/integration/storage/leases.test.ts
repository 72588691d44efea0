import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { StorageError } from '../../../src/apiserver/storage/interfaces.js';
import { EventReader, obj, sleep, startHarness, summarize, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.teardown();
});

const notFound = (err: unknown) => err instanceof StorageError && err.code === 'KeyNotFound';

async function gone(get: () => Promise<unknown>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    try {
      await get();
    } catch (err) {
      if (notFound(err)) return Date.now() - start;
      throw err;
    }
    if (Date.now() - start > timeoutMs) assert.fail(`key still present after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('leases', () => {
  it('when a lease is granted, keys on it outlive its TTL while it is kept alive, and vanish when it is revoked', async () => {
    const s = h.storage();
    const lease = await s.grantLease(2);
    assert.match(lease.id, /^[0-9]+$/);
    await s.create('replicas/r1', obj('', 'r1'), { lease });
    await sleep(4_500);
    assert.equal((await s.get('replicas/r1')).metadata.name, 'r1');
    const r = new EventReader(await s.watch('replicas/', { resourceVersion: await s.currentRevision() }));
    await lease.revoke();
    await assert.rejects(s.get('replicas/r1'), notFound);
    const ev = await r.next();
    assert.match(summarize(ev), /^DELETED \/r1 [0-9]+$/);
    r.stream.stop();
    // Revoking again is harmless.
    await lease.revoke();
  });

  it('when a lease is no longer kept alive, its keys vanish after the TTL', async () => {
    const s = h.storage();
    // A bare lease without keep-alives stands in for a replica that died.
    const bare = h.raw.lease(2, { autoKeepAlive: false });
    const id = await bare.grant();
    await s.create('locks/l1', obj('', 'l1'), { lease: { id, revoke: () => bare.revoke() } });
    assert.equal((await s.get('locks/l1')).metadata.name, 'l1');
    const waited = await gone(() => s.get('locks/l1'), 8_000);
    assert.ok(waited >= 500, `expired too early (${waited} ms)`);
  });

  it('when the TTL is not a positive whole number of seconds, grantLease fails', async () => {
    const s = h.storage();
    await assert.rejects(s.grantLease(0), StorageError);
    await assert.rejects(s.grantLease(1.5), StorageError);
  });
});
