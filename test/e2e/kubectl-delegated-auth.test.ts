// The real kubectl as two users whose tokens the (fake) host cluster reviews: each can work in its
// own namespace and is told exactly why not in the other's.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { stringify as toYaml } from 'yaml';
import { startDelegatedServer, type DelegatedTestServer } from '../support/delegated-server.js';
import { editRules } from '../support/fake-host-cluster.js';
import { Kubectl } from '../support/kubectl.js';

const DISCOVERY = ['/api', '/api/*', '/apis', '/apis/*', '/version', '/version/', '/openapi', '/openapi/*'];

describe('kubectl as two users through delegated authentication and authorization', () => {
  let t: DelegatedTestServer;
  let dir: string;
  let alice: Kubectl;
  let bob: Kubectl;

  function kubeconfig(user: string, credential: string | { cert: string; key: string }): string {
    const path = join(dir, `${user}.kubeconfig`);
    const userEntry =
      typeof credential === 'string'
        ? { token: credential }
        : { 'client-certificate-data': Buffer.from(credential.cert).toString('base64'), 'client-key-data': Buffer.from(credential.key).toString('base64') };
    writeFileSync(
      path,
      toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'image-apiserver', cluster: { server: t.server.url, 'certificate-authority-data': Buffer.from(t.servingCA).toString('base64') } }],
        users: [{ name: user, user: userEntry }],
        contexts: [{ name: user, context: { cluster: 'image-apiserver', user } }],
        'current-context': user,
      }),
    );
    return path;
  }

  before(async () => {
    t = await startDelegatedServer();
    dir = mkdtempSync(join(tmpdir(), 'e2e-delegated-'));
    t.host.tokens.set('alice-token-0123456789', { username: 'alice', groups: ['team-a-devs'] });
    t.host.tokens.set('bob-token-0123456789', { username: 'bob', groups: ['team-b-devs'] });
    t.host.rules = [
      ...editRules({ groups: ['team-a-devs'] }, 'team-a'),
      ...editRules({ groups: ['team-b-devs'] }, 'team-b'),
      { groups: ['system:authenticated'], verbs: ['get'], nonResourceURLs: DISCOVERY },
      // As a ClusterRoleBinding could: a grant that names a namespace the host does not have.
      { groups: ['team-a-devs'], namespace: 'nowhere', verbs: ['create'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] },
    ];
    alice = new Kubectl(kubeconfig('alice', 'alice-token-0123456789'));
    bob = new Kubectl(kubeconfig('bob', 'bob-token-0123456789'));
    writeFileSync(join(dir, 'web.yaml'), 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: web\nspec:\n  lookupPolicy:\n    local: true\n');
  });

  after(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each user creates and lists image streams in their own namespace', async () => {
    assert.match(await alice.okAsync(['create', '--validate=false', '-n', 'team-a', '-f', join(dir, 'web.yaml')]), /^imagestream.image.openshift.io\/web created\n$/);
    assert.match(await bob.okAsync(['create', '--validate=false', '-n', 'team-b', '-f', join(dir, 'web.yaml')]), /^imagestream.image.openshift.io\/web created\n$/);
    const table = (await alice.okAsync(['get', 'imagestreams', '-n', 'team-a'])).trim().split('\n');
    assert.match(table[0], /^NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED/);
    assert.match(table[1], /^web\b/);
    assert.match(await bob.okAsync(['get', 'is', 'web', '-n', 'team-b', '-o', 'jsonpath={.metadata.namespace}']), /^team-b$/);
  });

  it("the other user's namespace is Forbidden, with kube-apiserver's exact message", async () => {
    const list = await alice.runAsync(['get', 'imagestreams', '-n', 'team-b']);
    assert.equal(list.code, 1);
    assert.equal(
      list.stderr,
      'Error from server (Forbidden): imagestreams.image.openshift.io is forbidden: User "alice" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "team-b"\n',
    );
    const get = await bob.runAsync(['get', 'is', 'web', '-n', 'team-a']);
    assert.equal(get.code, 1);
    assert.equal(
      get.stderr,
      'Error from server (Forbidden): imagestreams.image.openshift.io "web" is forbidden: User "bob" cannot get resource "imagestreams" in API group "image.openshift.io" in the namespace "team-a"\n',
    );
    const del = await bob.runAsync(['delete', 'is', 'web', '-n', 'team-a']);
    assert.equal(del.code, 1);
    assert.match(del.stderr, /Error from server \(Forbidden\): imagestreams.image.openshift.io "web" is forbidden: User "bob" cannot delete resource "imagestreams" in API group "image.openshift.io" in the namespace "team-a"/);
    assert.match(await alice.okAsync(['get', 'is', '-n', 'team-a', '-o', 'name']), /^imagestream.image.openshift.io\/web\n$/, 'still there');
  });

  it('a namespace that does not exist in the host is NotFound for kubectl create', async () => {
    const r = await alice.runAsync(['create', '--validate=false', '-n', 'nowhere', '-f', join(dir, 'web.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): error when creating "' + join(dir, 'web.yaml') + '": namespaces "nowhere" not found\n');
  });

  it('kubectl with a client certificate from the client CA is its CN, in the groups of its O', async () => {
    const carol = new Kubectl(kubeconfig('carol', t.issue(t.clientCA, { commonName: 'carol', organizations: ['team-a-devs'] })));
    assert.match(await carol.okAsync(['get', 'is', '-n', 'team-a', '-o', 'name']), /^imagestream.image.openshift.io\/web\n$/);
    const denied = await carol.runAsync(['get', 'is', '-n', 'team-b']);
    assert.equal(
      denied.stderr,
      'Error from server (Forbidden): imagestreams.image.openshift.io is forbidden: User "carol" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "team-b"\n',
    );
  });

  it('both tokens were reviewed by the host cluster, each about once per cache TTL', () => {
    const tokens = t.host.calls.tokenReviews.map((r) => r.token);
    assert.ok(tokens.includes('alice-token-0123456789'));
    assert.ok(tokens.includes('bob-token-0123456789'));
    assert.ok(tokens.length <= 6, `${tokens.length} TokenReviews for dozens of kubectl requests`);
  });
});
