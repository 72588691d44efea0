// What the garbage collector, quota and namespace controllers read: PartialObjectMetadata(List)
// for get, list and watch (events too), Table includeObject, and the watch-list handshake.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const NS = 'meta';
// The JSON entries of the metadata client's Accept (its protobuf-first form is answered in
// protobuf: protobuf-client.test.ts).
const accept = (as: string, v = 'v1'): string => `application/json;as=${as};g=meta.k8s.io;v=${v},application/json`;

type Meta = { kind: string; apiVersion: string; metadata: Record<string, unknown>; items?: Meta[] };

describe('metadata-only clients', () => {
  let t: TestServer;
  let rv = '';
  before(async () => {
    t = await startTestServer();
    const r = await t.client.post(nsPath(NS, 'imagestreams'), imageStream('m1', { metadata: { labels: { a: 'b' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: '33333333-3333-3333-3333-333333333333' }] } }), {
      'User-Agent': 'kube-controller-manager/v1.34.1',
    });
    assert.equal(r.status, 201, r.text);
    rv = String(r.json<Meta>().metadata.resourceVersion);
  });
  after(async () => t?.stop());

  it('get answers PartialObjectMetadata with the whole ObjectMeta (v1 and v1beta1)', async () => {
    for (const v of ['v1', 'v1beta1']) {
      const r = await t.client.get(nsPath(NS, 'imagestreams', 'm1'), { Accept: accept('PartialObjectMetadata', v) });
      assert.equal(r.status, 200, r.text);
      const o = r.json<Meta>();
      assert.equal(o.kind, 'PartialObjectMetadata');
      assert.equal(o.apiVersion, `meta.k8s.io/${v}`);
      assert.deepEqual(Object.keys(o), ['kind', 'apiVersion', 'metadata']);
      assert.deepEqual(o.metadata.labels, { a: 'b' });
      assert.ok(Array.isArray(o.metadata.ownerReferences));
      assert.ok(Array.isArray(o.metadata.managedFields), 'managedFields are part of the metadata');
    }
    const v2 = await t.client.get(nsPath(NS, 'imagestreams', 'm1'), { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v2' });
    assert.equal(v2.status, 406);
  });

  it('list answers PartialObjectMetadataList; the wrong shape is 406 naming the type', async () => {
    const r = await t.client.get(nsPath(NS, 'imagestreams'), { Accept: accept('PartialObjectMetadataList') });
    const l = r.json<Meta>();
    assert.equal(l.kind, 'PartialObjectMetadataList');
    assert.equal(l.items?.[0]?.kind, 'PartialObjectMetadata');
    assert.ok(l.metadata.resourceVersion);
    const wrong = await t.client.get(nsPath(NS, 'imagestreams'), { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' });
    assert.equal(wrong.status, 406);
    assert.equal(wrong.json().message, 'you requested PartialObjectMetadata, but the requested object is a list (*image.ImageStreamList)');
    const wrong2 = await t.client.get(nsPath(NS, 'imagestreams', 'm1'), { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' });
    assert.equal(wrong2.json().message, 'you requested PartialObjectMetadataList, but the requested object is not a list (*image.ImageStream)');
  });

  it('watch events carry PartialObjectMetadata, bookmarks included (watch-list handshake)', async () => {
    const w = await t.client.watch(`${nsPath(NS, 'imagestreams')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, {
      Accept: accept('PartialObjectMetadata'),
    });
    try {
      const [added, bookmark] = await w.take(2);
      assert.equal(added?.type, 'ADDED');
      assert.equal(added?.object.kind, 'PartialObjectMetadata');
      assert.equal(bookmark?.type, 'BOOKMARK');
      assert.equal(bookmark?.object.kind, 'PartialObjectMetadata');
      assert.deepEqual((bookmark?.object.metadata as { annotations?: unknown }).annotations, { 'k8s.io/initial-events-end': 'true' });
      await t.client.request('PATCH', nsPath(NS, 'imagestreams', 'm1'), { body: { metadata: { labels: { a: 'c' } } }, contentType: 'application/merge-patch+json' });
      const [modified] = await w.take(1);
      assert.equal(modified?.type, 'MODIFIED');
      assert.deepEqual(Object.keys(modified?.object ?? {}), ['kind', 'apiVersion', 'metadata']);
      assert.deepEqual(modified?.object.metadata?.labels, { a: 'c' });
    } finally {
      w.stop();
    }
    assert.ok(rv);
  });

  it('Table rows: Metadata (default), None (null) and Object', async () => {
    const table = (include: string) =>
      t.client.get(`${nsPath(NS, 'imagestreams')}${include ? `?includeObject=${include}` : ''}`, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    const meta = (await table('')).json<{ rows: { object: Meta }[] }>();
    assert.equal(meta.rows[0].object.kind, 'PartialObjectMetadata');
    const none = (await table('None')).json<{ rows: { object: unknown }[] }>();
    assert.equal(none.rows[0].object, null);
    const obj = (await table('Object')).json<{ rows: { object: Meta }[] }>();
    assert.equal(obj.rows[0].object.kind, 'ImageStream');
    assert.equal(obj.rows[0].object.apiVersion, 'image.openshift.io/v1');
  });
});
