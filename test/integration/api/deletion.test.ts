// Deletion as the namespace controller and the garbage collector use it (conventions §6.11).

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = { metadata: Record<string, unknown> & { finalizers?: string[] } };
const NS = 'deleting';

describe('deletion, finalizers and propagation', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  const path = (name = ''): string => nsPath(NS, 'imagestreams', name);
  const create = async (name: string, meta: Record<string, unknown> = {}): Promise<Obj> => {
    const r = await t.client.post(path(), imageStream(name, { metadata: meta }));
    assert.equal(r.status, 201, r.text);
    return r.json<Obj>();
  };
  const release = (name: string) => t.client.request('PATCH', path(name), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });

  it('propagationPolicy=Orphan in the query adds the orphan finalizer and marks the object deleting', async () => {
    await create('orphan-q');
    const r = await t.client.request('DELETE', `${path('orphan-q')}?propagationPolicy=Orphan`);
    assert.equal(r.status, 200, r.text);
    const o = r.json<Obj>();
    assert.deepEqual(o.metadata.finalizers, ['orphan']);
    assert.match(String(o.metadata.deletionTimestamp), /Z$/);
    assert.equal(o.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(o.metadata.generation, 2);
    const again = await t.client.request('DELETE', `${path('orphan-q')}?propagationPolicy=Orphan`);
    assert.equal(again.status, 200);
    assert.equal(again.json<Obj>().metadata.deletionTimestamp, o.metadata.deletionTimestamp, 'a repeat delete changes nothing');
    assert.equal(again.json<Obj>().metadata.generation, 2);
    await release('orphan-q');
    assert.equal((await t.client.get(path('orphan-q'))).status, 404, 'removing the last finalizer deletes');
  });

  it('Foreground in the body (DeleteOptions v1, as the metadata client sends it) adds foregroundDeletion', async () => {
    await create('fg');
    const r = await t.client.delete(path('fg'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json<Obj>().metadata.finalizers, ['foregroundDeletion']);
    await release('fg');
  });

  it('orphanDependents=false on an object with finalizers answers 202', async () => {
    await create('accepted', { finalizers: ['example.com/hold'] });
    const r = await t.client.delete(path('accepted'), { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', orphanDependents: false });
    assert.equal(r.status, 202, r.text);
    assert.ok(r.json<Obj>().metadata.deletionTimestamp);
    const added = await t.client.request('PATCH', path('accepted'), { body: { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } }, contentType: 'application/merge-patch+json' });
    assert.equal(added.status, 422);
    assert.match(String(added.json().message), /no new finalizers can be added if the object is being deleted/);
    await release('accepted');
  });

  it('gracePeriodSeconds and DeleteOptions of the group version are accepted; bad options are 422', async () => {
    const o = await create('graceful');
    const r = await t.client.delete(path('graceful'), { apiVersion: 'image.openshift.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: o.metadata.uid } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'graceful', group: 'image.openshift.io', kind: 'imagestreams', uid: o.metadata.uid },
      code: 200,
    });
    await create('bad-options');
    const bad = await t.client.request('DELETE', `${path('bad-options')}?propagationPolicy=Sideways`);
    assert.equal(bad.status, 422);
    assert.equal(bad.json().message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
    const rv = await t.client.delete(path('bad-options'), { preconditions: { resourceVersion: '1' } });
    assert.equal(rv.status, 409);
    assert.match(String(rv.json().message), /^Operation cannot be fulfilled on ImageStream.image.openshift.io "bad-options": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\). The object might have been modified$/);
  });

  it('deletecollection is synchronous: matching objects without finalizers are gone at once, held ones are marked', async () => {
    await create('c1', { labels: { batch: 'x' } });
    await create('c2', { labels: { batch: 'x' } });
    await create('c3', { labels: { batch: 'x' }, finalizers: ['example.com/hold'] });
    await create('other', { labels: { batch: 'y' } });
    const r = await t.client.request('DELETE', `${path()}?labelSelector=batch%3Dx`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    assert.equal(r.status, 200, r.text);
    const listed = r.json<{ kind: string; items: Obj[] }>();
    assert.equal(listed.kind, 'ImageStreamList');
    assert.deepEqual(listed.items.map((i) => i.metadata.name).sort(), ['c1', 'c2', 'c3']);
    assert.equal(listed.items.find((i) => i.metadata.name === 'c3')?.metadata.deletionTimestamp, undefined, 'items are returned as listed before deleting');
    const left = (await t.client.get(`${path()}?labelSelector=batch%3Dx`)).json<{ items: Obj[] }>().items;
    assert.deepEqual(left.map((i) => i.metadata.name), ['c3']);
    assert.ok(left[0].metadata.deletionTimestamp);
    await release('c3');
    const none = await t.client.request('DELETE', `${path()}?labelSelector=batch%3Dnone`);
    assert.deepEqual(none.json<{ items: Obj[] }>().items, []);
  });

  it('removing the last finalizer answers the patched object and watchers see only DELETED', async () => {
    const o = await create('last', { finalizers: ['example.com/hold'] });
    await t.client.delete(path('last'));
    const held = (await t.client.get(path('last'))).json<Obj>();
    const watch = await t.client.watch(`${path()}?watch=true&resourceVersion=${String(held.metadata.resourceVersion)}&fieldSelector=metadata.name%3Dlast`);
    try {
      const r = await release('last');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json<Obj>().metadata.finalizers, undefined);
      assert.equal(r.json<Obj>().metadata.resourceVersion, held.metadata.resourceVersion);
      const [ev] = await watch.take(1);
      assert.equal(ev?.type, 'DELETED');
      assert.deepEqual(ev?.object.metadata?.finalizers, ['example.com/hold']);
      assert.equal(ev?.object.metadata?.uid, o.metadata.uid);
    } finally {
      watch.stop();
    }
    assert.equal((await t.client.get(path('last'))).status, 404);
  });
});
