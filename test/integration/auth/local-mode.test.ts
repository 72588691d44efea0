// --local runs without a host cluster: the generated admin token is system:masters, nobody else
// is authorized, and every namespace counts as existing. Over the TLS listener, as kubectl talks to it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe('local mode', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('the admin token may do anything, in any namespace', async () => {
    const ns = `anywhere-${Date.now()}`;
    assert.equal((await t.https.post(nsPath(ns, 'imagestreams'), imageStream('web'))).status, 201);
    assert.equal((await t.https.get('/metrics')).status, 200);
  });

  it('anonymous requests reach only the health probes; another token is 401', async () => {
    const anon = t.https.withToken(undefined);
    assert.equal((await anon.get('/readyz')).status, 200);
    const list = await anon.get(nsPath('default', 'imagestreams'));
    assert.equal(list.status, 403);
    assert.equal(list.json().message, 'imagestreams.image.openshift.io is forbidden: User "system:anonymous" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "default"');
    assert.equal((await t.https.withToken('not-the-admin-token').get(nsPath('default', 'imagestreams'))).status, 401);
  });

  it('readyz reports the informer-sync check', async () => {
    const r = await t.https.get('/readyz?verbose');
    assert.match(r.text, /\[\+\]informer-sync ok\n/);
  });

  it('serves the core API kubectl reads: /api, /api/v1 and every namespace, get only', async () => {
    const versions = await t.client.get('/api');
    assert.equal(versions.status, 200);
    assert.deepEqual(versions.json<{ kind: string; versions: string[] }>().versions, ['v1']);
    const resources = (await t.client.get('/api/v1')).json<{ resources: { name: string; verbs: string[] }[] }>().resources;
    assert.deepEqual(resources.map((r) => [r.name, r.verbs]), [['namespaces', ['get']]]);
    const ns = await t.client.get('/api/v1/namespaces/anything-at-all');
    assert.equal(ns.status, 200);
    assert.deepEqual(ns.json(), {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'anything-at-all', labels: { 'kubernetes.io/metadata.name': 'anything-at-all' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    assert.equal((await t.client.get('/api/v1/namespaces')).status, 405, 'namespaces cannot be listed');
    assert.equal((await t.client.delete('/api/v1/namespaces/anything-at-all')).status, 405);
    assert.equal((await t.client.get('/api/v1/namespaces/anything-at-all/pods')).status, 404);
    assert.equal((await t.client.get('/api/v1/pods')).status, 404);
  });

  it('the README states where local mode listens and the core API paths it serves', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const text of ['127.0.0.1:8443', '`GET /api`', '`GET /api/v1`', '`GET /api/v1/namespaces/<name>`']) assert.ok(readme.includes(text), text);
  });
});
