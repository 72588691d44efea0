// dryRun=All on every write verb, fieldValidation (Strict/Warn/Ignore) on every body, the decoding
// errors of wrong JSON types, and the request content types (YAML yes, protobuf no).

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { dockerTag, imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = { metadata: Record<string, unknown>; spec: Record<string, unknown> };
const NS = 'writes';

describe('dry run, field validation and request bodies', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    for (const name of ['keep', 'gone-1', 'gone-2']) {
      const r = await t.client.post(nsPath(NS, 'imagestreams'), imageStream(name, { metadata: { labels: { set: name === 'keep' ? 'k' : 'g' } }, spec: { tags: [dockerTag('a', 'quay.io/x/y:a')] } }));
      assert.equal(r.status, 201, r.text);
    }
  });
  after(async () => t?.stop());

  const path = (name = ''): string => nsPath(NS, 'imagestreams', name);
  const current = async (name: string): Promise<Obj> => (await t.client.get(path(name))).json<Obj>();

  describe('dryRun=All', () => {
    it('create answers 201 with generated fields and no resourceVersion, storing nothing', async () => {
      const r = await t.client.post(`${path()}?dryRun=All`, { metadata: { generateName: 'dry-' }, spec: {} });
      assert.equal(r.status, 201, r.text);
      const o = r.json<Obj>();
      assert.match(String(o.metadata.name), /^dry-/);
      assert.ok(o.metadata.uid);
      assert.equal(o.metadata.resourceVersion, undefined);
      assert.equal((await t.client.get(path(String(o.metadata.name)))).status, 404);
      const dup = await t.client.post(`${path()}?dryRun=All`, imageStream('keep'));
      assert.equal(dup.status, 409, 'a dry-run create of an existing name is still AlreadyExists');
    });

    it('update, every patch type and apply show the result without storing it', async () => {
      const before = await current('keep');
      const put = await t.client.request('PUT', `${path('keep')}?dryRun=All`, { body: { ...before, metadata: { ...before.metadata, labels: { set: 'put' } } } });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.json<Obj>().metadata.labels, { set: 'put' });
      const patches: [string, unknown][] = [
        ['application/merge-patch+json', { metadata: { labels: { set: 'merge' } } }],
        ['application/json-patch+json', [{ op: 'replace', path: '/metadata/labels/set', value: 'json' }]],
        ['application/strategic-merge-patch+json', { spec: { tags: [dockerTag('b', 'quay.io/x/y:b')] } }],
      ];
      for (const [ct, body] of patches) {
        const r = await t.client.request('PATCH', `${path('keep')}?dryRun=All`, { body, contentType: ct });
        assert.equal(r.status, 200, `${ct}: ${r.text}`);
      }
      const applied = await t.client.request('PATCH', `${path('keep')}?dryRun=All&fieldManager=dry&force=true`, {
        rawBody: JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'keep', labels: { set: 'apply' } } }),
        contentType: 'application/apply-patch+yaml',
      });
      assert.equal(applied.status, 200, applied.text);
      assert.equal((applied.json<Obj>().metadata.labels as Record<string, string>).set, 'apply');
      const created = await t.client.request('PATCH', `${path('applied-dry')}?dryRun=All&fieldManager=dry`, {
        rawBody: JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'applied-dry' } }),
        contentType: 'application/apply-patch+yaml',
      });
      assert.equal(created.status, 201, created.text);
      assert.equal((await t.client.get(path('applied-dry'))).status, 404);
      const after = await current('keep');
      assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
      assert.deepEqual(after.metadata.labels, { set: 'k' });
    });

    it('delete answers the Success Status and deletecollection the list, both leaving the objects', async () => {
      const del = await t.client.request('DELETE', `${path('keep')}?dryRun=All`);
      assert.equal(del.status, 200);
      assert.equal(del.json().status, 'Success');
      const viaBody = await t.client.delete(path('keep'), { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
      assert.equal(viaBody.status, 200);
      const coll = await t.client.request('DELETE', `${path()}?dryRun=All&labelSelector=set%3Dg`);
      assert.equal(coll.status, 200, coll.text);
      assert.deepEqual(coll.json<{ items: Obj[] }>().items.map((i) => i.metadata.name).sort(), ['gone-1', 'gone-2']);
      const list = (await t.client.get(path())).json<{ items: Obj[] }>();
      assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['gone-1', 'gone-2', 'keep']);
    });

    it('a dry-run removal of the last finalizer of a deleting object does not delete it', async () => {
      await t.client.post(path(), imageStream('held', { metadata: { finalizers: ['example.com/hold'] } }));
      await t.client.delete(path('held'));
      const r = await t.client.request('PATCH', `${path('held')}?dryRun=All`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
      assert.equal(r.status, 200, r.text);
      assert.equal((await t.client.get(path('held'))).status, 200);
      await t.client.request('PATCH', path('held'), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    });

    it('any other dryRun value is 422 on the verb options kind', async () => {
      const r = await t.client.post(`${path()}?dryRun=Foo`, imageStream('x'));
      assert.equal(r.status, 422);
      assert.equal(r.json().message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Foo"]: supported values: "All"');
      const p = await t.client.request('PATCH', `${path('keep')}?dryRun=Foo`, { body: {}, contentType: 'application/merge-patch+json' });
      assert.match(String(p.json().message), /^PatchOptions\.meta\.k8s\.io "" is invalid: dryRun/);
    });
  });

  describe('fieldValidation', () => {
    const bodyWith = (name: string): string =>
      `{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"${name}","name":"${name}"},"spec":{"foo":1,"lookupPolicy":{"local":true,"bar":2}}}`;

    it('Strict: unknown and duplicate fields are a 400 strict decoding error, in document order', async () => {
      const r = await t.client.request('POST', `${path()}?fieldValidation=Strict`, { rawBody: bodyWith('strict'), contentType: 'application/json' });
      assert.equal(r.status, 400);
      assert.equal(
        r.json().message,
        'ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: duplicate field "metadata.name", unknown field "spec.foo", unknown field "spec.lookupPolicy.bar"',
      );
      assert.equal(r.json().reason, 'BadRequest');
    });

    it('Warn (the default): one Warning header per problem; the fields are dropped', async () => {
      for (const q of ['', '?fieldValidation=Warn']) {
        const name = q ? 'warn' : 'default-warn';
        const r = await t.client.request('POST', `${path()}${q}`, { rawBody: bodyWith(name), contentType: 'application/json' });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(r.headers.warning, ['299 - "duplicate field \\"metadata.name\\""', '299 - "unknown field \\"spec.foo\\""', '299 - "unknown field \\"spec.lookupPolicy.bar\\""'].join(', '));
        assert.equal('foo' in r.json<Obj>().spec, false);
      }
    });

    it('Ignore: silently dropped', async () => {
      const r = await t.client.request('POST', `${path()}?fieldValidation=Ignore`, { rawBody: bodyWith('ignore'), contentType: 'application/json' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.warning, undefined);
    });

    it('an unknown value is 422', async () => {
      const r = await t.client.post(`${path()}?fieldValidation=Loose`, imageStream('x'));
      assert.equal(r.status, 422);
      assert.equal(r.json().message, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Warn", "Strict"');
    });

    it('updates validate the same way; YAML duplicates are found too', async () => {
      const cur = await current('keep');
      const r = await t.client.request('PUT', `${path('keep')}?fieldValidation=Strict`, { body: { ...cur, spec: { ...cur.spec, nope: true } } });
      assert.equal(r.status, 400);
      assert.equal(r.json().message, 'ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "spec.nope"');
      const yaml = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: yaml-dup\n  labels:\n    a: "1"\n    a: "2"\n';
      const y = await t.client.request('POST', `${path()}?fieldValidation=Strict`, { rawBody: yaml, contentType: 'application/yaml' });
      assert.equal(y.status, 400);
      assert.equal(y.json().message, 'ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: duplicate field "metadata.labels.a"');
    });

    it('patches: Strict is a 422 on field "patch"; Warn sends warnings', async () => {
      const r = await t.client.request('PATCH', `${path('keep')}?fieldValidation=Strict`, { body: { spec: { foo: 1 } }, contentType: 'application/strategic-merge-patch+json' });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json().message, ' "" is invalid: patch: Invalid value: "map[spec:map[foo:1]]": strict decoding error: unknown field "spec.foo"');
      const m = await t.client.request('PATCH', `${path('keep')}?fieldValidation=Strict`, { body: { spec: { foo: 1 } }, contentType: 'application/merge-patch+json' });
      assert.equal(m.status, 422);
      assert.match(String(m.json().message), /^ "" is invalid: patch: Invalid value: "\{.*\}": strict decoding error: unknown field "spec.foo"$/);
      const w = await t.client.request('PATCH', path('keep'), { body: { spec: { foo: 1 } }, contentType: 'application/merge-patch+json' });
      assert.equal(w.status, 200);
      assert.equal(w.headers.warning, '299 - "unknown field \\"spec.foo\\""');
    });

    it('a value of the wrong JSON type is the 400 of a typed decoder, whatever fieldValidation says', async () => {
      // openshift-apiserver decodes into Go structs: encoding/json's message, not a 422 field error.
      const r = await t.client.post(`${path()}?fieldValidation=Ignore`, { metadata: { name: 'typed' }, spec: { tags: 'latest' } });
      assert.equal(r.status, 400);
      assert.equal(r.json().message, 'ImageStream in version "v1" cannot be handled as a ImageStream: json: cannot unmarshal string into Go struct field ImageStreamSpec.spec.tags of type []v1.TagReference');
      const nested = await t.client.post(path(), { metadata: { name: 'typed' }, spec: { tags: [{ name: 'a', generation: 1.5 }] } });
      assert.equal(nested.json().message, 'ImageStream in version "v1" cannot be handled as a ImageStream: json: cannot unmarshal number 1.5 into Go struct field TagReference.spec.tags.generation of type int64');
      const label = await t.client.post(path(), { metadata: { name: 'typed', labels: { a: 1 } } });
      assert.equal(label.json().message, 'ImageStream in version "v1" cannot be handled as a ImageStream: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
      const patch = await t.client.request('PATCH', path('keep'), { body: { spec: { lookupPolicy: { local: 'yes' } } }, contentType: 'application/merge-patch+json' });
      assert.equal(patch.status, 422);
      assert.match(String(patch.json().message), /json: cannot unmarshal string into Go struct field ImageLookupPolicy.spec.lookupPolicy.local of type bool$/);
    });
  });

  describe('request content types', () => {
    it('a protobuf body is decoded like JSON: a broken one is 400 as Go words it, an untyped envelope takes the kind of the endpoint', async () => {
      const r = await t.client.request('POST', path(), { rawBody: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a]), contentType: 'application/vnd.kubernetes.protobuf' });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the object provided is unrecognized (must be of type ImageStream): unexpected EOF (6b3873000a)',
        reason: 'BadRequest',
        code: 400,
      });
      const put = await t.client.request('PUT', path('keep'), { rawBody: 'k8s\u0000', contentType: 'application/vnd.kubernetes.protobuf' });
      const json = await t.client.request('PUT', path('keep'), { body: {} });
      assert.equal(put.status, json.status);
      assert.deepEqual(put.json(), json.json());
      const text = await t.client.request('POST', path(), { rawBody: 'x', contentType: 'text/plain' });
      assert.equal(text.status, 415);
      assert.equal(text.json().message, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    });

    it('YAML bodies work for update and for DeleteOptions', async () => {
      const cur = await current('gone-1');
      const yaml = `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: gone-1\n  resourceVersion: "${String(cur.metadata.resourceVersion)}"\n  labels:\n    set: yaml\n`;
      const r = await t.client.request('PUT', path('gone-1'), { rawBody: yaml, contentType: 'application/yaml' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json<Obj>().metadata.labels, { set: 'yaml' });
      const d = await t.client.request('DELETE', path('gone-1'), { rawBody: 'kind: DeleteOptions\napiVersion: v1\npropagationPolicy: Background\n', contentType: 'application/yaml' });
      assert.equal(d.status, 200, d.text);
    });
  });
});
