// Delegated authentication against a fake host cluster: the front proxy, client certificates,
// TokenReview and anonymous, in that order; who the server thinks the caller is shows in the
// SubjectAccessReview it sends.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, beforeEach, describe, it } from '@jest/globals';
import { generateCA } from '../../../src/apiserver/server/selfsigned.js';
import { eventually, FRONT_PROXY_CN, startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { AUTH_CONFIGMAP, authenticationConfigMapData, type RecordedSAR } from '../../support/fake-host-cluster.js';

const LIST_PATH = '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams';
const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

describe('authentication through the host cluster', () => {
  let t: DelegatedTestServer;
  before(async () => {
    // Authorization answers are not cached here, so every request shows its identity in a review.
    t = await startDelegatedServer({
      args: ['--authentication-token-webhook-cache-ttl=2s', '--authorization-webhook-cache-authorized-ttl=0', '--authorization-webhook-cache-unauthorized-ttl=0'],
    });
    t.host.tokens.set('alice-token', { username: 'alice', uid: 'alice-uid', groups: ['devs'], extra: { 'scopes.authorization.openshift.io': ['user:full'] } });
    t.host.tokens.set('bob-token', { username: 'bob', groups: ['ops'] });
  });
  after(async () => t?.stop());
  beforeEach(() => t.host.resetCalls());

  /** The identity of the last SubjectAccessReview the server sent. */
  function lastSAR(): RecordedSAR {
    const s = t.host.calls.subjectAccessReviews.at(-1);
    assert.ok(s, 'a SubjectAccessReview was sent');
    return s;
  }

  it('a bearer token is reviewed by the host and its user, uid, groups and extras are passed on', async () => {
    const r = await t.withToken('alice-token').get(LIST_PATH);
    assert.equal(r.status, 403);
    const sar = lastSAR();
    assert.equal(sar.user, 'alice');
    assert.equal(sar.uid, 'alice-uid');
    assert.deepEqual(sar.groups, ['devs', 'system:authenticated']);
    assert.deepEqual(sar.extra, { 'scopes.authorization.openshift.io': ['user:full'] });
    assert.deepEqual(t.host.calls.tokenReviews, [{ token: 'alice-token' }], 'no audiences are sent unless configured');
  });

  it('an unknown bearer token is 401 with the Unauthorized Status, even with anonymous auth on', async () => {
    const r = await t.withToken('nope').get(LIST_PATH);
    assert.equal(r.status, 401);
    assert.deepEqual(r.json(), UNAUTHORIZED);
    assert.equal(t.host.calls.subjectAccessReviews.length, 0);
  });

  it('no credentials at all is system:anonymous in group system:unauthenticated', async () => {
    const r = await t.anonymous().get(LIST_PATH);
    assert.equal(r.status, 403);
    assert.equal(lastSAR().user, 'system:anonymous');
    assert.deepEqual(lastSAR().groups, ['system:unauthenticated']);
  });

  it('the front proxy certificate vouches for X-Remote-User, every X-Remote-Group line (commas kept), X-Remote-Extra-* and X-Remote-Uid', async () => {
    const r = await t.withCert(t.frontProxyCert).get(LIST_PATH, {
      'X-Remote-User': 'carol',
      'X-Remote-Uid': 'carol-uid',
      'X-Remote-Group': ['cn=admins,ou=groups,dc=example', 'devs', ''],
      'X-Remote-Extra-Scopes.authorization.openshift.io': ['user:info', 'user:check-access'],
      'X-Remote-Extra-Authentication.kubernetes.io%2Fpod-name': 'pod-1',
    });
    assert.equal(r.status, 403);
    const sar = lastSAR();
    assert.equal(sar.user, 'carol');
    assert.equal(sar.uid, 'carol-uid');
    assert.deepEqual(sar.groups, ['cn=admins,ou=groups,dc=example', 'devs', 'system:authenticated']);
    assert.deepEqual(sar.extra, { 'scopes.authorization.openshift.io': ['user:info', 'user:check-access'], 'authentication.kubernetes.io/pod-name': ['pod-1'] });
    assert.equal(t.host.calls.tokenReviews.length, 0);
  });

  it('the front proxy wins over a bearer token sent with it', async () => {
    await t.withCert(t.frontProxyCert, 'alice-token').get(LIST_PATH, { 'X-Remote-User': 'carol' });
    assert.equal(lastSAR().user, 'carol');
    assert.equal(t.host.calls.tokenReviews.length, 0);
  });

  it('X-Remote-User from a client without the front-proxy certificate gives no identity', async () => {
    const headers = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
    const anon = await t.anonymous().get(LIST_PATH, headers);
    assert.equal(anon.status, 403, 'not system:masters');
    assert.equal(lastSAR().user, 'system:anonymous');
    await t.withToken('bob-token').get(LIST_PATH, headers);
    assert.equal(lastSAR().user, 'bob');
    assert.deepEqual(lastSAR().groups, ['ops', 'system:authenticated']);
    // A certificate from the client CA is an ordinary client: its CN counts, not the headers.
    const dave = t.issue(t.clientCA, { commonName: 'dave' });
    await t.withCert(dave).get(LIST_PATH, headers);
    assert.equal(lastSAR().user, 'dave');
  });

  it('a front-proxy certificate whose CN is not allowed is 401', async () => {
    const other = t.issue(t.frontProxyCA, { commonName: 'someone-else' });
    const r = await t.withCert(other).get(LIST_PATH, { 'X-Remote-User': 'carol' });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json(), UNAUTHORIZED);
  });

  it('the front-proxy certificate without X-Remote-User falls through to the next authenticator', async () => {
    await t.withCert(t.frontProxyCert, 'bob-token').get(LIST_PATH);
    assert.equal(lastSAR().user, 'bob');
  });

  it('a client certificate from the client CA is CN = user, O = groups, with the credential id', async () => {
    const erin = t.issue(t.clientCA, { commonName: 'erin', organizations: ['team-a-devs', 'auditors'] });
    const r = await t.withCert(erin, 'alice-token').get(LIST_PATH);
    assert.equal(r.status, 403);
    const sar = lastSAR();
    assert.equal(sar.user, 'erin', 'the certificate comes before the token');
    assert.deepEqual(sar.groups, ['team-a-devs', 'auditors', 'system:authenticated']);
    assert.match(sar.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^X509SHA256=[0-9a-f]{64}$/);
    assert.equal(t.host.calls.tokenReviews.length, 0);
  });

  it('certificates from an unknown CA, expired, or without client-auth usage are 401', async () => {
    const stranger = generateCA('stranger-ca');
    const cases = [
      t.issue(stranger, { commonName: 'mallory' }),
      t.issue(t.clientCA, { commonName: 'old', days: -1 }),
      t.issue(t.clientCA, { commonName: 'server-only', usage: 'server' }),
    ];
    for (const cert of cases) {
      const r = await t.withCert(cert).get(LIST_PATH);
      assert.equal(r.status, 401);
    }
  });

  it('a certificate that fails is not fatal when a valid token comes with it', async () => {
    const stranger = t.issue(generateCA('stranger-ca'), { commonName: 'mallory' });
    const r = await t.withCert(stranger, 'bob-token').get(LIST_PATH);
    assert.equal(r.status, 403);
    assert.equal(lastSAR().user, 'bob');
  });

  it('caches TokenReview answers for the TTL: the host is asked once per token per TTL', async () => {
    t.host.tokens.set('henry-token', { username: 'henry' });
    const bob = t.withToken('henry-token');
    for (let i = 0; i < 5; i++) await bob.get(LIST_PATH);
    assert.equal(t.host.calls.tokenReviews.length, 1);
    for (let i = 0; i < 3; i++) await t.withToken('nope-2').get(LIST_PATH);
    assert.equal(t.host.calls.tokenReviews.length, 2, 'a rejected token is cached too');
    await new Promise((r) => setTimeout(r, 2100));
    await bob.get(LIST_PATH);
    await bob.get(LIST_PATH);
    assert.equal(t.host.calls.tokenReviews.length, 3, 'after the TTL the host is asked again, once');
  });

  it('concurrent requests with the same new token share one TokenReview', async () => {
    t.host.tokens.set('frank-token', { username: 'frank' });
    t.host.reviewDelayMs = 200;
    try {
      const frank = t.withToken('frank-token');
      const rs = await Promise.all(Array.from({ length: 10 }, () => frank.get(LIST_PATH)));
      assert.ok(rs.every((r) => r.status === 403));
      assert.equal(t.host.calls.tokenReviews.length, 1);
    } finally {
      t.host.reviewDelayMs = 0;
    }
  });

  it('a rotated front-proxy CA in the ConfigMap takes effect without a restart', async () => {
    const newCA = generateCA('front-proxy-ca-2');
    const newCert = t.issue(newCA, { commonName: FRONT_PROXY_CN });
    const before = await t.withCert(newCert).get(LIST_PATH, { 'X-Remote-User': 'carol' });
    assert.equal(before.status, 401, 'the new CA is not trusted yet');
    t.host.setConfigMap('kube-system', AUTH_CONFIGMAP, authenticationConfigMapData({ clientCA: t.clientCA.cert, requestHeaderCA: newCA.cert, allowedNames: [FRONT_PROXY_CN] }));
    await eventually(async () => (await t.withCert(newCert).get(LIST_PATH, { 'X-Remote-User': 'carol' })).status === 403, 5000, 'the rotated CA');
    assert.equal(lastSAR().user, 'carol');
    const old = await t.withCert(t.frontProxyCert).get(LIST_PATH, { 'X-Remote-User': 'carol' });
    assert.equal(old.status, 401, 'the old CA is no longer trusted');
    // Put the original back for the other tests.
    t.host.setConfigMap('kube-system', AUTH_CONFIGMAP, authenticationConfigMapData({ clientCA: t.clientCA.cert, requestHeaderCA: t.frontProxyCA.cert, allowedNames: [FRONT_PROXY_CN] }));
    await eventually(async () => (await t.withCert(t.frontProxyCert).get(LIST_PATH, { 'X-Remote-User': 'carol' })).status === 403, 5000, 'the original CA');
    assert.equal(t.host.calls.configMapLists, 0, 'changes arrive through the watch, without relisting');
  });

  it('the ConfigMap is read with a field selector on its name, as RBAC resourceNames requires', async () => {
    // Watches resumed after the fake ends them keep the selector (checked by the fake's filter).
    t.host.closeWatches();
    const rotated = generateCA('front-proxy-ca-3');
    const cert = t.issue(rotated, { commonName: FRONT_PROXY_CN });
    t.host.setConfigMap('kube-system', AUTH_CONFIGMAP, authenticationConfigMapData({ clientCA: t.clientCA.cert, requestHeaderCA: rotated.cert, allowedNames: [FRONT_PROXY_CN] }));
    await eventually(async () => (await t.withCert(cert).get(LIST_PATH, { 'X-Remote-User': 'carol' })).status === 403, 8000, 'the CA after a re-watch');
    assert.ok(t.host.calls.configMapWatches >= 1);
    assert.ok(t.host.calls.configMapSelectors.length >= 1);
    for (const sel of t.host.calls.configMapSelectors) assert.equal(sel, `metadata.name=${AUTH_CONFIGMAP}`);
    t.host.setConfigMap('kube-system', AUTH_CONFIGMAP, authenticationConfigMapData({ clientCA: t.clientCA.cert, requestHeaderCA: t.frontProxyCA.cert, allowedNames: [FRONT_PROXY_CN] }));
    await eventually(async () => (await t.withCert(t.frontProxyCert).get(LIST_PATH, { 'X-Remote-User': 'carol' })).status === 403, 5000, 'the original CA');
  });
});

describe('authentication options', () => {
  it('--authentication-audiences are sent in the TokenReview and required in its answer', async () => {
    const t = await startDelegatedServer({ args: ['--authentication-audiences=image-apiserver'] });
    try {
      t.host.tokens.set('alice-token', { username: 'alice' });
      const r = await t.withToken('alice-token').get(LIST_PATH);
      assert.equal(r.status, 403);
      assert.deepEqual(t.host.calls.tokenReviews, [{ token: 'alice-token', audiences: ['image-apiserver'] }]);
    } finally {
      await t.stop();
    }
  });

  it('--anonymous-auth=false answers requests without credentials 401, health probes included', async () => {
    const t = await startDelegatedServer({ args: ['--anonymous-auth=false'] });
    try {
      for (const p of [LIST_PATH, '/healthz']) {
        const r = await t.anonymous().get(p);
        assert.equal(r.status, 401, p);
        assert.deepEqual(r.json(), UNAUTHORIZED);
      }
    } finally {
      await t.stop();
    }
  });

  it('--requestheader-client-ca-file and friends replace the ConfigMap front-proxy settings', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const ca = generateCA('flag-front-proxy');
    const caFile = join(tmpdir(), `fp-ca-${process.pid}-${Date.now()}.crt`);
    writeFileSync(caFile, ca.cert);
    const t = await startDelegatedServer({
      args: [`--requestheader-client-ca-file=${caFile}`, '--requestheader-allowed-names=proxy', '--requestheader-username-headers=X-User', '--requestheader-group-headers=X-Groups'],
    });
    try {
      const proxy = t.issue(ca, { commonName: 'proxy' });
      await t.withCert(proxy).get(LIST_PATH, { 'X-User': 'gina', 'X-Groups': ['g1', 'g2'], 'X-Remote-User': 'ignored' });
      const sar = t.host.calls.subjectAccessReviews.at(-1);
      assert.equal(sar?.user, 'gina');
      assert.deepEqual(sar?.groups, ['g1', 'g2', 'system:authenticated']);
      const viaConfigMap = await t.withCert(t.frontProxyCert).get(LIST_PATH, { 'X-Remote-User': 'carol' });
      assert.equal(viaConfigMap.status, 401, "the ConfigMap's front-proxy CA no longer counts");
    } finally {
      await t.stop();
    }
  });

  it('starts without the authentication ConfigMap: only tokens and anonymous work then', async () => {
    const t = await startDelegatedServer({ configMap: false });
    try {
      const r = await t.withCert(t.frontProxyCert).get(LIST_PATH, { 'X-Remote-User': 'carol' });
      assert.equal(r.status, 403);
      assert.equal(t.host.calls.subjectAccessReviews.at(-1)?.user, 'system:anonymous');
    } finally {
      await t.stop();
    }
  });
});
