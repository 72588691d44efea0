// The image-lookup admission webhook over HTTPS against the real server and etcd: AdmissionReview
// v1 in, a JSONPatch out; served without credentials (or, with a client CA, only to certificates
// it signed); bad reviews are 4xx Statuses; an unreachable etcd lets the object through unchanged.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { generateCA, issueCertificate } from '../../../src/apiserver/server/selfsigned.js';
import { TestClient } from '../../support/client.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { fakeDigest, ns } from './helpers.js';

const PATH = '/admission/image-lookup';
const D = fakeDigest('a');

function review(object: unknown, o: { namespace?: string; resource?: string; group?: string; operation?: string } = {}): Record<string, unknown> {
  const resource = o.resource ?? 'pods';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'req-1',
      kind: { group: o.group ?? '', version: 'v1', kind: 'Pod' },
      resource: { group: o.group ?? '', version: 'v1', resource },
      namespace: o.namespace ?? 'web',
      operation: o.operation ?? 'CREATE',
      object,
    },
  };
}

const pod = (...images: string[]): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } });

interface ReviewResponse {
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[] };
}
const patchOf = (r: ReviewResponse): unknown => (r.response.patch ? JSON.parse(Buffer.from(r.response.patch, 'base64').toString('utf8')) : undefined);

async function seed(t: TestServer): Promise<void> {
  for (const [name, local] of [
    ['app', true],
    ['remote', false],
  ] as const) {
    assert.equal((await t.client.post(ns('web', 'imagestreams'), { metadata: { name }, spec: { lookupPolicy: { local } } })).status, 201);
    const mapping = { metadata: { name }, tag: 'latest', image: { metadata: { name: D }, dockerImageReference: `quay.io/org/${name}@${D}` } };
    assert.equal((await t.client.post(ns('web', 'imagestreammappings'), mapping)).status, 201);
  }
}

describe('image-lookup webhook', () => {
  let t: TestServer;
  let anonymous: TestClient;
  beforeAll(async () => {
    t = await startTestServer(['--anonymous-auth=false', '--internal-registry-hostname=registry.internal:5000']);
    anonymous = t.client.withToken(undefined);
    await seed(t);
  });
  afterAll(async () => t?.stop());

  it('rewrites a Pod image naming a local stream to its digest, with no credentials even when anonymous requests are off', async () => {
    const r = await anonymous.post(`${PATH}?timeout=10s`, review(pod('app', 'app:latest', 'nginx:1.25')));
    assert.equal(r.status, 200);
    const body = r.json<ReviewResponse>();
    assert.equal(body.response.uid, 'req-1');
    assert.equal(body.response.allowed, true);
    assert.equal(body.response.patchType, 'JSONPatch');
    assert.deepEqual(patchOf(body), [
      { op: 'replace', path: '/spec/containers/0/image', value: `quay.io/org/app@${D}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `quay.io/org/app@${D}` },
    ]);
    // The rest of the API still needs credentials.
    assert.equal((await anonymous.get(ns('web', 'imagestreams'))).status, 401);
  });

  it('a tag the stream lacks resolves to the stream repository with that tag', async () => {
    const body = (await anonymous.post(PATH, review(pod('app:v2')))).json<ReviewResponse>();
    assert.deepEqual(patchOf(body), [{ op: 'replace', path: '/spec/containers/0/image', value: 'registry.internal:5000/web/app:v2' }]);
  });

  it('leaves streams without local lookup, and namespaces without streams, unchanged', async () => {
    const remote = (await anonymous.post(PATH, review(pod('remote:latest')))).json<ReviewResponse>();
    assert.deepEqual(remote.response, { uid: 'req-1', allowed: true });
    const elsewhere = (await anonymous.post(PATH, review(pod('app'), { namespace: 'empty' }))).json<ReviewResponse>();
    assert.deepEqual(elsewhere.response, { uid: 'req-1', allowed: true });
  });

  it('resolves a Deployment pod template', async () => {
    const deployment = { metadata: { name: 'd' }, spec: { template: pod('app') } };
    const body = (await anonymous.post(PATH, review(deployment, { group: 'apps', resource: 'deployments' }))).json<ReviewResponse>();
    assert.deepEqual(patchOf(body), [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `quay.io/org/app@${D}` }]);
  });

  it('answers only well-formed AdmissionReviews: 400, 405 and 415 Statuses otherwise', async () => {
    const bad = await anonymous.post(PATH, { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().kind, 'Status');
    assert.match(String(bad.json().message), /expected apiVersion admission.k8s.io\/v1 and kind AdmissionReview/);
    const noUid = await anonymous.post(PATH, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: {}, resource: {} } });
    assert.equal(noUid.status, 400);
    assert.equal(noUid.json().message, 'request.uid must be a non-empty string');
    assert.equal((await anonymous.request('POST', PATH, { rawBody: '{"apiVersion":', contentType: 'application/json' })).status, 400);
    assert.equal((await anonymous.request('POST', PATH, { rawBody: 'a: b', contentType: 'application/yaml' })).status, 415);
    assert.equal((await anonymous.get(PATH)).status, 405);
  });

  it('lets the object through unchanged, with a warning, when etcd cannot answer', async () => {
    await t.etcd.stop();
    try {
      const r = await anonymous.post(`${PATH}?timeout=3s`, review(pod('app')));
      assert.equal(r.status, 200);
      const body = r.json<ReviewResponse>();
      assert.equal(body.response.allowed, true);
      assert.equal(body.response.patch, undefined);
      assert.equal(body.response.warnings?.length, 1);
      assert.match(body.response.warnings?.[0] ?? '', /images were left as written/);
    } finally {
      await t.etcd.start();
    }
  });
});

describe('image-lookup webhook with --admission-client-ca-file', () => {
  let t: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'admission-ca-'));
  const ca = generateCA('kube-apiserver-client-ca');
  const apiserver = issueCertificate(ca, { commonName: 'kube-apiserver', usage: 'client' });
  const stranger = issueCertificate(generateCA('other'), { commonName: 'kube-apiserver', usage: 'client' });
  beforeAll(async () => {
    const file = join(dir, 'client-ca.pem');
    writeFileSync(file, ca.cert);
    t = await startTestServer([`--admission-client-ca-file=${file}`]);
    await seed(t);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('requires a client certificate signed by that CA', async () => {
    const as = (cert?: { cert: string; key: string }): TestClient => new TestClient({ baseURL: t.server.url, ca: t.ca, ...(cert ? { cert: cert.cert, key: cert.key } : {}) });
    assert.equal((await as().post(PATH, review(pod('app')))).status, 401);
    assert.equal((await as(stranger).post(PATH, review(pod('app')))).status, 401);
    const ok = await as(apiserver).post(PATH, review(pod('app')));
    assert.equal(ok.status, 200);
    assert.deepEqual(patchOf(ok.json<ReviewResponse>()), [{ op: 'replace', path: '/spec/containers/0/image', value: `quay.io/org/app@${D}` }]);
  });
});
