// --local runs without a host cluster: the generated admin token is system:masters, nobody else
// is authorized, and every namespace counts as existing.

import assert from 'node:assert/strict';
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
    assert.equal((await t.client.post(nsPath(ns, 'imagestreams'), imageStream('web'))).status, 201);
    assert.equal((await t.client.get('/metrics')).status, 200);
  });

  it('anonymous requests reach only the health probes; another token is 401', async () => {
    const anon = t.client.withToken(undefined);
    assert.equal((await anon.get('/readyz')).status, 200);
    const list = await anon.get(nsPath('default', 'imagestreams'));
    assert.equal(list.status, 403);
    assert.equal(list.json().message, 'imagestreams.image.openshift.io is forbidden: User "system:anonymous" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "default"');
    assert.equal((await t.client.withToken('not-the-admin-token').get(nsPath('default', 'imagestreams'))).status, 401);
  });

  it('readyz reports the informer-sync check', async () => {
    const r = await t.client.get('/readyz?verbose');
    assert.match(r.text, /\[\+\]informer-sync ok\n/);
  });
});
