// Serving /openapi/v2 and /openapi/v3 (root, hash, ETag; never a redirect) and aggregated discovery.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer, type TestServer } from '../../support/server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking arbitrary OpenAPI JSON

describe('OpenAPI and discovery documents', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('/openapi/v3 lists only our group version, with the hash of its document', async () => {
    const r = await t.client.get('/openapi/v3');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.ok(r.headers.etag);
    const root = r.json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    assert.deepEqual(Object.keys(root.paths), ['apis/image.openshift.io/v1']);
    assert.match(root.paths['apis/image.openshift.io/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/image\.openshift\.io\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('the group version document: ETag = hash, immutable when the hash matches, 304, and a stale hash gets the document', async () => {
    const root = (await t.client.get('/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    const url = root.paths['apis/image.openshift.io/v1'].serverRelativeURL;
    const hash = url.split('hash=')[1];
    const r = await t.client.get(url);
    assert.equal(r.status, 200);
    assert.equal(r.headers.etag, `"${hash}"`);
    assert.equal(r.headers['cache-control'], 'public, immutable');
    assert.ok(r.headers.expires);
    const stale = await t.client.get('/openapi/v3/apis/image.openshift.io/v1?hash=0000');
    assert.equal(stale.status, 200, 'never a redirect: kube-apiserver would turn it into a 502');
    assert.equal(stale.text, r.text);
    assert.notEqual(stale.headers['cache-control'], 'public, immutable');
    const again = await t.client.get(url, { 'If-None-Match': `"${hash}"` });
    assert.equal(again.status, 304);
    const doc = r.json<Json>();
    const patch = doc.paths['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' });
    assert.ok(Object.keys(patch.requestBody.content).includes('application/strategic-merge-patch+json'));
    assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
    const validator = new Validator();
    const res = await validator.validate(doc);
    assert.equal(res.valid, true, JSON.stringify(res.errors)?.slice(0, 2000));
    const missing = await t.client.get('/openapi/v3/apis/other.example.com/v1');
    assert.equal(missing.status, 404);
  });

  it('/openapi/v2 is a valid Swagger 2.0 document with an ETag, and gnostic protobuf for kubectl', async () => {
    const r = await t.client.get('/openapi/v2');
    assert.equal(r.status, 200);
    const etag = String(r.headers.etag);
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    const doc = r.json<Json>();
    assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/apis/image.openshift.io/v1/')));
    const validator = new Validator();
    const res = await validator.validate(doc);
    assert.equal(res.valid, true, JSON.stringify(res.errors)?.slice(0, 2000));
    assert.equal((await t.client.get('/openapi/v2', { 'If-None-Match': etag })).status, 304);
    const pb = await t.client.get('/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(pb.status, 200, 'what kubectl asks for');
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.notEqual(pb.headers.etag, etag);
    const html = await t.client.get('/openapi/v2', { Accept: 'text/html' });
    assert.equal(html.status, 406);
    assert.equal(html.json().kind, 'Status');
  });

  it('the root path index names the OpenAPI endpoints', async () => {
    const paths = (await t.client.get('/')).json<{ paths: string[] }>().paths;
    assert.ok(paths.includes('/openapi/v2') && paths.includes('/openapi/v3'));
  });

  it('aggregated discovery: v2 first; v2beta1 is still served to aggregators older than 1.30 (a deliberate difference)', async () => {
    // openshift-apiserver 4.22 (k8s.io/apiserver >= 1.33) answers a v2beta1-only Accept with 406. Serving it
    // costs nothing and saves kube-apiserver 1.27-1.29 a fallback request to /apis/<g>/<v> every minute.
    const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    const beta = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
    const both = await t.client.get('/apis', { Accept: `${v2},${beta}` });
    assert.equal(both.headers['content-type'], v2);
    const old = await t.client.get('/apis', { Accept: beta });
    assert.equal(old.status, 200);
    assert.equal(old.headers['content-type'], beta);
    assert.equal(old.json().apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.notEqual(old.headers.etag, both.headers.etag, 'the two versions never share an ETag');
    const doc = both.json<Json>();
    const is = doc.items[0].versions[0].resources.find((r: Json) => r.resource === 'imagestreams');
    assert.deepEqual(is.responseKind, { group: '', version: '', kind: 'ImageStream' });
    assert.equal(is.scope, 'Namespaced');
    assert.deepEqual(
      is.subresources.map((s: Json) => s.subresource),
      is.subresources.map((s: Json) => s.subresource).sort(),
    );
    assert.ok(is.subresources.some((s: Json) => s.subresource === 'status'));
  });
});
