// Workloads that follow image streams, end to end: this server (not --local) against the fake
// host cluster, which stores workloads and Pods and calls the image-lookup webhook the way
// kube-apiserver does, from the MutatingWebhookConfiguration the chart renders (its rules and
// namespaceSelector; a URL and this server's CA in place of the in-cluster Service). Image change
// triggers move a Deployment after an ImageStreamMapping and a CronJob after an import from a real
// registry; Pods naming a local stream are stored with the resolved image.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { render, type K8sObject } from '../chart/helm.js';
import { TestClient } from '../support/client.js';
import { eventually, startDelegatedServer, type DelegatedTestServer } from '../support/delegated-server.js';
import type { MutatingWebhook } from '../support/fake-admission.js';
import { buildOCIImage } from '../support/oci-image.js';
import { pushImage, startRegistry, type RegistryHandle } from '../support/registry.js';

const NS = 'web';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const streams = (name = ''): string => `/apis/image.openshift.io/v1/namespaces/${NS}/imagestreams${name ? `/${name}` : ''}`;
const apps = (resource: string): string => `/apis/apps/v1/namespaces/${NS}/${resource}`;

type Obj = Record<string, unknown>;
interface PodSpecJSON {
  containers: { name: string; image: string }[];
}

const triggers = (from: string, fieldPath: string): string => JSON.stringify([{ from: { kind: 'ImageStreamTag', name: from }, fieldPath }]);
const template = (image: string): Obj => ({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image }] } });
const imageOf = (spec: unknown): string | undefined => (spec as PodSpecJSON | undefined)?.containers[0]?.image;

describe('workloads that follow image streams (fake host cluster)', () => {
  let t: DelegatedTestServer;
  let reg: RegistryHandle;
  let api: TestClient;
  let cluster: TestClient;

  beforeAll(async () => {
    reg = await startRegistry();
    t = await startDelegatedServer({ namespaces: [NS], args: ['--internal-registry-hostname=registry.internal:5000'] });
    t.host.tokens.set('admin-token', { username: 'admin', groups: ['system:masters'] });
    api = t.withToken('admin-token');
    cluster = new TestClient({ baseURL: t.host.url, ca: t.host.ca.cert, token: t.host.clientToken });
    // The chart's webhook, pointed at this server by URL (the fake has no Services) with its CA.
    const config = render().one<K8sObject & { webhooks: MutatingWebhook[] }>('MutatingWebhookConfiguration');
    for (const w of config.webhooks) w.clientConfig = { url: `${t.server.url}/admission/image-lookup`, caBundle: Buffer.from(t.servingCA).toString('base64') };
    t.host.registerMutatingWebhooks(config);

    for (const [name, local] of [
      ['mystream', true],
      ['remote', false],
      ['tool', false],
    ] as const) {
      assert.equal((await api.post(streams(), { metadata: { name }, spec: { lookupPolicy: { local } } })).status, 201);
    }
    for (const name of ['mystream', 'remote']) {
      const mapping = { metadata: { name }, tag: 'latest', image: { metadata: { name: D1 }, dockerImageReference: `quay.io/org/${name}@${D1}` } };
      assert.equal((await api.post(`/apis/image.openshift.io/v1/namespaces/${NS}/imagestreammappings`, mapping)).status, 201);
    }
  });
  afterAll(async () => {
    await t?.stop();
    await reg?.stop();
  });

  it('a Deployment with a trigger gets the tag\'s image, and the next one after an ImageStreamMapping moves the tag', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'image.openshift.io/triggers': triggers('mystream:latest', 'spec.template.spec.containers[?(@.name=="main")].image') } },
      spec: { selector: { matchLabels: { app: 'x' } }, template: template(' ') },
    };
    assert.equal((await cluster.post(apps('deployments'), deployment)).status, 201);
    const current = (): string | undefined => imageOf((t.host.object('deployments', NS, 'web')?.spec as { template: { spec: unknown } }).template.spec);
    await eventually(() => current() === `quay.io/org/mystream@${D1}`, 20_000, 'the Deployment to get the first image');
    const mapping = { metadata: { name: 'mystream' }, tag: 'latest', image: { metadata: { name: D2 }, dockerImageReference: `quay.io/org/mystream@${D2}` } };
    assert.equal((await api.post(`/apis/image.openshift.io/v1/namespaces/${NS}/imagestreammappings`, mapping)).status, 201);
    await eventually(() => current() === `quay.io/org/mystream@${D2}`, 20_000, 'the Deployment to follow the tag');
  });

  it('a CronJob with a trigger follows an import of a new image into the tag', async () => {
    const ref = `${reg.host}/org/tool:latest`;
    const first = (await pushImage(buildOCIImage({ files: { 'v.txt': 'one\n' } }).dir, ref, { format: 'v2s2' })).digest;
    const isi = { metadata: { name: 'tool' }, spec: { import: true, images: [{ from: { kind: 'DockerImage', name: ref }, to: { name: 'latest' }, importPolicy: { insecure: true } }] } };
    assert.equal((await api.post(`/apis/image.openshift.io/v1/namespaces/${NS}/imagestreamimports`, isi)).status, 201);
    const cronjob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', annotations: { 'image.openshift.io/triggers': triggers('tool:latest', 'spec.jobTemplate.spec.template.spec.containers[0].image') } },
      spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template('busybox') } } },
    };
    assert.equal((await cluster.post(`/apis/batch/v1/namespaces/${NS}/cronjobs`, cronjob)).status, 201);
    const current = (): string | undefined =>
      imageOf((t.host.object('cronjobs', NS, 'report')?.spec as { jobTemplate: { spec: { template: { spec: unknown } } } }).jobTemplate.spec.template.spec);
    await eventually(() => current() === `${reg.host}/org/tool@${first}`, 20_000, 'the CronJob to get the imported image');
    const second = (await pushImage(buildOCIImage({ files: { 'v.txt': 'two\n' } }).dir, ref, { format: 'v2s2' })).digest;
    assert.notEqual(second, first);
    assert.equal((await api.post(`/apis/image.openshift.io/v1/namespaces/${NS}/imagestreamimports`, isi)).status, 201);
    await eventually(() => current() === `${reg.host}/org/tool@${second}`, 20_000, 'the CronJob to follow the import');
  });

  it('a Pod created with image: mystream:latest is stored with the resolved image', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'main', image: 'mystream:latest' }, { name: 'side', image: 'nginx:1.27' }] } };
    const r = await cluster.post(`/api/v1/namespaces/${NS}/pods`, pod);
    assert.equal(r.status, 201, r.text);
    const stored = t.host.object('pods', NS, 'p1')?.spec as PodSpecJSON;
    assert.deepEqual(
      stored.containers.map((c) => c.image),
      [`quay.io/org/mystream@${D2}`, 'nginx:1.27'],
    );
  });

  it('a Pod naming a stream without local lookup is stored unchanged', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' }, spec: { containers: [{ name: 'main', image: 'remote:latest' }] } };
    assert.equal((await cluster.post(`/api/v1/namespaces/${NS}/pods`, pod)).status, 201);
    assert.equal(imageOf(t.host.object('pods', NS, 'p2')?.spec), 'remote:latest');
  });

  it('a malformed triggers annotation becomes a Warning Event on the workload', async () => {
    const deployment = { metadata: { name: 'broken', annotations: { 'image.openshift.io/triggers': '{not json' } }, spec: { selector: { matchLabels: { app: 'x' } }, template: template('busybox') } };
    assert.equal((await cluster.post(apps('deployments'), deployment)).status, 201);
    await eventually(() => t.host.list('events', NS).some((e) => (e.involvedObject as Obj).name === 'broken'), 20_000, 'the Event');
    const event = t.host.list('events', NS).find((e) => (e.involvedObject as Obj).name === 'broken') as Obj;
    assert.equal(event.type, 'Warning');
    assert.equal(event.reason, 'InvalidImageTriggers');
    assert.deepEqual((event.involvedObject as Obj).kind, 'Deployment');
    assert.deepEqual((event.source as Obj).component, 'image-trigger-controller');
  });
});
