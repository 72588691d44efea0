import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { compactToHead } from '../../support/etcd.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = { metadata: Record<string, unknown>; [k: string]: unknown };
type List = { kind: string; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }; items: Obj[] };

describe('lists, paging, selectors and watches over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    for (let i = 0; i < 25; i++) {
      const r = await t.client.post(nsPath('paging', 'imagestreams'), imageStream(`s${String(i).padStart(2, '0')}`, { metadata: { labels: { parity: i % 2 ? 'odd' : 'even' } } }));
      assert.equal(r.status, 201);
    }
  });
  after(async () => t?.stop());

  it('25 objects paged with limit 10 come back each exactly once', async () => {
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    let rv = '';
    do {
      const r = await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=10${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      const l = r.json<List>();
      if (!rv) rv = l.metadata.resourceVersion;
      else assert.equal(l.metadata.resourceVersion, rv, 'every page is read at the first page revision');
      seen.push(...l.items.map((i) => String(i.metadata.name)));
      cont = l.metadata.continue ?? '';
      pages++;
      if (pages === 1) assert.equal(l.metadata.remainingItemCount, 15);
    } while (cont);
    assert.equal(pages, 3);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
  });

  it('the continue token is base64url JSON with the list revision and next key', async () => {
    const l = (await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=2`)).json<List>();
    const token = JSON.parse(Buffer.from(String(l.metadata.continue), 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(token, { v: 'meta.k8s.io/v1', rv: Number(l.metadata.resourceVersion), start: 's01\u0000' });
  });

  it('label and field selectors filter lists; with a limit, pages hold only matches', async () => {
    const odd = (await t.client.get(`${nsPath('paging', 'imagestreams')}?labelSelector=parity%3Dodd`)).json<List>();
    assert.equal(odd.items.length, 12);
    const paged = (await t.client.get(`${nsPath('paging', 'imagestreams')}?labelSelector=parity%3Dodd&limit=5`)).json<List>();
    assert.equal(paged.items.length, 5);
    assert.ok(paged.items.every((i) => (i.metadata.labels as Record<string, string>).parity === 'odd'));
    assert.equal(paged.metadata.remainingItemCount, undefined, 'no remainingItemCount with a selector');
    const one = (await t.client.get(`${nsPath('paging', 'imagestreams')}?fieldSelector=metadata.name%3Ds07`)).json<List>();
    assert.deepEqual(one.items.map((i) => i.metadata.name), ['s07']);
    const all = (await t.client.get(`/apis/image.openshift.io/v1/imagestreams?fieldSelector=metadata.namespace%3Dpaging&limit=500`)).json<List>();
    assert.equal(all.items.length, 25);
  });

  it('Table output has the columns and PartialObjectMetadata rows kubectl needs', async () => {
    const r = await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=3`, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(r.status, 200);
    const table = r.json<{ kind: string; apiVersion: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: Obj }[]; metadata: Record<string, unknown> }>();
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Image Repository', 'Tags', 'Updated']);
    assert.equal(table.rows.length, 3);
    assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(table.rows[0].object.metadata.namespace, 'paging');
    assert.ok(table.metadata.continue);
    const none = (await t.client.get(`${nsPath('paging', 'imagestreams', 's00')}?includeObject=None`, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json<{ rows: { object: unknown }[] }>();
    assert.equal(none.rows[0].object, null);
  });

  it('PartialObjectMetadataList carries only metadata', async () => {
    const r = await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=2`, { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    const l = r.json<List & { apiVersion: string }>();
    assert.equal(l.kind, 'PartialObjectMetadataList');
    assert.equal(l.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(Object.keys(l.items[0]).sort(), ['apiVersion', 'kind', 'metadata']);
    const wrong = await t.client.get(nsPath('paging', 'imagestreams', 's00'), { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    assert.equal(wrong.status, 406);
  });

  it('a watch started from a list resourceVersion sees create, update and delete in order', async () => {
    const l = (await t.client.get(nsPath('watching', 'imagestreams'))).json<List>();
    const w = await t.client.watch(`${nsPath('watching', 'imagestreams')}?watch=true&resourceVersion=${l.metadata.resourceVersion}`);
    assert.equal(w.status, 200);
    await t.client.post(nsPath('watching', 'imagestreams'), imageStream('w1'));
    await t.client.patch(nsPath('watching', 'imagestreams', 'w1'), { metadata: { labels: { a: 'b' } } });
    await t.client.delete(nsPath('watching', 'imagestreams', 'w1'));
    const events = await w.take(3);
    w.stop();
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.ok(events.every((e) => e.object.kind === 'ImageStream'));
    const rvs = events.map((e) => BigInt(String(e.object.metadata?.resourceVersion)));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], 'revisions increase');
    assert.deepEqual(events[2].object.metadata?.labels, { a: 'b' }, 'DELETED carries the last stored state');
  });

  it('a watch without a resourceVersion starts with ADDED for what exists; a label selector turns leaving into DELETED', async () => {
    await t.client.post(nsPath('sel', 'imagestreams'), imageStream('x1', { metadata: { labels: { team: 'a' } } }));
    const w = await t.client.watch(`${nsPath('sel', 'imagestreams')}?watch=1&labelSelector=team%3Da`);
    const initial = await w.take(1);
    assert.equal(initial[0]?.type, 'ADDED');
    await t.client.patch(nsPath('sel', 'imagestreams', 'x1'), { metadata: { labels: { team: 'b' } } });
    const left = await w.next();
    assert.equal(left?.type, 'DELETED');
    await t.client.patch(nsPath('sel', 'imagestreams', 'x1'), { metadata: { labels: { team: 'a' } } });
    const back = await w.next();
    assert.equal(back?.type, 'ADDED');
    w.stop();
  });

  it('watch-list sends initial events then the annotated bookmark', async () => {
    const w = await t.client.watch(`${nsPath('paging', 'imagestreams')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const events = await w.take(26);
    w.stop();
    assert.equal(events.filter((e) => e.type === 'ADDED').length, 25);
    const last = events[25];
    assert.equal(last.type, 'BOOKMARK');
    assert.deepEqual(last.object.metadata?.annotations, { 'k8s.io/initial-events-end': 'true' });
  });

  it('timeoutSeconds ends a watch normally', async () => {
    const started = Date.now();
    const w = await t.client.watch(`${nsPath('quiet', 'imagestreams')}?watch=true&timeoutSeconds=1`);
    while (!w.ended && Date.now() - started < 5000) await w.next(200);
    assert.ok(w.ended);
  });

  it('watch events negotiate PartialObjectMetadata', async () => {
    const w = await t.client.watch(`${nsPath('paging', 'imagestreams')}?watch=true&fieldSelector=metadata.name%3Ds03`, {
      Accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json',
    });
    const e = await w.next();
    w.stop();
    assert.equal(e?.type, 'ADDED');
    assert.equal(e?.object.kind, 'PartialObjectMetadata');
  });

  it('compaction gives 410 on a list continue (with a fresh token) and an Exact list, while a watch the cache still holds resumes', async () => {
    const first = (await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=10`)).json<List>();
    const oldRV = first.metadata.resourceVersion;
    await t.client.post(nsPath('compact', 'imagestreams'), imageStream('c1'));
    await t.client.post(nsPath('compact', 'imagestreams'), imageStream('c2'));
    await compactToHead(t.etcd.endpoint);
    const r = await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=10&continue=${encodeURIComponent(String(first.metadata.continue))}`);
    assert.equal(r.status, 410);
    const s = r.json<{ reason: string; message: string; metadata: { continue?: string } }>();
    assert.equal(s.reason, 'Expired');
    assert.match(s.message, /^The provided continue parameter is too old to display a consistent list result/);
    const fresh = JSON.parse(Buffer.from(String(s.metadata.continue), 'base64url').toString()) as { rv: number };
    assert.equal(fresh.rv, -1);
    const resumed = await t.client.get(`${nsPath('paging', 'imagestreams')}?limit=10&continue=${encodeURIComponent(String(s.metadata.continue))}`);
    assert.equal(resumed.status, 200);
    assert.equal(resumed.json<List>().items[0].metadata.name, 's10');

    const exact = await t.client.get(`${nsPath('paging', 'imagestreams')}?resourceVersion=${oldRV}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 410);
    assert.equal(exact.json().message, 'The resourceVersion for the provided list is too old.');

    // As kube-apiserver's watch cache: its window, not etcd's history, decides (410 beyond it: test/integration/cacher).
    const w = await t.client.watch(`${nsPath('compact', 'imagestreams')}?watch=true&resourceVersion=${oldRV}`);
    const names = [(await w.next())?.object.metadata?.name, (await w.next())?.object.metadata?.name];
    w.stop();
    assert.deepEqual(names, ['c1', 'c2']);
  });

  it('a resourceVersion newer than etcd has answers 504 Too large resource version', async () => {
    const r = await t.client.get(`${nsPath('paging', 'imagestreams', 's00')}?resourceVersion=99999999`);
    assert.equal(r.status, 504);
    assert.match(String(r.json().message), /^Timeout: Too large resource version: 99999999, current: \d+$/);
    assert.equal(r.headers['retry-after'], '1');
  });
});
