// The client-node host cluster client against the fake kube-apiserver: secrets as raw JSON with
// selectors, live namespace reads, the namespace informer, workload informers, JSON patches and
// Events, and the adapters the image API gets.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { pino } from 'pino';
import { SubjectAccessReviewAuthorizer } from '../../../src/apiserver/auth/subject-access-review.js';
import { HostClusterError, KubeHostCluster } from '../../../src/apiserver/hostcluster/index.js';
import { TestClient } from '../../support/client.js';
import { hostPullSecrets, imageAccessChecker } from '../../../src/app/image-collaborators.js';
import { eventually, startFakeHost } from '../../support/delegated-server.js';
import type { FakeHostCluster } from '../../support/fake-host-cluster.js';

describe('the host cluster client', () => {
  let fake: FakeHostCluster;
  let host: KubeHostCluster;
  let dir: string;
  before(async () => {
    fake = await startFakeHost();
    dir = mkdtempSync(join(tmpdir(), 'host-client-'));
    host = new KubeHostCluster({ kubeconfig: fake.writeKubeconfig(join(dir, 'kubeconfig')), logger: pino({ level: 'silent' }), backoff: { initialMs: 1, factor: 1, jitter: 0, steps: 2 } });
  });
  after(async () => {
    await host?.close();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists secrets as the host serves them, with label and field selectors passed through', async () => {
    fake.setSecret('team-a', 'pull', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': 'e30=' }, { app: 'web' });
    fake.setSecret('team-a', 'other', 'Opaque', { k: 'dg==' });
    const all = await hostPullSecrets(host).list('team-a', {});
    assert.deepEqual(all.items.map((s) => s.metadata.name), ['other', 'pull']);
    assert.match(all.resourceVersion ?? '', /^\d+$/);
    const pull = all.items[1];
    assert.equal(pull.apiVersion, 'v1');
    assert.equal(pull.kind, 'Secret');
    assert.equal(pull.type, 'kubernetes.io/dockerconfigjson');
    assert.deepEqual(pull.data, { '.dockerconfigjson': 'e30=' });
    assert.match(String(pull.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'raw JSON timestamps, not Date objects');
    assert.deepEqual((await host.listSecrets('team-a', { labelSelector: 'app=web' })).items.map((s) => s.metadata.name), ['pull']);
    assert.deepEqual((await host.listSecrets('team-a', { fieldSelector: 'metadata.name=other' })).items.map((s) => s.metadata.name), ['other']);
  });

  it('reads a namespace live (undefined when missing) and keeps a watched cache of all of them', async () => {
    fake.setNamespace('live', 'Terminating');
    assert.deepEqual(await host.getNamespace('live'), { name: 'live', phase: 'Terminating' });
    assert.equal(await host.getNamespace('missing'), undefined);
    const cache = host.namespaces();
    assert.equal(await cache.waitForSync(5000), true);
    assert.equal(cache.get('live')?.phase, 'Terminating');
    fake.setNamespace('later');
    await eventually(() => cache.get('later')?.phase === 'Active', 5000, 'the new namespace');
    fake.closeWatches();
    fake.deleteNamespace('later');
    await eventually(() => cache.get('later') === undefined, 8000, 'the deletion after a re-watch');
  });

  it('answers the image API access checks through SubjectAccessReview', async () => {
    fake.rules = [{ users: ['alice'], namespace: 'shared', verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams/layers'] }];
    const checker = imageAccessChecker(new SubjectAccessReviewAuthorizer({ review: (s) => host.createSubjectAccessReview(s) }));
    const req = { verb: 'get', group: 'image.openshift.io', resource: 'imagestreams', subresource: 'layers', namespace: 'shared', name: 'ruby' };
    const yes = await checker.canI({ username: 'alice', groups: [] }, req);
    assert.equal(yes.allowed, true);
    assert.match(yes.reason ?? '', /RBAC: allowed/);
    assert.deepEqual(await checker.canI({ username: 'bob', groups: [] }, req), { allowed: false });
    fake.sarFailure = { code: 500, message: 'boom' };
    try {
      // A failed review is an error for the caller to report, never a decision (and never an allow).
      await assert.rejects(checker.canI({ username: 'carol', groups: [] }, req), /boom/);
    } finally {
      fake.sarFailure = undefined;
    }
  });

  it('lists and watches a workload collection cluster-wide as raw JSON, JSON-patches workloads and creates Events', async () => {
    const kube = new TestClient({ baseURL: fake.url, ca: fake.ca.cert, token: fake.clientToken });
    const spec = { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } } };
    assert.equal((await kube.post('/apis/apps/v1/namespaces/team-a/deployments', { metadata: { name: 'one' }, spec })).status, 201);
    const seen = new Map<string, unknown>();
    const informer = host.watchWorkloads('deployments', {
      replace: (items) => {
        seen.clear();
        for (const o of items) seen.set(String((o as { metadata: { name: string } }).metadata.name), o);
      },
      apply: (type, o) => {
        const name = String((o as { metadata: { name: string } }).metadata.name);
        if (type === 'DELETED') seen.delete(name);
        else seen.set(name, o);
      },
    });
    try {
      assert.equal(await informer.waitForSync(5000), true);
      assert.deepEqual([...seen.keys()], ['one']);
      assert.equal(typeof (seen.get('one') as { metadata: { creationTimestamp: unknown } }).metadata.creationTimestamp, 'string', 'raw JSON');
      assert.equal((await kube.post('/apis/apps/v1/namespaces/team-b/deployments', { metadata: { name: 'two' }, spec })).status, 201);
      await eventually(() => seen.has('two'), 5000, 'the watched Deployment');

      const image = '/spec/template/spec/containers/0/image';
      await host.patchWorkload('deployments', 'team-b', 'two', [
        { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'main' },
        { op: 'replace', path: image, value: 'quay.io/org/app@sha256:1' },
      ]);
      await eventually(() => JSON.stringify(seen.get('two')).includes('quay.io/org/app@sha256:1'), 5000, 'the patched image');
      const failed = await host.patchWorkload('deployments', 'team-b', 'two', [{ op: 'test', path: '/spec/template/spec/containers/0/name', value: 'other' }]).catch((e: unknown) => e);
      assert.ok(failed instanceof HostClusterError);
      assert.equal(failed.code, 422);
      const missing = await host.patchWorkload('cronjobs', 'team-b', 'nope', [{ op: 'replace', path: image, value: 'x' }]).catch((e: unknown) => e);
      assert.ok(missing instanceof HostClusterError);
      assert.equal(missing.code, 404);
    } finally {
      informer.stop();
      kube.close();
    }

    await host.createEvent({
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-b', name: 'two', uid: 'u-1' },
      type: 'Warning',
      reason: 'InvalidImageTriggers',
      message: 'bad annotation',
      component: 'image-trigger-controller',
    });
    const [event] = fake.list('events', 'team-b') as { involvedObject: { name: string }; reason: string; type: string; source: { component: string }; count: number; metadata: { name: string } }[];
    assert.equal(event?.involvedObject.name, 'two');
    assert.equal(event?.reason, 'InvalidImageTriggers');
    assert.equal(event?.type, 'Warning');
    assert.equal(event?.source.component, 'image-trigger-controller');
    assert.equal(event?.count, 1);
    assert.match(event?.metadata.name ?? '', /^two\.[0-9a-f]+$/);
  });
});
