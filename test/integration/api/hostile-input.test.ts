// Requests a hostile client can send: none may crash, pollute or exhaust the server, and each gets
// the Status kube-apiserver gives for it.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { cluster, fakeDigest, imageBody, mapping } from '../image/helpers.js';
import { dockerTag, imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const NS = 'hostile';
const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const IMAGE = fakeDigest('a');

/** Object.prototype must stay as the runtime made it: no request may add to it. */
function assertPrototypeClean(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).filter((k) => !BUILTIN.has(k)), []);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
}
const BUILTIN = new Set(Object.getOwnPropertyNames(Object.prototype));

function nested(depth: number, leaf: string): string {
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

describe('hostile input', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    assert.equal((await t.client.post(nsPath(NS, 'imagestreams'), imageStream('s1', { spec: { tags: [dockerTag('latest', 'quay.io/o/s1:1')] } }))).status, 201);
    assert.equal((await t.client.post(cluster('images'), imageBody(IMAGE, `quay.io/o/s1@${IMAGE}`))).status, 201);
    assert.equal((await t.client.post(nsPath(NS, 'imagestreammappings'), mapping('s1', 'mapped', imageBody(IMAGE, `quay.io/o/s1@${IMAGE}`)))).status, 201);
  });
  after(async () => t?.stop());

  const patch = (path: string, body: string, contentType: string) => t.client.request('PATCH', path, { rawBody: body, contentType });

  describe('prototype keys are ordinary keys', () => {
    it('a JSON patch adding under /__proto__ is an unknown field, not a new property of every object', async () => {
      const r = await patch(`${nsPath(NS, 'imagestreams', 's1')}?fieldValidation=Warn`, '[{"op":"add","path":"/__proto__/polluted","value":"x"}]', JSON_PATCH);
      assert.equal(r.status, 422, r.text);
      assertPrototypeClean();
      const added = await patch(`${nsPath(NS, 'imagestreams', 's1')}?fieldValidation=Warn`, '[{"op":"add","path":"/__proto__","value":{"polluted":"x"}}]', JSON_PATCH);
      assert.equal(added.status, 200, added.text);
      assert.equal(added.headers.warning, '299 - "unknown field \\"__proto__\\""');
      assert.equal(added.json().polluted, undefined);
      assertPrototypeClean();
    });

    it('JSON pointers do not resolve inherited properties such as /constructor', async () => {
      const r = await patch(nsPath(NS, 'imagestreams', 's1'), '[{"op":"copy","from":"/constructor","path":"/spec/x"}]', JSON_PATCH);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json().message, 'doc is missing path: "/constructor": missing value');
    });

    for (const [what, path] of [
      ['imagestreams', nsPath(NS, 'imagestreams', 's1')],
      ['images', cluster('images', IMAGE)],
      ['imagestreamtags', nsPath(NS, 'imagestreamtags', 's1:mapped')],
      ['imagetags', nsPath(NS, 'imagetags', 's1:mapped')],
    ] as const) {
      it(`a strategic merge or merge patch with __proto__ at any depth does not pollute (${what})`, async () => {
        for (const body of [
          '{"metadata":{"labels":{"__proto__":{"polluted":"x"}}}}',
          '{"metadata":{"annotations":{"__proto__":{"polluted":"x"}}}}',
          '{"__proto__":{"polluted":"x"},"metadata":{"__proto__":{"polluted":"x"}}}',
          '{"constructor":{"prototype":{"polluted":"x"}}}',
        ]) {
          for (const type of [SMP, MERGE]) {
            const r = await patch(path, body, type);
            assert.ok(r.status < 500, `${type} ${body}: ${r.status} ${r.text}`);
            assertPrototypeClean();
          }
        }
      });
    }

    it('a __proto__ label key is invalid as a label (422)', async () => {
      const r = await patch(nsPath(NS, 'imagestreams', 's1'), '{"metadata":{"labels":{"__proto__":"x"}}}', SMP);
      assert.equal(r.status, 422, r.text);
      assert.match(String(r.json().message), /metadata\.labels: Invalid value: "__proto__": name part must consist of alphanumeric characters/);
      const created = await t.client.request('POST', nsPath(NS, 'imagestreams'), {
        rawBody: '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"p1","labels":{"__proto__":"x"}}}',
      });
      assert.equal(created.status, 422, created.text);
      assertPrototypeClean();
    });

    it('server-side apply of __proto__ and constructor keys neither pollutes nor fails with 500', async () => {
      for (const body of [
        '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s1","labels":{"__proto__":"x"}}}',
        '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s1","annotations":{"constructor":"x","__proto__":"y"}}}',
        '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s1"},"spec":{"__proto__":{"polluted":"x"}}}',
      ]) {
        const r = await patch(`${nsPath(NS, 'imagestreams', 's1')}?fieldManager=hostile`, body, APPLY);
        assert.ok(r.status < 500, `${body}: ${r.status} ${r.text}`);
        assertPrototypeClean();
      }
    });
  });

  describe('JSON patch bounds', () => {
    it('copies that double a value stop at the accumulated copy limit with 422', async () => {
      const ops = [{ op: 'add', path: '/spec/x', value: [0] }, ...Array.from({ length: 25 }, () => ({ op: 'copy', from: '/spec/x', path: '/spec/x/-' }))];
      const r = await patch(nsPath(NS, 'imagestreams', 's1'), JSON.stringify(ops), JSON_PATCH);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json().reason, 'Invalid');
      assert.match(String(r.json().message), /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
    });

    it('more than 10000 operations is 413', async () => {
      const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ImageStream' }));
      const r = await patch(nsPath(NS, 'imagestreams', 's1'), JSON.stringify(ops), JSON_PATCH);
      assert.equal(r.status, 413, r.text);
      assert.equal(r.json().reason, 'RequestEntityTooLarge');
      assert.equal(r.json().message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
    });
  });

  it('a Warning about a field name outside Latin-1 is quoted to ASCII, not a 500', async () => {
    const r = await t.client.request('POST', `${nsPath(NS, 'imagestreams')}?fieldValidation=Warn`, {
      rawBody: '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"w1"},"spec":{"💥":1,"a\\nb":2}}',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.warning, '299 - "unknown field \\"spec.\\U0001f4a5\\"", 299 - "unknown field \\"spec.a\\\\nb\\""');
  });

  describe('deep nesting is refused before anything recurses', () => {
    it('a create body nested 10000 deep is 400', async () => {
      const body = `{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"deep"},"spec":${nested(10000, '1')}}`;
      const r = await t.client.request('POST', nsPath(NS, 'imagestreams'), { rawBody: body });
      assert.equal(r.status, 400, r.text);
      assert.match(String(r.json().message), /exceeded max depth/);
    });

    for (const [type, body] of [
      [MERGE, `{"spec":${nested(10000, '1')}}`],
      [SMP, `{"spec":${nested(10000, '1')}}`],
      [JSON_PATCH, `[{"op":"add","path":"/spec/x","value":${nested(10000, '1')}}]`],
      [APPLY, `{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s1"},"spec":${nested(10000, '1')}}`],
    ] as const) {
      it(`a ${type} patch nested 10000 deep is 400`, async () => {
        const r = await patch(`${nsPath(NS, 'imagestreams', 's1')}?fieldManager=deep`, body, type);
        assert.equal(r.status, 400, r.text);
        assert.match(String(r.json().message), /exceeded max depth/);
      });
    }

    it('JSON patch operations that build a document deeper than the limit are 422', async () => {
      const value = nested(90, '{}');
      const deeper = '/a'.repeat(90);
      const ops = [{ op: 'add', path: '/spec/x', value: JSON.parse(value) }];
      let at = '/spec/x';
      for (let i = 0; i < 15; i++) {
        at += deeper;
        ops.push({ op: 'add', path: `${at}/a`, value: JSON.parse(value) });
      }
      const r = await patch(nsPath(NS, 'imagestreams', 's1'), JSON.stringify(ops), JSON_PATCH);
      assert.equal(r.status, 422, r.text);
      assert.match(String(r.json().message), /exceeded max depth/);
    });
  });

  it('server-side apply of an undeclared field is 400 with the typed-patch message', async () => {
    const body = JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 's1' }, spec: { bogus: 1 } });
    const r = await patch(`${nsPath(NS, 'imagestreams', 's1')}?fieldManager=hostile`, body, APPLY);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json().reason, 'BadRequest');
    assert.equal(r.json().message, 'failed to create typed patch object (hostile/s1; image.openshift.io/v1, Kind=ImageStream): .spec.bogus: field not declared in schema');
  });

  it("an object over etcd's request size is 413 naming etcd's limit, not the body limit", async () => {
    const tags = Array.from({ length: 12000 }, (_, i) => dockerTag(`t${i}`, `quay.io/o/huge:${i}`));
    const big = imageStream('huge', { spec: { tags } });
    const r = await t.client.post(nsPath(NS, 'imagestreams'), big);
    assert.equal(r.status, 413, r.text);
    assert.equal(r.json().reason, 'RequestEntityTooLarge');
    // etcd's request limit, or gRPC's message limit above it (etcd's limit plus room for the envelope).
    assert.match(String(r.json().message), /^Request entity too large: (etcdserver: request is too large|grpc: received message larger than max \(\d+ vs\. \d+\))$/);
  });
});
