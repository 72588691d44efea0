import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { recorded } from '../../support/reference.js';
import { startTestServer, type TestServer } from '../../support/server.js';


describe('discovery, health and version', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('/apis/image.openshift.io/v1 lists the installed resources with sorted verbs and storage hashes', async () => {
    const r = await t.client.get('/apis/image.openshift.io/v1');
    assert.equal(r.status, 200);
    const doc = r.json<{ resources: { name: string }[] }>();
    const want = recorded('discovery-v1-resourcelist.json') as { resources: { name: string }[] };
    for (const res of doc.resources) {
      const expected = want.resources.find((x) => x.name === res.name);
      assert.deepEqual(res, expected, `entry ${res.name} matches openshift-apiserver`);
    }
    assert.ok(doc.resources.some((x) => x.name === 'imagestreams'));
    assert.ok(doc.resources.some((x) => x.name === 'imagestreams/status'));
    assert.ok(doc.resources.some((x) => x.name === 'images'));
  });

  it('/apis/image.openshift.io is the APIGroup', async () => {
    const r = await t.client.get('/apis/image.openshift.io');
    assert.deepEqual(r.json(), recorded('discovery-group-image.openshift.io.json'));
  });

  it('/apis serves aggregated discovery v2 with an ETag and 304 on If-None-Match', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const r = await t.client.get('/apis', { Accept: accept });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const doc = r.json<{ kind: string; items: { metadata: { name: string }; versions: { resources: { resource: string }[] }[] }[] }>();
    assert.equal(doc.kind, 'APIGroupDiscoveryList');
    assert.equal(doc.items[0].metadata.name, 'image.openshift.io');
    const etag = String(r.headers.etag);
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    const again = await t.client.get('/apis', { Accept: accept, 'If-None-Match': etag });
    assert.equal(again.status, 304);
    const plain = await t.client.get('/apis');
    assert.equal(plain.json().kind, 'APIGroupList');
  });

  it('health endpoints are open to anyone; named checks are not', async () => {
    const anon = t.client.withToken(undefined);
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await anon.get(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.text, 'ok');
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    }
    const verbose = await anon.get('/readyz?verbose');
    assert.match(verbose.text, /\[\+\]ping ok\n/);
    assert.match(verbose.text, /\[\+\]etcd ok\n/);
    assert.match(verbose.text, /readyz check passed\n$/);
    const excluded = await anon.get('/readyz?verbose&exclude=etcd');
    assert.match(excluded.text, /\[\+\]etcd excluded: ok/);
    const sub = await anon.get('/readyz/etcd');
    assert.equal(sub.status, 403);
    assert.equal(sub.json().message, 'forbidden: User "system:anonymous" cannot get path "/readyz/etcd"');
    const admin = await t.client.get('/readyz/etcd');
    assert.equal(admin.status, 200);
  });

  it('/version reports this server', async () => {
    const v = (await t.client.get('/version')).json();
    assert.match(String(v.gitVersion), /^v\d+\.\d+\.\d+/);
  });
});
