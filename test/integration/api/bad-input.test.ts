import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe('bad input gets the right Status', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('a body over 3 MiB answers 413', async () => {
    const big = imageStream('big', { metadata: { annotations: { blob: 'x'.repeat(3 * 1024 * 1024) } } });
    const r = await t.client.post(nsPath('bad', 'imagestreams'), big);
    assert.equal(r.status, 413);
    assert.equal(r.json().message, 'Request entity too large: limit is 3145728');
    assert.equal(r.json().reason, 'RequestEntityTooLarge');
  });

  it('malformed JSON answers 400', async () => {
    const r = await t.client.request('POST', nsPath('bad', 'imagestreams'), { rawBody: '{"metadata": {', contentType: 'application/json' });
    assert.equal(r.status, 400);
    assert.equal(r.json().reason, 'BadRequest');
    assert.match(String(r.json().message), /^couldn't get version\/kind; json parse error: /);
  });

  it('the wrong kind or apiVersion answers 400', async () => {
    const kind = await t.client.post(nsPath('bad', 'imagestreams'), { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: 'x' } });
    assert.equal(kind.status, 400);
    assert.match(String(kind.json().message), /cannot be handled as a ImageStream/);
    const version = await t.client.post(nsPath('bad', 'imagestreams'), { apiVersion: 'image.openshift.io/v2', kind: 'ImageStream', metadata: { name: 'x' } });
    assert.equal(version.status, 400);
    assert.equal(version.json().message, 'the API version in the data (image.openshift.io/v2) does not match the expected API version (image.openshift.io/v1)');
  });

  it('a namespace in the body that differs from the URL answers 400', async () => {
    const r = await t.client.post(nsPath('bad', 'imagestreams'), imageStream('x', { metadata: { namespace: 'other' } }));
    assert.equal(r.status, 400);
    assert.equal(r.json().message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('an unsupported media type answers 415', async () => {
    const r = await t.client.request('POST', nsPath('bad', 'imagestreams'), { rawBody: '<x/>', contentType: 'application/xml' });
    assert.equal(r.status, 415);
    assert.equal(r.json().message, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    const patch = await t.client.request('PATCH', nsPath('bad', 'imagestreams', 'x'), { rawBody: '{}', contentType: 'text/plain' });
    assert.equal(patch.status, 415);
    assert.equal(patch.json().message, '415: Unsupported Media Type');
  });

  it('a YAML body is accepted', async () => {
    const r = await t.client.request('POST', nsPath('bad', 'imagestreams'), {
      rawBody: 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: from-yaml\n',
      contentType: 'application/yaml',
    });
    assert.equal(r.status, 201, r.text);
  });

  it('unknown paths answer a 404 Status', async () => {
    for (const p of ['/apis/image.openshift.io/v1/namespaces/x/nothings', '/apis/nope.example.com/v1', '/nope']) {
      const r = await t.client.get(p);
      assert.equal(r.status, 404, p);
      assert.equal(r.json().kind, 'Status');
      assert.equal(r.json().message, 'the server could not find the requested resource');
    }
  });

  it('a name that is not valid answers 422 with the field error', async () => {
    const r = await t.client.post(nsPath('bad', 'imagestreams'), imageStream('Not_Valid'));
    assert.equal(r.status, 422);
    const s = r.json<{ message: string; reason: string; details: { kind: string; causes: { field: string }[] } }>();
    assert.equal(s.reason, 'Invalid');
    assert.equal(s.details.kind, 'ImageStream');
    assert.ok(s.details.causes.some((c) => c.field === 'metadata.name'));
  });

  it('bad list options answer 400 or 422 with the apimachinery texts', async () => {
    const ls = await t.client.get(`${nsPath('bad', 'imagestreams')}?labelSelector=${encodeURIComponent('a===b')}`);
    assert.equal(ls.status, 400);
    assert.equal(ls.json().message, "unable to parse requirement: found '=', expected: identifier");
    const fs = await t.client.get(`${nsPath('bad', 'imagestreams')}?fieldSelector=spec.foo%3Dx`);
    assert.equal(fs.status, 400);
    assert.equal(fs.json().message, '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"');
    const rv = await t.client.get(`${nsPath('bad', 'imagestreams')}?resourceVersion=abc`);
    assert.equal(rv.status, 400);
    assert.equal(rv.json().message, 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
    const rvm = await t.client.get(`${nsPath('bad', 'imagestreams')}?resourceVersionMatch=Exact`);
    assert.equal(rvm.status, 422);
    assert.equal(rvm.json().message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    const cont = await t.client.get(`${nsPath('bad', 'imagestreams')}?continue=abc&resourceVersion=5`);
    assert.equal(cont.status, 400);
    assert.equal(cont.json().message, 'specifying resource version is not allowed when using continue');
    const token = await t.client.get(`${nsPath('bad', 'imagestreams')}?continue=%%%`);
    assert.equal(token.status, 400);
    assert.match(String(token.json().message), /^invalid continue token/);
  });

  it('an Accept the server cannot produce answers 406', async () => {
    const r = await t.client.get(nsPath('bad', 'imagestreams'), { Accept: 'text/html' });
    assert.equal(r.status, 406);
    const table2 = await t.client.get(nsPath('bad', 'imagestreams'), { Accept: 'application/json;as=Table;v=v2;g=meta.k8s.io' });
    assert.equal(table2.status, 406);
    assert.equal(table2.json().message, 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  });

  it('an Accept that lists JSON before protobuf gets JSON, errors too', async () => {
    const accept = { Accept: 'application/json, application/vnd.kubernetes.protobuf' };
    const r = await t.client.get(nsPath('bad', 'imagestreams'), accept);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const missing = await t.client.get(nsPath('bad', 'imagestreams', 'nope'), accept);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], 'application/json');
  });

  it('PUT on a collection answers 405 MethodNotAllowed', async () => {
    const r = await t.client.request('PUT', nsPath('bad', 'imagestreams'), { body: imageStream('x') });
    assert.equal(r.status, 405);
    assert.equal(r.json().message, 'the server does not allow this method on the requested resource');
  });

  it('a request without credentials is anonymous and forbidden; a bad token is 401', async () => {
    const anon = await t.client.withToken(undefined).get(nsPath('bad', 'imagestreams'));
    assert.equal(anon.status, 403);
    assert.equal(
      anon.json().message,
      'imagestreams.image.openshift.io is forbidden: User "system:anonymous" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "bad"',
    );
    const bad = await t.client.withToken('wrong').get(nsPath('bad', 'imagestreams'));
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });
});
