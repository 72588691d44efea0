// Delegated authorization against a fake host cluster: the SubjectAccessReview attributes of every
// verb of every installed resource (read from discovery, so resources added later are covered),
// the 403 texts, always-allowed paths and groups, caches, and failures that must not allow.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, beforeEach, describe, it } from '@jest/globals';
import type { TestClient } from '../../support/client.js';
import { startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { editRules, type RecordedSAR } from '../../support/fake-host-cluster.js';
import { imageStream, nsPath } from '../../support/fixtures.js';

const GROUP = 'image.openshift.io';
const GV = `/apis/${GROUP}/v1`;

interface DiscoveredResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

interface Probe {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  expected: Record<string, string>;
}

/** The request that makes a verb on a resource, and the attributes it must be authorized with. */
function probeFor(r: DiscoveredResource, verb: string, namespace: string): Probe {
  const [resource, subresource = ''] = r.name.split('/');
  const collection = r.namespaced ? `${GV}/namespaces/${namespace}/${resource}` : `${GV}/${resource}`;
  const object = `${collection}/obj-1${subresource ? `/${subresource}` : ''}`;
  const onObject = subresource !== '' || !['list', 'watch', 'create', 'deletecollection'].includes(verb);
  const expected: Record<string, string> = { verb, group: GROUP, version: 'v1', resource };
  if (r.namespaced) expected.namespace = namespace;
  if (subresource) expected.subresource = subresource;
  if (onObject) expected.name = 'obj-1';
  const path = onObject ? object : collection;
  switch (verb) {
    case 'get':
      return { method: 'GET', path, expected };
    case 'list':
      return { method: 'GET', path, expected };
    case 'watch':
      return { method: 'GET', path: `${path}?watch=true`, expected };
    case 'create':
      return { method: 'POST', path, body: {}, expected };
    case 'update':
      return { method: 'PUT', path, body: {}, expected };
    case 'patch':
      return { method: 'PATCH', path, body: {}, contentType: 'application/merge-patch+json', expected };
    case 'delete':
    case 'deletecollection':
      return { method: 'DELETE', path, expected };
    default:
      throw new Error(`no probe for verb ${verb}`);
  }
}

function forbiddenText(user: string, a: Record<string, string>): string {
  const subject = a.name ? `${a.resource}.${GROUP} "${a.name}"` : `${a.resource}.${GROUP}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user}" cannot ${a.verb} resource "${res}" in API group "${GROUP}" ${scope}`;
}

describe('authorization through SubjectAccessReview', () => {
  let t: DelegatedTestServer;
  let masters: TestClient;
  before(async () => {
    t = await startDelegatedServer({ args: ['--authorization-webhook-cache-authorized-ttl=0', '--authorization-webhook-cache-unauthorized-ttl=0'] });
    t.host.tokens.set('alice-token', { username: 'alice' });
    t.host.tokens.set('prom-token', { username: 'prometheus', groups: ['system:monitoring'] });
    t.host.rules = [
      ...editRules({ users: ['alice'] }, 'team-a'),
      { groups: ['system:monitoring'], verbs: ['get'], nonResourceURLs: ['/metrics', '/readyz/*', '/livez/*', '/healthz/*'] },
    ];
    masters = t.withCert(t.frontProxyCert);
  });
  after(async () => t?.stop());
  beforeEach(() => t.host.resetCalls());

  const asMasters = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
  const probeIdentity = {
    'X-Remote-User': 'probe',
    'X-Remote-Uid': 'probe-uid',
    'X-Remote-Group': ['probers', 'a,b'],
    'X-Remote-Extra-Scopes.authorization.openshift.io': 'user:full',
  };

  it('sends the exact attributes for every verb and subresource of every installed resource, and words each 403 like kube-apiserver', async () => {
    const disc = await masters.get(GV, asMasters);
    assert.equal(disc.status, 200);
    assert.equal(t.host.calls.subjectAccessReviews.length, 0, 'system:masters needs no review');
    const resources = disc.json<{ resources: DiscoveredResource[] }>().resources;
    assert.ok(resources.some((r) => r.name === 'imagestreams') && resources.some((r) => r.name === 'images'));
    let probes = 0;
    for (const r of resources) {
      for (const verb of r.verbs) {
        const p = probeFor(r, verb, 'team-a');
        t.host.resetCalls();
        const res = await masters.request(p.method, p.path, { body: p.body, contentType: p.contentType, headers: { ...probeIdentity, Accept: 'application/json' } });
        const label = `${verb} ${r.name} (${p.method} ${p.path})`;
        assert.equal(res.status, 403, label);
        assert.equal(t.host.calls.subjectAccessReviews.length, 1, label);
        const sar = t.host.calls.subjectAccessReviews[0];
        assert.deepEqual(sar, {
          resourceAttributes: p.expected,
          user: 'probe',
          groups: ['probers', 'a,b', 'system:authenticated'],
          extra: { 'scopes.authorization.openshift.io': ['user:full'] },
          uid: 'probe-uid',
        } satisfies RecordedSAR, label);
        const body = res.json<{ message: string; reason: string; code: number; details: Record<string, unknown> }>();
        assert.equal(body.message, forbiddenText('probe', p.expected), label);
        assert.equal(body.reason, 'Forbidden');
        assert.deepEqual(body.details, { ...(p.expected.name ? { name: p.expected.name } : {}), group: GROUP, kind: p.expected.resource });
        probes++;
      }
    }
    assert.ok(probes >= 10, `${probes} verb/resource pairs checked`);
  });

  it('a watch through the legacy /watch/ prefix and a single-object watch by field selector carry the verb and the name', async () => {
    await masters.get(`${GV}/watch/namespaces/team-a/imagestreams`, probeIdentity);
    assert.deepEqual(t.host.calls.subjectAccessReviews.at(-1)?.resourceAttributes, { verb: 'watch', group: GROUP, version: 'v1', resource: 'imagestreams', namespace: 'team-a' });
    await masters.get(`${GV}/namespaces/team-a/imagestreams?watch=1&fieldSelector=metadata.name%3Dweb`, probeIdentity);
    assert.deepEqual(t.host.calls.subjectAccessReviews.at(-1)?.resourceAttributes, { verb: 'watch', group: GROUP, version: 'v1', resource: 'imagestreams', namespace: 'team-a', name: 'web' });
  });

  it('a user with edit rights in team-a works there and is forbidden in team-b, with the exact message', async () => {
    const alice = t.withToken('alice-token');
    const created = await alice.post(nsPath('team-a', 'imagestreams'), imageStream('web'));
    assert.equal(created.status, 201, created.text);
    assert.equal((await alice.get(nsPath('team-a', 'imagestreams', 'web'))).status, 200);
    assert.equal((await alice.get(nsPath('team-a', 'imagestreams'))).status, 200);
    const list = await alice.get(nsPath('team-b', 'imagestreams'));
    assert.equal(list.status, 403);
    assert.deepEqual(list.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'imagestreams.image.openshift.io is forbidden: User "alice" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "team-b"',
      reason: 'Forbidden',
      details: { group: GROUP, kind: 'imagestreams' },
      code: 403,
    });
    const create = await alice.post(nsPath('team-b', 'imagestreams'), imageStream('web'));
    assert.equal(create.status, 403);
    const images = await alice.get(`${GV}/images`);
    assert.equal(images.json().message, 'images.image.openshift.io is forbidden: User "alice" cannot list resource "images" in API group "image.openshift.io" at the cluster scope');
    assert.equal((await alice.delete(nsPath('team-a', 'imagestreams', 'web'))).status, 200);
  });

  it('anonymous requests are denied', async () => {
    const r = await t.anonymous().get(nsPath('team-a', 'imagestreams'));
    assert.equal(r.status, 403);
    assert.equal(r.json().message, 'imagestreams.image.openshift.io is forbidden: User "system:anonymous" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "team-a"');
    const metrics = await t.anonymous().get('/metrics');
    assert.equal(metrics.status, 403);
    assert.deepEqual(metrics.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'forbidden: User "system:anonymous" cannot get path "/metrics"',
      reason: 'Forbidden',
      details: {},
      code: 403,
    });
  });

  it('health paths are open to anyone without a review; named checks like /readyz/etcd are not', async () => {
    const anon = t.anonymous();
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await anon.get(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.text, 'ok');
    }
    assert.equal(t.host.calls.subjectAccessReviews.length, 0);
    const etcd = await anon.get('/readyz/etcd');
    assert.equal(etcd.status, 403);
    assert.equal(etcd.json().message, 'forbidden: User "system:anonymous" cannot get path "/readyz/etcd"');
    assert.deepEqual(t.host.calls.subjectAccessReviews.at(-1), { nonResourceAttributes: { path: '/readyz/etcd', verb: 'get' }, user: 'system:anonymous', groups: ['system:unauthenticated'] });
    const prom = t.withToken('prom-token');
    const allowed = await prom.get('/readyz/etcd');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.text, 'ok');
    const metrics = await prom.get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain/);
  });

  it('system:masters is allowed without asking the host', async () => {
    const r = await masters.get(nsPath('team-b', 'imagestreams'), asMasters);
    assert.equal(r.status, 200);
    assert.equal(t.host.calls.subjectAccessReviews.length, 0);
  });

  it('a SubjectAccessReview that fails is a 500 in the k8s.io/apiserver text format, never an allow', async () => {
    t.host.sarFailure = { code: 403, message: 'subjectaccessreviews.authorization.k8s.io is forbidden: User "system:serviceaccount:image:apiserver" cannot create resource "subjectaccessreviews"' };
    try {
      const path = nsPath('team-a', 'imagestreams');
      const r = await t.withToken('alice-token').get(path);
      assert.equal(r.status, 500);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.ok(r.text.startsWith(`Internal Server Error: "${path}": `), r.text);
      assert.match(r.text, /403/);
      assert.equal(t.host.calls.subjectAccessReviews.length, 1, 'a 403 is not retried');

      t.host.resetCalls();
      t.host.sarFailure = { code: 500, message: 'etcdserver: request timed out' };
      const again = await t.withToken('alice-token').get(path);
      assert.equal(again.status, 500);
      assert.match(again.text, /etcdserver: request timed out/);
      assert.equal(t.host.calls.subjectAccessReviews.length, 5, 'a 500 is retried with backoff, 5 attempts in all');
    } finally {
      t.host.sarFailure = undefined;
    }
    assert.equal((await t.withToken('alice-token').get(nsPath('team-a', 'imagestreams'))).status, 200, 'not cached: allowed again once the host answers');
  });
});

describe('SubjectAccessReview caches', () => {
  let t: DelegatedTestServer;
  before(async () => {
    t = await startDelegatedServer({ args: ['--authorization-webhook-cache-authorized-ttl=2s', '--authorization-webhook-cache-unauthorized-ttl=1s'] });
    t.host.tokens.set('alice-token', { username: 'alice' });
    t.host.rules = editRules({ users: ['alice'] }, 'team-a');
  });
  after(async () => t?.stop());

  it('asks the host once per decision per TTL, with separate TTLs for allowed and denied', async () => {
    const alice = t.withToken('alice-token');
    t.host.resetCalls();
    for (let i = 0; i < 5; i++) assert.equal((await alice.get(nsPath('team-a', 'imagestreams'))).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await alice.get(nsPath('team-b', 'imagestreams'))).status, 403);
    assert.equal(t.host.calls.subjectAccessReviews.length, 2);
    await new Promise((r) => setTimeout(r, 1100));
    await alice.get(nsPath('team-a', 'imagestreams'));
    await alice.get(nsPath('team-b', 'imagestreams'));
    assert.equal(t.host.calls.subjectAccessReviews.length, 3, 'only the denial expired after 1 s');
    await new Promise((r) => setTimeout(r, 1000));
    await alice.get(nsPath('team-a', 'imagestreams'));
    assert.equal(t.host.calls.subjectAccessReviews.length, 4, 'the allow expired after 2 s');
  });

  it('different attributes are different cache entries', async () => {
    const alice = t.withToken('alice-token');
    t.host.resetCalls();
    await alice.get(nsPath('team-a', 'imagestreams', 'x'));
    await alice.get(nsPath('team-a', 'imagestreams', 'y'));
    await alice.get(nsPath('team-a', 'imagestreams', 'x'));
    assert.equal(t.host.calls.subjectAccessReviews.length, 2);
  });
});
