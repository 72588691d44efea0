import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { StorageError } from '../../../src/apiserver/storage/interfaces.js';
import { EventReader, obj, startHarness, summarize, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.teardown();
});

function isStorageError(code: string) {
  return (err: unknown) => err instanceof StorageError && err.code === code;
}

describe('create and get', () => {
  it('when an object is created, get returns it with resourceVersion = the key mod revision', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/a', obj('ns1', 'a', { spec: { x: 1 } }));
    assert.match(created.metadata.resourceVersion ?? '', /^[1-9][0-9]*$/);
    const got = await s.get('imagestreams/ns1/a');
    assert.deepEqual(got, created);
    assert.deepEqual(got.spec, { x: 1 });
  });

  it('when the object carries a resourceVersion, it is not stored in the value', async () => {
    const s = h.storage();
    const o = obj('ns1', 'rv');
    o.metadata.resourceVersion = '999';
    const created = await s.create('imagestreams/ns1/rv', o);
    assert.notEqual(created.metadata.resourceVersion, '999');
    const resp = await h.raw.kv.range({ key: Buffer.from(`${(await rawPrefix(s))}/imagestreams/ns1/rv`) });
    const stored = JSON.parse(resp.kvs[0].value.toString()) as { metadata: Record<string, unknown> };
    assert.equal('resourceVersion' in stored.metadata, false);
    assert.equal(resp.kvs[0].mod_revision, created.metadata.resourceVersion);
  });

  it('when the key already exists, create fails with KeyExists and leaves the object alone', async () => {
    const s = h.storage();
    const first = await s.create('imagestreams/ns1/dup', obj('ns1', 'dup', { spec: { v: 1 } }));
    await assert.rejects(s.create('imagestreams/ns1/dup', obj('ns1', 'dup', { spec: { v: 2 } })), isStorageError('KeyExists'));
    assert.deepEqual(await s.get('imagestreams/ns1/dup'), first);
  });

  it('when the key does not exist, get fails with KeyNotFound', async () => {
    const s = h.storage();
    await assert.rejects(s.get('imagestreams/ns1/missing'), isStorageError('KeyNotFound'));
  });

  it('when get asks for a resourceVersion newer than etcd has, it fails with TooLargeResourceVersion', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/future', obj('ns1', 'future'));
    const requested = (BigInt(created.metadata.resourceVersion ?? '0') + 1000n).toString();
    await assert.rejects(s.get('imagestreams/ns1/future', { resourceVersion: requested }), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'TooLargeResourceVersion');
      assert.equal(err.extra.requestedRevision, requested);
      assert.ok(BigInt(err.extra.currentRevision ?? '0') >= BigInt(created.metadata.resourceVersion ?? '0'));
      return true;
    });
    // Not older than an existing revision, or "any": fine.
    assert.equal((await s.get('imagestreams/ns1/future', { resourceVersion: created.metadata.resourceVersion })).metadata.name, 'future');
    assert.equal((await s.get('imagestreams/ns1/future', { resourceVersion: '0' })).metadata.name, 'future');
  });

  it('when the resourceVersion is not a number, get fails with InvalidObject', async () => {
    const s = h.storage();
    await assert.rejects(s.get('imagestreams/ns1/x', { resourceVersion: 'abc' }), (err: unknown) => {
      assert.ok(err instanceof StorageError && err.code === 'InvalidObject');
      assert.match(err.message, /invalid resource version: .*strconv\.ParseUint: parsing "abc": invalid syntax/);
      return true;
    });
  });

  it('when a value is bigger than etcd accepts, create fails with RequestTooLarge', async () => {
    const s = h.storage();
    const big = obj('ns1', 'big', { data: 'x'.repeat(1_700_000) });
    await assert.rejects(s.create('imagestreams/ns1/big', big), isStorageError('RequestTooLarge'));
    const bigger = obj('ns1', 'bigger', { data: 'x'.repeat(3_000_000) });
    await assert.rejects(s.create('imagestreams/ns1/bigger', bigger), isStorageError('RequestTooLarge'));
  });

  it('when two storages use different prefixes, they do not see each other', async () => {
    const a = h.storage();
    const b = h.storage();
    await a.create('imagestreams/ns1/same', obj('ns1', 'same'));
    await assert.rejects(b.get('imagestreams/ns1/same'), isStorageError('KeyNotFound'));
  });
});

describe('guaranteedUpdate', () => {
  it('when tryUpdate changes the object, it is written with a new resourceVersion', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/u', obj('ns1', 'u', { spec: { n: 0 } }));
    const updated = await s.guaranteedUpdate('imagestreams/ns1/u', (cur) => ({ ...cur, spec: { n: 1 } }));
    assert.ok(BigInt(updated.metadata.resourceVersion ?? '0') > BigInt(created.metadata.resourceVersion ?? '0'));
    assert.deepEqual((await s.get('imagestreams/ns1/u')).spec, { n: 1 });
  });

  it('when tryUpdate returns an identical object, nothing is written: same resourceVersion, no watch event', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/noop', obj('ns1', 'noop', { spec: { a: 1, b: 2 } }));
    const reader = new EventReader(await s.watch('imagestreams/ns1/', { resourceVersion: created.metadata.resourceVersion }));
    // Same content with keys in another order, and a stale resourceVersion: still no write.
    const same = await s.guaranteedUpdate('imagestreams/ns1/noop', (cur) => {
      const spec = cur.spec as { a: number; b: number };
      return { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' }, spec: { b: spec.b, a: spec.a } };
    });
    assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.equal((await s.get('imagestreams/ns1/noop')).metadata.resourceVersion, created.metadata.resourceVersion);
    // A later real change is the first event the watch sees.
    await s.guaranteedUpdate('imagestreams/ns1/noop', (cur) => ({ ...cur, spec: { a: 2 } }));
    const ev = await reader.next();
    assert.equal(ev.type, 'MODIFIED');
    assert.deepEqual(ev.type === 'MODIFIED' && ev.object.spec, { a: 2 });
    reader.stream.stop();
  });

  it('when the stored object changed since it was read, the update is retried on the new value', async () => {
    const s = h.storage();
    await s.create('imagestreams/ns1/race', obj('ns1', 'race', { spec: { n: 0 } }));
    let calls = 0;
    const result = await s.guaranteedUpdate('imagestreams/ns1/race', async (cur) => {
      calls++;
      if (calls === 1) {
        // Someone else writes between our read and our compare-and-swap.
        await s.guaranteedUpdate('imagestreams/ns1/race', (c) => ({ ...c, spec: { n: 100 } }));
      }
      const n = (cur.spec as { n: number }).n;
      return { ...cur, spec: { n: n + 1 } };
    });
    assert.equal(calls, 2);
    assert.deepEqual(result.spec, { n: 101 });
  });

  it('when 10 updaters each add their own label concurrently, no label is lost', async () => {
    const s = h.storage();
    await s.create('imagestreams/ns1/labels', obj('ns1', 'labels'));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.guaranteedUpdate('imagestreams/ns1/labels', (cur) => ({
          ...cur,
          metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [`l${i}`]: String(i) } },
        })),
      ),
    );
    const final = await s.get('imagestreams/ns1/labels');
    assert.deepEqual(Object.keys(final.metadata.labels ?? {}).sort(), Array.from({ length: 10 }, (_, i) => `l${i}`).sort());
  });

  it('when the key is absent and createIfMissing is given, the object is created', async () => {
    const s = h.storage();
    const created = await s.guaranteedUpdate('imagestreams/ns1/upsert', () => assert.fail('tryUpdate must not run'), {
      createIfMissing: () => obj('ns1', 'upsert', { spec: { made: true } }),
    });
    assert.deepEqual((await s.get('imagestreams/ns1/upsert')).spec, { made: true });
    assert.ok(created.metadata.resourceVersion);
  });

  it('when the key is absent without createIfMissing, it fails with KeyNotFound', async () => {
    const s = h.storage();
    await assert.rejects(s.guaranteedUpdate('imagestreams/ns1/none', (c) => c), isStorageError('KeyNotFound'));
  });

  it('when tryUpdate throws, its error reaches the caller unchanged and nothing is written', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/throws', obj('ns1', 'throws'));
    const boom = new Error('validation failed');
    await assert.rejects(
      s.guaranteedUpdate('imagestreams/ns1/throws', () => {
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal((await s.get('imagestreams/ns1/throws')).metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('when the uid or resourceVersion precondition does not match, it fails with ResourceVersionConflicts', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/pre', obj('ns1', 'pre'));
    await assert.rejects(
      s.guaranteedUpdate('imagestreams/ns1/pre', (c) => ({ ...c, spec: { x: 1 } }), { preconditions: { uid: 'other' } }),
      (err: unknown) =>
        err instanceof StorageError &&
        err.code === 'ResourceVersionConflicts' &&
        err.message === 'Precondition failed: UID in precondition: other, UID in object meta: uid-ns1-pre',
    );
    await assert.rejects(
      s.guaranteedUpdate('imagestreams/ns1/pre', (c) => ({ ...c, spec: { x: 1 } }), { preconditions: { resourceVersion: '1' } }),
      (err: unknown) =>
        err instanceof StorageError &&
        err.code === 'ResourceVersionConflicts' &&
        err.message === `Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${created.metadata.resourceVersion}`,
    );
    const ok = await s.guaranteedUpdate('imagestreams/ns1/pre', (c) => ({ ...c, spec: { x: 1 } }), {
      preconditions: { uid: 'uid-ns1-pre', resourceVersion: created.metadata.resourceVersion },
    });
    assert.deepEqual(ok.spec, { x: 1 });
  });

  it('when a key was created with a lease, an update keeps it on that lease', async () => {
    const s = h.storage();
    const lease = await s.grantLease(30);
    await s.create('leased/a', obj('', 'a'), { lease });
    await s.guaranteedUpdate('leased/a', (c) => ({ ...c, spec: { changed: true } }));
    await lease.revoke();
    await assert.rejects(s.get('leased/a'), isStorageError('KeyNotFound'));
  });
});

describe('delete', () => {
  it('when an object is deleted, the last stored state comes back with the deletion revision', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/d', obj('ns1', 'd', { spec: { keep: 'me' } }));
    const deleted = await s.delete('imagestreams/ns1/d');
    assert.deepEqual(deleted.spec, { keep: 'me' });
    assert.ok(BigInt(deleted.metadata.resourceVersion ?? '0') > BigInt(created.metadata.resourceVersion ?? '0'));
    assert.equal(deleted.metadata.resourceVersion, await s.currentRevision());
    await assert.rejects(s.get('imagestreams/ns1/d'), isStorageError('KeyNotFound'));
    await assert.rejects(s.delete('imagestreams/ns1/d'), isStorageError('KeyNotFound'));
  });

  it('when the preconditions do not match the current object, delete fails with ResourceVersionConflicts', async () => {
    const s = h.storage();
    const created = await s.create('imagestreams/ns1/dp', obj('ns1', 'dp'));
    await assert.rejects(s.delete('imagestreams/ns1/dp', { preconditions: { uid: 'nope' } }), isStorageError('ResourceVersionConflicts'));
    await assert.rejects(
      s.delete('imagestreams/ns1/dp', { preconditions: { resourceVersion: '2' } }),
      (err: unknown) => err instanceof StorageError && /ResourceVersion in precondition: 2/.test(err.message),
    );
    const deleted = await s.delete('imagestreams/ns1/dp', {
      preconditions: { uid: 'uid-ns1-dp', resourceVersion: created.metadata.resourceVersion },
    });
    assert.equal(deleted.metadata.name, 'dp');
  });

  it('when the object changes between the read and the delete, delete retries against the new value', async () => {
    const s = h.storage();
    await s.create('imagestreams/ns1/dr', obj('ns1', 'dr', { spec: { v: 1 } }));
    let seen = 0;
    const deleted = await s.delete('imagestreams/ns1/dr', {
      validateDeletion: async (cur) => {
        seen++;
        if (seen === 1) await s.guaranteedUpdate('imagestreams/ns1/dr', (c) => ({ ...c, spec: { v: 2 } }));
        assert.ok(cur.metadata.resourceVersion);
      },
    });
    assert.equal(seen, 2);
    assert.deepEqual(deleted.spec, { v: 2 });
  });

  it('when validateDeletion refuses, the object stays', async () => {
    const s = h.storage();
    await s.create('imagestreams/ns1/fin', obj('ns1', 'fin', { metadata: { finalizers: ['x'] } }));
    const refusal = new Error('has finalizers');
    await assert.rejects(
      s.delete('imagestreams/ns1/fin', {
        validateDeletion: (cur) => {
          if (cur.metadata.finalizers?.length) throw refusal;
        },
      }),
      (err) => err === refusal,
    );
    assert.equal((await s.get('imagestreams/ns1/fin')).metadata.name, 'fin');
  });
});

describe('revision and health', () => {
  it('when etcd is up, currentRevision follows writes and healthCheck passes', async () => {
    const s = h.storage();
    const before = BigInt(await s.currentRevision());
    const created = await s.create('imagestreams/ns1/h', obj('ns1', 'h'));
    assert.ok(BigInt(created.metadata.resourceVersion ?? '0') > before);
    assert.equal(await s.currentRevision(), created.metadata.resourceVersion);
    await s.healthCheck();
  });

  it('when a watch sees a create, the event carries the same resourceVersion create returned', async () => {
    const s = h.storage();
    const reader = new EventReader(await s.watch('imagestreams/', { resourceVersion: await s.currentRevision() }));
    const created = await s.create('imagestreams/ns9/w', obj('ns9', 'w'));
    assert.equal(summarize(await reader.next()), `ADDED ns9/w ${created.metadata.resourceVersion}`);
    reader.stream.stop();
  });
});

/** The etcd prefix a storage writes under (found by writing a marker). */
async function rawPrefix(s: ReturnType<Harness['storage']>): Promise<string> {
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  await s.create(`markers/${marker}`, obj('', marker));
  const all = await h.raw.kv.range({ key: Buffer.from('/'), range_end: Buffer.from('0'), keys_only: true });
  const k = all.kvs.map((kv) => kv.key.toString()).find((x) => x.endsWith(`/markers/${marker}`));
  assert.ok(k);
  return k.slice(0, -`/markers/${marker}`.length);
}
