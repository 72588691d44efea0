// Namespace lifecycle admission from the watched namespaces of the host cluster: no creates in a
// namespace that does not exist (404) or is being deleted (403), answered from the cache.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, beforeEach, describe, it } from '@jest/globals';
import type { TestClient } from '../../support/client.js';
import { eventually, startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { imageStream, nsPath } from '../../support/fixtures.js';

describe('namespace lifecycle', () => {
  let t: DelegatedTestServer;
  let admin: TestClient;
  const asMasters = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
  const create = (ns: string, name: string): ReturnType<TestClient['post']> => admin.post(nsPath(ns, 'imagestreams'), imageStream(name), asMasters);

  before(async () => {
    t = await startDelegatedServer({ namespaces: ['team-a', 'team-b', 'leaving'] });
    t.host.setNamespace('leaving', 'Terminating');
    admin = t.withCert(t.frontProxyCert);
  });
  after(async () => t?.stop());
  beforeEach(() => t.host.resetCalls());

  it('creates in an existing namespace from the cache, without asking the host per request', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await create('team-a', `is-${i}`)).status, 201);
    assert.equal(t.host.calls.namespaceGets, 0);
  });

  it('a create in a namespace that does not exist is 404 namespaces "x" not found', async () => {
    const r = await create('nope', 'web');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'namespaces' },
      code: 404,
    });
    assert.equal(t.host.calls.namespaceGets, 1, 'a cache miss is confirmed by one live read');
  });

  it('a create in a terminating namespace is 403 with the NamespaceTerminating cause', async () => {
    await eventually(() => create('leaving', 'probe').then((r) => r.status === 403), 5000, 'the Terminating phase');
    const r = await create('leaving', 'web');
    assert.equal(r.status, 403);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'imagestreams.image.openshift.io "web" is forbidden: unable to create new content in namespace leaving because it is being terminated',
      reason: 'Forbidden',
      details: {
        name: 'web',
        group: 'image.openshift.io',
        kind: 'imagestreams',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace leaving is being terminated', field: 'metadata.namespace' }],
      },
      code: 403,
    });
  });

  it('follows the host: a new namespace can be used at once, a deleted one no longer', async () => {
    t.host.setNamespace('fresh');
    assert.equal((await create('fresh', 'web')).status, 201, 'created right after the namespace (live read on a cache miss)');
    await eventually(async () => {
      t.host.resetCalls();
      await create('fresh', `w-${Date.now()}`);
      return t.host.calls.namespaceGets === 0;
    }, 5000, 'the watch to deliver the namespace');
    t.host.deleteNamespace('fresh');
    await eventually(() => create('fresh', 'late').then((r) => r.status === 404), 5000, 'the deletion');
  });

  it('updates in a terminating namespace still work (finalizers must be removable)', async () => {
    t.host.setNamespace('closing');
    assert.equal((await create('closing', 'web')).status, 201);
    t.host.setNamespace('closing', 'Terminating');
    await eventually(() => create('closing', 'probe').then((r) => r.status === 403), 5000, 'the Terminating phase');
    const patched = await admin.request('PATCH', nsPath('closing', 'imagestreams', 'web'), {
      body: { metadata: { labels: { a: 'b' } } },
      contentType: 'application/merge-patch+json',
      headers: asMasters,
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await admin.request('DELETE', nsPath('closing', 'imagestreams', 'web'), { headers: asMasters })).status, 200);
  });
});
