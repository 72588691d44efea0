import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath, dockerTag } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown>; [k: string]: unknown };

describe('imagestreams over HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(['--internal-registry-hostname=registry.local:5000']);
  });
  after(async () => t?.stop());

  it('create answers 201 with system metadata and a computed status repository', async () => {
    const r = await t.client.post(nsPath('crud', 'imagestreams'), imageStream('one', { spec: { tags: [dockerTag('latest', 'quay.io/a/b:1')] } }));
    assert.equal(r.status, 201, r.text);
    const o = r.json<Obj>();
    assert.equal(o.kind, 'ImageStream');
    assert.equal(o.apiVersion, 'image.openshift.io/v1');
    assert.equal(o.metadata.namespace, 'crud');
    assert.match(String(o.metadata.uid), /^[0-9a-f-]{36}$/);
    assert.match(String(o.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(String(o.metadata.resourceVersion), /^\d+$/);
    assert.equal(o.metadata.generation, 1);
    assert.equal((o.status as Record<string, unknown>).dockerImageRepository, 'registry.local:5000/crud/one');
  });

  it('when the name is taken, create answers 409 AlreadyExists', async () => {
    const r = await t.client.post(nsPath('crud', 'imagestreams'), imageStream('one'));
    assert.equal(r.status, 409);
    const s = r.json();
    assert.equal(s.reason, 'AlreadyExists');
    assert.equal(s.message, 'imagestreams.image.openshift.io "one" already exists');
    assert.deepEqual(s.details, { name: 'one', group: 'image.openshift.io', kind: 'imagestreams' });
  });

  it('generateName with a trailing dash gets a unique name', async () => {
    const r = await t.client.post(nsPath('crud', 'imagestreams'), { metadata: { generateName: 'gen-' }, spec: {} });
    assert.equal(r.status, 201, r.text);
    assert.match(String(r.json<Obj>().metadata.name), /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('get of a missing stream answers the NotFound Status', async () => {
    const r = await t.client.get(nsPath('crud', 'imagestreams', 'does-not-exist'));
    assert.equal(r.status, 404);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'imagestreams.image.openshift.io "does-not-exist" not found',
      reason: 'NotFound',
      details: { name: 'does-not-exist', group: 'image.openshift.io', kind: 'imagestreams' },
      code: 404,
    });
  });

  it('when the resourceVersion is stale, update answers 409 Conflict', async () => {
    const cur = (await t.client.get(nsPath('crud', 'imagestreams', 'one'))).json<Obj>();
    const first = await t.client.put(nsPath('crud', 'imagestreams', 'one'), { ...cur, metadata: { ...cur.metadata, labels: { a: '1' } } });
    assert.equal(first.status, 200, first.text);
    const stale = await t.client.put(nsPath('crud', 'imagestreams', 'one'), { ...cur, metadata: { ...cur.metadata, labels: { a: '2' } } });
    assert.equal(stale.status, 409);
    assert.equal(
      stale.json().message,
      'Operation cannot be fulfilled on imagestreams.image.openshift.io "one": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('update without a resourceVersion answers 422 naming the resource', async () => {
    const cur = (await t.client.get(nsPath('crud', 'imagestreams', 'one'))).json<Obj>();
    const { resourceVersion: _rv, ...meta } = cur.metadata;
    const r = await t.client.put(nsPath('crud', 'imagestreams', 'one'), { ...cur, metadata: meta });
    assert.equal(r.status, 422);
    const s = r.json<{ message: string; details: Record<string, unknown> }>();
    assert.equal(s.message, 'imagestreams.image.openshift.io "one" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
    assert.equal(s.details.kind, 'imagestreams');
  });

  it('an update that changes nothing keeps the resourceVersion', async () => {
    const cur = (await t.client.get(nsPath('crud', 'imagestreams', 'one'))).json<Obj>();
    const r = await t.client.put(nsPath('crud', 'imagestreams', 'one'), cur);
    assert.equal(r.status, 200);
    assert.equal(r.json<Obj>().metadata.resourceVersion, cur.metadata.resourceVersion);
  });

  it('spec changes bump generation; label changes do not', async () => {
    const before = (await t.client.get(nsPath('crud', 'imagestreams', 'one'))).json<Obj>();
    const labelled = await t.client.patch(nsPath('crud', 'imagestreams', 'one'), { metadata: { labels: { x: 'y' } } });
    assert.equal(labelled.json<Obj>().metadata.generation, before.metadata.generation);
    const specced = await t.client.patch(nsPath('crud', 'imagestreams', 'one'), { spec: { lookupPolicy: { local: true } } });
    assert.equal(specced.status, 200, specced.text);
    assert.equal(specced.json<Obj>().metadata.generation, Number(before.metadata.generation) + 1);
  });

  it('the main resource ignores status and /status ignores spec.tags', async () => {
    const main = await t.client.patch(nsPath('crud', 'imagestreams', 'one'), { status: { tags: [{ tag: 'x', items: [] }] } });
    assert.equal(main.status, 200);
    assert.equal(((main.json<Obj>().status ?? {}) as Record<string, unknown>).tags, undefined);
    const st = await t.client.patch(`${nsPath('crud', 'imagestreams', 'one')}/status`, {
      spec: { tags: [dockerTag('sneaky', 'quay.io/x/y:1')] },
      status: { tags: [{ tag: 'latest', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'quay.io/a/b@sha256:' + 'a'.repeat(64), image: 'sha256:' + 'a'.repeat(64), generation: 1 }] }] },
    });
    assert.equal(st.status, 200, st.text);
    const o = st.json<Obj>();
    const specTags = (o.spec?.tags as { name: string }[]).map((x) => x.name);
    assert.deepEqual(specTags, ['latest']);
    assert.equal(((o.status?.tags ?? []) as unknown[]).length, 1);
  });

  it('POST and DELETE on /status answer 405', async () => {
    assert.equal((await t.client.post(`${nsPath('crud', 'imagestreams', 'one')}/status`, imageStream('one'))).status, 405);
    assert.equal((await t.client.delete(`${nsPath('crud', 'imagestreams', 'one')}/status`)).status, 405);
  });

  it('delete answers a Success Status with the uid, then get answers 404', async () => {
    await t.client.post(nsPath('crud', 'imagestreams'), imageStream('gone'));
    const cur = (await t.client.get(nsPath('crud', 'imagestreams', 'gone'))).json<Obj>();
    const r = await t.client.delete(nsPath('crud', 'imagestreams', 'gone'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'gone', group: 'image.openshift.io', kind: 'imagestreams', uid: cur.metadata.uid },
      code: 200,
    });
    assert.equal((await t.client.get(nsPath('crud', 'imagestreams', 'gone'))).status, 404);
  });

  it('delete with a wrong uid precondition answers 409 naming the Kind', async () => {
    await t.client.post(nsPath('crud', 'imagestreams'), imageStream('pre'));
    const r = await t.client.delete(nsPath('crud', 'imagestreams', 'pre'), { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'nope' } });
    assert.equal(r.status, 409);
    const s = r.json<{ message: string; details: Record<string, unknown> }>();
    assert.match(s.message, /^Operation cannot be fulfilled on ImageStream.image.openshift.io "pre": the UID in the precondition \(nope\) does not match the UID in record/);
    assert.equal(s.details.kind, 'ImageStream');
    const rv = await t.client.delete(nsPath('crud', 'imagestreams', 'pre'), { preconditions: { resourceVersion: '1' } });
    assert.equal(rv.status, 409);
    assert.match(rv.json<{ message: string }>().message, /the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record/);
  });

  it('finalizers keep a deleted object until they are removed', async () => {
    await t.client.post(nsPath('crud', 'imagestreams'), imageStream('fin', { metadata: { finalizers: ['example.com/hold'] } }));
    const del = await t.client.delete(nsPath('crud', 'imagestreams', 'fin'));
    assert.equal(del.status, 200);
    const held = del.json<Obj>();
    assert.ok(held.metadata.deletionTimestamp);
    assert.equal(held.metadata.deletionGracePeriodSeconds, 0);
    assert.equal((await t.client.get(nsPath('crud', 'imagestreams', 'fin'))).status, 200);
    const add = await t.client.patch(nsPath('crud', 'imagestreams', 'fin'), { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } });
    assert.equal(add.status, 422);
    const rm = await t.client.patch(nsPath('crud', 'imagestreams', 'fin'), { metadata: { finalizers: null } });
    assert.equal(rm.status, 200, rm.text);
    assert.equal((await t.client.get(nsPath('crud', 'imagestreams', 'fin'))).status, 404);
  });

  it('deletecollection with a label selector deletes the matching streams and returns them', async () => {
    for (const n of ['dc1', 'dc2', 'dc3']) {
      await t.client.post(nsPath('dc', 'imagestreams'), imageStream(n, { metadata: { labels: { batch: n === 'dc3' ? 'keep' : 'drop' } } }));
    }
    const r = await t.client.request('DELETE', `${nsPath('dc', 'imagestreams')}?labelSelector=batch%3Ddrop`);
    assert.equal(r.status, 200, r.text);
    const list = r.json<{ kind: string; items: Obj[] }>();
    assert.equal(list.kind, 'ImageStreamList');
    assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['dc1', 'dc2']);
    const left = (await t.client.get(nsPath('dc', 'imagestreams'))).json<{ items: Obj[] }>();
    assert.deepEqual(left.items.map((i) => i.metadata.name), ['dc3']);
  });

  it('dry-run create validates and answers 201 without storing', async () => {
    const r = await t.client.post(`${nsPath('crud', 'imagestreams')}?dryRun=All`, imageStream('dry'));
    assert.equal(r.status, 201);
    assert.equal(r.json<Obj>().metadata.resourceVersion, undefined);
    assert.equal((await t.client.get(nsPath('crud', 'imagestreams', 'dry'))).status, 404);
    const bad = await t.client.post(`${nsPath('crud', 'imagestreams')}?dryRun=Foo`, imageStream('dry'));
    assert.equal(bad.status, 422);
    assert.equal(bad.json().message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Foo"]: supported values: "All"');
  });

  it('images are cluster-scoped: created and listed without a namespace', async () => {
    const name = 'sha256:' + 'b'.repeat(64);
    const r = await t.client.post('/apis/image.openshift.io/v1/images', {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name },
      dockerImageReference: `quay.io/a/b@${name}`,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json<Obj>().metadata.namespace, undefined);
    const list = (await t.client.get('/apis/image.openshift.io/v1/images')).json<{ kind: string; items: Obj[] }>();
    assert.equal(list.kind, 'ImageList');
    assert.ok(list.items.some((i) => i.metadata.name === name));
    assert.equal((await t.client.get(`/apis/image.openshift.io/v1/namespaces/x/images/${name}`)).status, 404);
  });
});
