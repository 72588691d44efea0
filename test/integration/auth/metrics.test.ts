// /metrics after real traffic: every family kube-apiserver dashboards use is there with samples
// and the right labels; etcd timing and object counts against a real etcd.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { pino } from 'pino';
import { APIServerMetrics, InstrumentedStorage, newRegistry, StorageObjectCounter } from '../../../src/apiserver/metrics/index.js';
import { createEtcd3Storage } from '../../../src/apiserver/storage/etcd3/index.js';
import { startEtcd, type EtcdHandle } from '../../support/etcd.js';
import { eventually, startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { editRules } from '../../support/fake-host-cluster.js';
import { imageStream, nsPath } from '../../support/fixtures.js';

/** Sample lines of one family (for histograms, its _bucket/_sum/_count series). */
function samples(text: string, family: string): string[] {
  return text.split('\n').filter((l) => !l.startsWith('#') && (l.startsWith(`${family}{`) || l.startsWith(`${family} `) || l.startsWith(`${family}_bucket{`) || l.startsWith(`${family}_count`)));
}

/** Like assert.match, without printing the whole exposition on failure. */
function has(text: string, re: RegExp): void {
  assert.ok(re.test(text), `/metrics has ${re.source}`);
}

describe('/metrics after a test workload', () => {
  let t: DelegatedTestServer;
  before(async () => {
    t = await startDelegatedServer({ args: ['--max-mutating-requests-inflight=1'] });
    t.host.tokens.set('alice-token', { username: 'alice' });
    t.host.tokens.set('prom-token', { username: 'system:serviceaccount:monitoring:prometheus', groups: ['system:monitoring'] });
    t.host.rules = [...editRules({ users: ['alice'] }, 'team-a'), { groups: ['system:monitoring'], verbs: ['get'], nonResourceURLs: ['/metrics'] }];
  });
  after(async () => t?.stop());

  it('exposes every listed family with samples and kube-apiserver labels', async () => {
    const alice = t.withToken('alice-token');
    assert.equal((await alice.post(nsPath('team-a', 'imagestreams'), imageStream('m1'))).status, 201);
    await alice.post(nsPath('team-a', 'imagestreams'), imageStream('m2'), {});
    await alice.get(nsPath('team-a', 'imagestreams'));
    await alice.get(nsPath('team-a', 'imagestreams', 'm1'));
    await alice.get(`${nsPath('team-a', 'imagestreams')}?dryRun=All`);
    await alice.get(nsPath('team-b', 'imagestreams'));
    const watch = await alice.watch(`${nsPath('team-a', 'imagestreams')}?watch=true`);
    const prom = t.withToken('prom-token');
    const first = await prom.get('/metrics');
    watch.stop();
    assert.equal(first.status, 200, first.text);
    assert.match(first.text, /apiserver_longrunning_requests\{verb="WATCH",[^}]*\} 1/, 'the open watch');
    let text = '';
    await eventually(async () => /apiserver_request_total\{verb="WATCH",/.test((text = (await prom.get('/metrics')).text)), 3000, 'the watch to end');

    const families = [
      'apiserver_request_total',
      'apiserver_request_duration_seconds',
      'apiserver_current_inflight_requests',
      'apiserver_longrunning_requests',
      'apiserver_storage_objects',
      'apiserver_resource_objects',
      'etcd_request_duration_seconds',
      'etcd_requests_total',
      'authentication_duration_seconds',
      'authentication_attempts',
      'authenticated_user_requests',
      'authentication_token_cache_request_total',
      'authentication_token_cache_request_duration_seconds',
      'authentication_token_cache_fetch_total',
      'apiserver_delegated_authn_request_total',
      'apiserver_delegated_authz_request_total',
      'apiserver_delegated_authz_request_duration_seconds',
      'apiserver_delegated_authz_cache_request_total',
      'apiserver_authorization_decisions_total',
      'apiserver_authorization_webhook_duration_seconds',
      'apiserver_authorization_webhook_evaluations_total',
      'process_cpu_seconds_total',
    ];
    for (const f of families) assert.ok(samples(text, f).length > 0, `${f} has samples`);

    has(text, /apiserver_request_total\{verb="POST",dry_run="",group="image.openshift.io",version="v1",resource="imagestreams",subresource="",scope="resource",component="apiserver",code="201"\} 2/);
    has(text, /apiserver_request_total\{verb="LIST",dry_run="",group="image.openshift.io",version="v1",resource="imagestreams",subresource="",scope="namespace",component="apiserver",code="403"\} 1/);
    has(text, /apiserver_request_total\{verb="GET",dry_run="",group="image.openshift.io",version="v1",resource="imagestreams",subresource="",scope="resource",component="apiserver",code="200"\} 1/);
    has(text, /apiserver_request_total\{verb="LIST",dry_run="All",/);
    has(text, /apiserver_request_total\{verb="WATCH",[^}]*code="200"\} 1/);
    has(text, /apiserver_request_duration_seconds_bucket\{le="0.005",verb="POST",/);
    has(text, /apiserver_current_inflight_requests\{request_kind="mutating"\} 0/);
    has(text, /apiserver_current_inflight_requests\{request_kind="readOnly"\} 1/);
    has(text, /apiserver_longrunning_requests\{verb="WATCH",group="image.openshift.io",version="v1",resource="imagestreams",subresource="",scope="namespace",component="apiserver"\} 0/);
    has(text, /apiserver_storage_objects\{resource="imagestreams.image.openshift.io"\} \d+/);
    has(text, /etcd_request_duration_seconds_bucket\{le="[^"]+",operation="create",group="image.openshift.io",resource="imagestreams"\}/);
    has(text, /authentication_token_cache_request_total\{status="hit"\} [1-9]/);
    has(text, /authentication_token_cache_request_total\{status="miss"\} 2/);
    has(text, /apiserver_delegated_authn_request_total\{code="201"\} 2/);
    has(text, /apiserver_delegated_authz_cache_request_total\{status="hit"\} [1-9]/);
    has(text, /apiserver_authorization_decisions_total\{type="Webhook",name="webhook",decision="allowed"\} [1-9]/);
    has(text, /authenticated_user_requests\{username="other"\} [1-9]/);
    has(text, /apiserver_request_total\{verb="GET",dry_run="",group="",version="",resource="",subresource="\/metrics",scope="",component="apiserver",code="200"\} [1-9]\d*/);
  });

  it('a request refused at the in-flight limit is counted as a termination', async () => {
    const { request } = await import('node:https');
    const alice = t.withToken('alice-token');
    const body = Buffer.from(JSON.stringify(imageStream('held')));
    const held = request(new URL(nsPath('team-a', 'imagestreams'), t.server.url), {
      method: 'POST',
      ca: t.servingCA,
      headers: { Authorization: 'Bearer alice-token', 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
    });
    const done = new Promise<number>((resolve) => held.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
    held.write(body.subarray(0, 3));
    held.flushHeaders();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await alice.post(nsPath('team-a', 'imagestreams'), imageStream('refused'))).status, 429);
    held.end(body.subarray(3));
    assert.equal(await done, 201);
    const text = (await t.withToken('prom-token').get('/metrics')).text;
    has(text, /apiserver_request_terminations_total\{verb="POST",group="image.openshift.io",version="v1",resource="imagestreams",subresource="",scope="resource",component="apiserver",code="429"\} 1/);
  });
});

describe('etcd metrics and stored object counts against a real etcd', () => {
  let etcd: EtcdHandle;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => etcd?.destroy());

  it('times every storage operation by resource and counts the stored objects of each resource', async () => {
    const raw = createEtcd3Storage({ endpoints: [etcd.endpoint], prefix: `/m-${randomBytes(3).toString('hex')}` });
    const registry = newRegistry();
    const metrics = new APIServerMetrics(registry);
    const storage = new InstrumentedStorage(raw, metrics, (r) => (r === 'imagestreams' ? 'image.openshift.io' : ''));
    try {
      for (const n of ['a', 'b', 'c']) {
        await storage.create(`imagestreams/ns1/${n}`, { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: n, namespace: 'ns1' } });
      }
      await storage.get('imagestreams/ns1/a');
      await assert.rejects(storage.get('imagestreams/ns1/missing'));
      await storage.delete('imagestreams/ns1/c');
      const counter = new StorageObjectCounter(raw, metrics, [{ group: 'image.openshift.io', resource: 'imagestreams' }, { group: 'image.openshift.io', resource: 'images' }], pino({ level: 'silent' }));
      await counter.refresh();
      const text = await registry.metrics();
      has(text, /apiserver_storage_objects\{resource="imagestreams.image.openshift.io"\} 2\n/);
      has(text, /apiserver_storage_objects\{resource="images.image.openshift.io"\} 0\n/);
      has(text, /apiserver_resource_objects\{group="image.openshift.io",resource="imagestreams"\} 2\n/);
      has(text, /etcd_requests_total\{operation="create",group="image.openshift.io",resource="imagestreams"\} 3\n/);
      has(text, /etcd_requests_total\{operation="get",group="image.openshift.io",resource="imagestreams"\} 2\n/);
      has(text, /etcd_request_errors_total\{operation="get",group="image.openshift.io",resource="imagestreams"\} 1\n/);
      has(text, /etcd_request_duration_seconds_count\{operation="delete",group="image.openshift.io",resource="imagestreams"\} 1\n/);
    } finally {
      await storage.close();
    }
  });
});
