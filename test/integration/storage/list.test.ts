import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { KubeObject } from '../../../src/apiserver/api/types.js';
import { StorageError, type ListResult } from '../../../src/apiserver/storage/interfaces.js';
import { decodeContinue, encodeContinue } from '../../../src/apiserver/storage/etcd3/continue-token.js';
import { obj, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.teardown();
});

const names = (r: ListResult) => r.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
const pad = (i: number) => String(i).padStart(2, '0');

function tokenJSON(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

async function seed(s: ReturnType<Harness['storage']>, ns: string, count: number, labels?: (i: number) => Record<string, string>) {
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await s.create(`imagestreams/${ns}/o${pad(i)}`, obj(ns, `o${pad(i)}`, { metadata: { labels: labels?.(i) ?? {} } })));
  }
  return out;
}

describe('list', () => {
  it('when listing a namespace, only its keys come back, sorted, with the read revision as resourceVersion', async () => {
    const s = h.storage();
    await s.create('imagestreams/ns/b', obj('ns', 'b'));
    await s.create('imagestreams/ns/a', obj('ns', 'a'));
    await s.create('imagestreams/ns2/a', obj('ns2', 'a'));
    await s.create('images/a', obj('', 'a'));
    const r = await s.list('imagestreams/ns/');
    assert.deepEqual(names(r), ['ns/a', 'ns/b']);
    assert.equal(r.resourceVersion, await s.currentRevision());
    assert.equal(r.continue, undefined);
    // A prefix without the trailing slash still means the namespace, not "ns*".
    assert.deepEqual(names(await s.list('imagestreams/ns')), ['ns/a', 'ns/b']);
    assert.deepEqual(names(await s.list('imagestreams/')), ['ns/a', 'ns/b', 'ns2/a']);
  });

  it('when the prefix is empty, the list is empty but still has a resourceVersion', async () => {
    const s = h.storage();
    const r = await s.list('imagestreams/nothing/');
    assert.deepEqual(r.items, []);
    assert.match(r.resourceVersion, /^[0-9]+$/);
  });

  it('when 25 objects are listed with limit 10, every object comes back exactly once at one resourceVersion', async () => {
    const s = h.storage();
    await seed(s, 'page', 25);
    const p1 = await s.list('imagestreams/page/', { limit: 10 });
    assert.equal(p1.items.length, 10);
    assert.equal(p1.remainingItemCount, 15);
    assert.ok(p1.continue);
    // Writes after the first page are not seen by later pages (they read at the first page's revision).
    await s.create('imagestreams/page/o05a', obj('page', 'o05a'));
    await s.delete('imagestreams/page/o20');
    const p2 = await s.list('imagestreams/page/', { limit: 10, continue: p1.continue });
    assert.equal(p2.resourceVersion, p1.resourceVersion);
    assert.equal(p2.remainingItemCount, 5);
    const p3 = await s.list('imagestreams/page/', { limit: 10, continue: p2.continue });
    assert.equal(p3.resourceVersion, p1.resourceVersion);
    assert.equal(p3.continue, undefined);
    assert.equal(p3.remainingItemCount, undefined);
    const all = [...names(p1), ...names(p2), ...names(p3)];
    assert.deepEqual(all, Array.from({ length: 25 }, (_, i) => `page/o${pad(i)}`));
  });

  it('when a continue token is issued, it has the k8s.io/apiserver format relative to the list prefix', async () => {
    const s = h.storage();
    await seed(s, 'tok', 3);
    const ns = await s.list('imagestreams/tok/', { limit: 2 });
    assert.ok(ns.continue);
    assert.doesNotMatch(ns.continue, /[=+/]/);
    assert.equal(tokenJSON(ns.continue), `{"v":"meta.k8s.io/v1","rv":${ns.resourceVersion},"start":"o01\\u0000"}`);
    const all = await s.list('imagestreams/', { limit: 1 });
    assert.ok(all.continue);
    assert.equal(tokenJSON(all.continue), `{"v":"meta.k8s.io/v1","rv":${all.resourceVersion},"start":"tok/o00\\u0000"}`);
    // The example from the conventions decodes to what it says.
    assert.deepEqual(decodeContinue('eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDUsInN0YXJ0IjoibXlucy9mb29cdTAwMDAifQ'), {
      rv: 12345n,
      start: 'myns/foo\u0000',
    });
    assert.equal(encodeContinue('myns/foo\u0000', 12345n), 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDUsInN0YXJ0IjoibXlucy9mb29cdTAwMDAifQ');
  });

  it('when a continue token starts with "/", it is accepted', async () => {
    const s = h.storage();
    await seed(s, 'slash', 3);
    const p1 = await s.list('imagestreams/slash/', { limit: 1 });
    const token = encodeContinue('/o00\u0000', BigInt(p1.resourceVersion));
    const p2 = await s.list('imagestreams/slash/', { limit: 1, continue: token });
    assert.deepEqual(names(p2), ['slash/o01']);
  });

  it('when a continue token is invalid, list fails with InvalidContinue and a k8s message', async () => {
    const s = h.storage();
    const bad = async (token: string, message: RegExp | string) =>
      assert.rejects(s.list('imagestreams/x/', { limit: 1, continue: token }), (err: unknown) => {
        assert.ok(err instanceof StorageError, String(err));
        assert.equal(err.code, 'InvalidContinue');
        if (typeof message === 'string') assert.equal(err.message, message);
        else assert.match(err.message, message);
        return true;
      });
    const raw = (json: string) => Buffer.from(json).toString('base64url');
    await bad(raw('{"v":"meta.k8s.io/v1","rv":5,"start":"../other/a\\u0000"}'), 'continue key is not valid: ../other/a\u0000');
    await bad(raw('{"v":"meta.k8s.io/v1","rv":5,"start":"a/../../b"}'), /^continue key is not valid: a\/\.\.\/\.\.\/b$/);
    await bad(raw('{"v":"meta.k8s.io/v1","rv":5,"start":""}'), /encoded start key empty/);
    await bad(raw('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}'), /incorrect encoded start resourceVersion/);
    await bad(raw('{"v":"meta.k8s.io/v2","rv":5,"start":"a"}'), /server does not recognize this encoded version "meta.k8s.io\/v2"/);
    await bad(raw('not json'), /^continue key is not valid: /);
    await bad('!!!', /^continue key is not valid: /);
    await bad(`${raw('{"v":"meta.k8s.io/v1","rv":5,"start":"a"}')}=`, /^continue key is not valid: /);
    await assert.rejects(
      s.list('imagestreams/x/', { continue: encodeContinue('a', 5n), resourceVersion: '7' }),
      (err: unknown) => err instanceof StorageError && err.code === 'InvalidContinue' && /not allowed when using continue/.test(err.message),
    );
  });

  it('when a selector filters items, the server keeps reading until limit matches and omits remainingItemCount', async () => {
    const s = h.storage();
    // Only every 7th object matches.
    await seed(s, 'sel', 30, (i) => ({ pick: i % 7 === 0 ? 'yes' : 'no' }));
    const predicate = (o: KubeObject) => o.metadata.labels?.pick === 'yes';
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let rv: string | undefined;
    do {
      const r = await s.list('imagestreams/sel/', { limit: 2, predicate, hasSelector: true, continue: token });
      assert.ok(r.items.length <= 2);
      assert.equal(r.remainingItemCount, undefined);
      rv ??= r.resourceVersion;
      assert.equal(r.resourceVersion, rv);
      seen.push(...names(r));
      token = r.continue;
      pages++;
    } while (token);
    assert.deepEqual(seen, ['sel/o00', 'sel/o07', 'sel/o14', 'sel/o21', 'sel/o28']);
    assert.ok(pages >= 3 && pages <= 4, `pages: ${pages}`);
    const first = await s.list('imagestreams/sel/', { limit: 2, predicate, hasSelector: true });
    assert.deepEqual(names(first), ['sel/o00', 'sel/o07']);
  });

  it('when resourceVersionMatch is Exact, the list is the state at that revision', async () => {
    const s = h.storage();
    const [a] = await seed(s, 'exact', 2);
    const atTwo = await s.currentRevision();
    await s.create('imagestreams/exact/later', obj('exact', 'later'));
    await s.delete('imagestreams/exact/o00');
    const r = await s.list('imagestreams/exact/', { resourceVersion: atTwo, resourceVersionMatch: 'Exact' });
    assert.deepEqual(names(r), ['exact/o00', 'exact/o01']);
    assert.equal(r.resourceVersion, atTwo);
    assert.equal(r.items[0].metadata.resourceVersion, a.metadata.resourceVersion);
    // Legacy: rv=N with a limit is Exact too, and the token keeps that revision.
    const legacy = await s.list('imagestreams/exact/', { resourceVersion: atTwo, limit: 1 });
    assert.deepEqual(names(legacy), ['exact/o00']);
    assert.equal(legacy.resourceVersion, atTwo);
    assert.ok(legacy.continue);
    assert.equal(decodeContinue(legacy.continue).rv, BigInt(atTwo));
  });

  it('when resourceVersionMatch is NotOlderThan (or legacy rv=N without limit), the list is the latest state', async () => {
    const s = h.storage();
    await seed(s, 'not', 1);
    const old = await s.currentRevision();
    await s.create('imagestreams/not/new', obj('not', 'new'));
    const r = await s.list('imagestreams/not/', { resourceVersion: old, resourceVersionMatch: 'NotOlderThan' });
    assert.deepEqual(names(r), ['not/new', 'not/o00']);
    assert.ok(BigInt(r.resourceVersion) > BigInt(old));
    const legacy = await s.list('imagestreams/not/', { resourceVersion: old });
    assert.deepEqual(names(legacy), ['not/new', 'not/o00']);
  });

  it('when the requested revision is in the future, list fails with TooLargeResourceVersion (NotOlderThan and Exact)', async () => {
    const s = h.storage();
    const future = (BigInt(await s.currentRevision()) + 100n).toString();
    for (const opts of [
      { resourceVersion: future, resourceVersionMatch: 'NotOlderThan' as const },
      { resourceVersion: future },
      { resourceVersion: future, resourceVersionMatch: 'Exact' as const },
      { resourceVersion: future, limit: 5 },
    ]) {
      await assert.rejects(s.list('imagestreams/', opts), (err: unknown) => {
        assert.ok(err instanceof StorageError, String(err));
        assert.equal(err.code, 'TooLargeResourceVersion', JSON.stringify(opts));
        assert.equal(err.extra.requestedRevision, future);
        assert.ok(err.extra.currentRevision);
        return true;
      });
    }
  });

  it('when resourceVersion is "0", any state may be served and limit is ignored', async () => {
    const s = h.storage();
    await seed(s, 'zero', 5);
    const r = await s.list('imagestreams/zero/', { resourceVersion: '0', limit: 2 });
    assert.equal(r.items.length, 5);
    assert.equal(r.continue, undefined);
  });
});

describe('list after compaction', () => {
  it('when the continue token revision was compacted, list fails with Compacted and a token (rv -1) that continues at the latest revision', async () => {
    const s = h.storage();
    await seed(s, 'comp', 5);
    const p1 = await s.list('imagestreams/comp/', { limit: 2 });
    assert.ok(p1.continue);
    await s.create('imagestreams/comp/o01b', obj('comp', 'o01b'));
    await h.compact();
    let fresh: string | undefined;
    await assert.rejects(s.list('imagestreams/comp/', { limit: 2, continue: p1.continue }), (err: unknown) => {
      assert.ok(err instanceof StorageError, String(err));
      assert.equal(err.code, 'Compacted');
      fresh = err.extra.continueToken;
      return true;
    });
    assert.ok(fresh);
    assert.equal(tokenJSON(fresh), '{"v":"meta.k8s.io/v1","rv":-1,"start":"o01\\u0000"}');
    const p2 = await s.list('imagestreams/comp/', { limit: 2, continue: fresh });
    // Continues after the same key, now at the latest revision (so o01b, created later, shows up).
    assert.deepEqual(names(p2), ['comp/o01b', 'comp/o02']);
    assert.equal(p2.resourceVersion, await s.currentRevision());
    assert.ok(p2.continue);
    assert.equal(decodeContinue(p2.continue).rv, BigInt(p2.resourceVersion));
    const p3 = await s.list('imagestreams/comp/', { limit: 2, continue: p2.continue });
    assert.deepEqual(names(p3), ['comp/o03', 'comp/o04']);
  });

  it('when an Exact revision was compacted, list fails with Compacted and no token', async () => {
    const s = h.storage();
    await seed(s, 'compx', 2);
    const old = await s.currentRevision();
    await s.create('imagestreams/compx/more', obj('compx', 'more'));
    await h.compact();
    for (const opts of [{ resourceVersion: old, resourceVersionMatch: 'Exact' as const }, { resourceVersion: old, limit: 1 }]) {
      await assert.rejects(s.list('imagestreams/compx/', opts), (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.equal(err.code, 'Compacted');
        assert.equal(err.extra.continueToken, undefined);
        return true;
      });
    }
  });
});
