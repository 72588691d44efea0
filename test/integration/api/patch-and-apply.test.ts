// Strategic merge patch, server-side apply and the managedFields every write records, over HTTP.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { dockerTag, imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = { metadata: Record<string, unknown> & { managedFields?: Record<string, unknown>[] }; spec: { tags?: Record<string, unknown>[] } & Record<string, unknown> };

const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const NS = 'patching';

describe('patches and server-side apply', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  const path = (name = ''): string => nsPath(NS, 'imagestreams', name);
  const get = async (name: string): Promise<Obj> => (await t.client.get(path(name))).json<Obj>();
  const tagNames = (o: Obj): string[] => (o.spec.tags ?? []).map((x) => String(x.name));
  const apply = (name: string, body: unknown, query: string, headers: Record<string, string> = {}) =>
    t.client.request('PATCH', `${path(name)}?${query}`, { rawBody: JSON.stringify(body), contentType: APPLY, headers });

  describe('strategic merge patch', () => {
    before(async () => {
      const r = await t.client.post(path(), imageStream('smp', { spec: { tags: [dockerTag('a', 'quay.io/x/y:a'), dockerTag('b', 'quay.io/x/y:b')] } }));
      assert.equal(r.status, 201, r.text);
    });

    it('merges spec.tags by name', async () => {
      const r = await t.client.patch(path('smp'), { spec: { tags: [dockerTag('b', 'quay.io/x/y:b2'), dockerTag('c', 'quay.io/x/y:c')] } }, SMP);
      assert.equal(r.status, 200, r.text);
      const o = r.json<Obj>();
      assert.deepEqual(tagNames(o).sort(), ['a', 'b', 'c']);
      assert.equal((o.spec.tags?.find((x) => x.name === 'b')?.from as { name: string }).name, 'quay.io/x/y:b2');
    });

    it('$patch: delete removes a tag; $setElementOrder and null work as kubectl sends them', async () => {
      const r = await t.client.patch(path('smp'), { spec: { '$setElementOrder/tags': [{ name: 'a' }, { name: 'b' }], tags: [{ $patch: 'delete', name: 'c' }] }, metadata: { labels: null } }, SMP);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(tagNames(r.json<Obj>()).sort(), ['a', 'b']);
    });

    it('status.tags merge by tag on the status subresource', async () => {
      const status = { tags: [{ tag: 'a', items: [{ created: '2024-01-01T00:00:00Z', dockerImageReference: 'quay.io/x/y@sha256:' + 'a'.repeat(64), image: 'sha256:' + 'a'.repeat(64), generation: 2 }] }] };
      const first = await t.client.patch(`${path('smp')}/status`, { status }, SMP);
      assert.equal(first.status, 200, first.text);
      const second = await t.client.patch(`${path('smp')}/status`, { status: { tags: [{ tag: 'b', items: [{ created: '2024-01-01T00:00:00Z', dockerImageReference: 'quay.io/x/y@sha256:' + 'b'.repeat(64), image: 'sha256:' + 'b'.repeat(64), generation: 2 }] }] } }, SMP);
      assert.equal(second.status, 200, second.text);
      const tags = (second.json<{ status: { tags: { tag: string }[] } }>().status.tags ?? []).map((x) => x.tag).sort();
      assert.deepEqual(tags, ['a', 'b']);
    });

    it("the garbage collector's ownerReferences patch: $patch delete by uid, guarded by the object's uid", async () => {
      const owners = [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'o1', uid: '11111111-1111-1111-1111-111111111111' },
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'o2', uid: '22222222-2222-2222-2222-222222222222' },
      ];
      const created = await t.client.post(path(), imageStream('owned', { metadata: { ownerReferences: owners } }));
      assert.equal(created.status, 201, created.text);
      const uid = String(created.json<Obj>().metadata.uid);
      assert.deepEqual(created.json<Obj>().metadata.ownerReferences, owners, 'ownerReferences are preserved');
      const wrong = await t.client.patch(path('owned'), { metadata: { ownerReferences: [{ $patch: 'delete', uid: owners[0].uid }], uid: 'not-the-uid' } }, SMP);
      assert.equal(wrong.status, 422, wrong.text);
      const r = await t.client.patch(path('owned'), { metadata: { ownerReferences: [{ $patch: 'delete', uid: owners[0].uid }], uid } }, SMP);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json<Obj>().metadata.ownerReferences, [owners[1]]);
    });

    it('unknown patch content types: 415 in the two forms kube-apiserver uses', async () => {
      const cbor = await t.client.request('PATCH', path('smp'), { rawBody: '{}', contentType: 'application/apply-patch+cbor' });
      assert.equal(cbor.status, 415);
      assert.equal(cbor.json().message, '415: Unsupported Media Type');
    });
  });

  describe('managedFields of create, update and patch', () => {
    it('a create with only a name records no managedFields, nor do later patches', async () => {
      const r = await t.client.post(path(), { metadata: { name: 'bare' } }, { 'User-Agent': 'curl/8.5.0' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json<Obj>().metadata.managedFields, undefined);
      const p = await t.client.request('PATCH', path('bare'), { body: { metadata: { labels: { a: 'b' } }, spec: { lookupPolicy: { local: true } } }, contentType: 'application/merge-patch+json' });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json<Obj>().metadata.managedFields, undefined);
      const s = await t.client.request('PATCH', `${path('bare')}/status`, { body: { metadata: { labels: { c: 'd' } } }, contentType: 'application/merge-patch+json' });
      assert.equal(s.json<Obj>().metadata.managedFields, undefined);
    });

    it('a create that sets a field records an Update entry for the User-Agent up to "/"', async () => {
      const r = await t.client.post(path(), { metadata: { name: 'tracked' }, spec: { lookupPolicy: { local: true } } }, { 'User-Agent': 'curl/8.5.0' });
      assert.equal(r.status, 201, r.text);
      const [entry] = r.json<Obj>().metadata.managedFields ?? [];
      assert.equal(entry.manager, 'curl');
      assert.equal(entry.operation, 'Update');
      assert.equal(entry.apiVersion, 'image.openshift.io/v1');
      assert.match(String(entry.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(entry.fieldsType, 'FieldsV1');
      assert.deepEqual(entry.fieldsV1, { 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } });
      assert.equal(entry.subresource, undefined);
    });

    it('updates extend their manager; the status subresource gets its own entry', async () => {
      const r = await t.client.request('PATCH', `${path('tracked')}?fieldManager=labeler`, { body: { metadata: { labels: { a: 'b' } } }, contentType: 'application/merge-patch+json' });
      const managers = (r.json<Obj>().metadata.managedFields ?? []).map((m) => m.manager);
      assert.deepEqual(managers, ['curl', 'labeler']);
      const s = await t.client.request('PATCH', `${path('tracked')}/status?fieldManager=status-writer`, {
        body: { status: { tags: [{ tag: 'x', items: [{ created: '2024-01-01T00:00:00Z', dockerImageReference: 'quay.io/x/y@sha256:' + 'c'.repeat(64), image: 'sha256:' + 'c'.repeat(64), generation: 1 }] }] } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(s.status, 200, s.text);
      const entry = (s.json<Obj>().metadata.managedFields ?? []).find((m) => m.manager === 'status-writer');
      assert.equal(entry?.subresource, 'status');
    });

    it("kubectl --server-side's migration: a JSON patch that replaces managedFields is kept as sent", async () => {
      const cur = await get('tracked');
      const migrated = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'image.openshift.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } } }];
      const r = await t.client.request('PATCH', `${path('tracked')}?fieldManager=kubectl`, {
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: cur.metadata.resourceVersion },
          { op: 'replace', path: '/metadata/managedFields', value: migrated },
        ],
        contentType: 'application/json-patch+json',
      });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(
        (r.json<Obj>().metadata.managedFields ?? []).map((m) => [m.manager, m.operation]),
        [['kubectl', 'Apply']],
      );
    });
  });

  describe('server-side apply', () => {
    const config = (labels: Record<string, string>, local: boolean, tags: Record<string, unknown>[] = []) => ({
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'ssa', labels },
      spec: { lookupPolicy: { local }, tags },
    });

    it('apply needs a fieldManager; force is only for apply', async () => {
      const r = await apply('ssa', config({}, true), '');
      assert.equal(r.status, 422);
      assert.equal(r.json().message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const f = await t.client.request('PATCH', `${path('smp')}?force=true`, { body: {}, contentType: 'application/merge-patch+json' });
      assert.equal(f.status, 422);
      assert.equal(f.json().message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    });

    it('apply on a missing object creates it (201) owned by an Apply entry', async () => {
      const r = await apply('ssa', config({ l1: 'a' }, true, [dockerTag('t1', 'quay.io/x/y:1')]), 'fieldManager=mgr-a');
      assert.equal(r.status, 201, r.text);
      const [entry] = r.json<Obj>().metadata.managedFields ?? [];
      assert.equal(entry.manager, 'mgr-a');
      assert.equal(entry.operation, 'Apply');
      assert.deepEqual(entry.fieldsV1, {
        'f:metadata': { 'f:labels': { 'f:l1': {} } },
        'f:spec': { 'f:lookupPolicy': { 'f:local': {} }, 'f:tags': { 'k:{"name":"t1"}': { '.': {}, 'f:from': {}, 'f:name': {} } } },
      });
    });

    it('a second manager changing those fields conflicts (409) unless forced', async () => {
      const r = await apply('ssa', config({ l1: 'b' }, false), 'fieldManager=mgr-b');
      assert.equal(r.status, 409, r.text);
      const s = r.json<{ message: string; reason: string; details: { causes: Record<string, string>[] } }>();
      assert.equal(s.reason, 'Conflict');
      assert.equal(s.message, 'Apply failed with 2 conflicts: conflicts with "mgr-a":\n- .metadata.labels.l1\n- .spec.lookupPolicy.local');
      assert.deepEqual(s.details.causes[0], { reason: 'FieldManagerConflict', message: 'conflict with "mgr-a"', field: '.metadata.labels.l1' });
      const forced = await apply('ssa', config({ l1: 'b' }, false), 'fieldManager=mgr-b&force=true');
      assert.equal(forced.status, 200, forced.text);
      const o = forced.json<Obj>();
      assert.deepEqual(o.metadata.labels, { l1: 'b' });
      const owners = Object.fromEntries((o.metadata.managedFields ?? []).map((m) => [m.manager, JSON.stringify(m.fieldsV1)]));
      assert.match(owners['mgr-b'], /f:l1/);
      assert.doesNotMatch(owners['mgr-a'], /f:l1|f:local/, 'mgr-a lost the fields to the forced apply');
    });

    it('a conflict with an Update manager names its apiVersion', async () => {
      await t.client.request('PATCH', `${path('ssa')}?fieldManager=editor`, { body: { metadata: { labels: { l2: 'e' } } }, contentType: 'application/merge-patch+json' });
      const r = await apply('ssa', config({ l1: 'b', l2: 'x' }, false), 'fieldManager=mgr-b');
      assert.equal(r.status, 409);
      assert.equal(r.json().message, 'Apply failed with 1 conflict: conflict with "editor" using image.openshift.io/v1: .metadata.labels.l2');
    });

    it('a tag the manager stops applying is removed', async () => {
      const r = await apply('ssa', config({ l1: 'a' }, true, [dockerTag('t2', 'quay.io/x/y:2')]), 'fieldManager=mgr-a&force=true');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(tagNames(r.json<Obj>()), ['t2']);
    });

    it('unknown fields in an applied configuration are the typed-patch error; apiVersion must match', async () => {
      const bad = { ...config({}, true), spec: { foo: 1 } };
      const r = await apply('ssa', bad, 'fieldManager=mgr-a');
      assert.equal(r.status, 400);
      assert.equal(r.json().message, 'failed to create typed patch object (patching/ssa; image.openshift.io/v1, Kind=ImageStream): .spec.foo: field not declared in schema');
      const v = await apply('ssa', { ...config({}, true), apiVersion: 'image.openshift.io/v2' }, 'fieldManager=mgr-a');
      assert.equal(v.status, 400);
      assert.equal(v.json().message, 'Incorrect version specified in apply patch. Specified patch version: image.openshift.io/v2, expected: image.openshift.io/v1');
    });

    it("kubectl's server-side apply rewrites an existing last-applied annotation as Go encodes it, ending with a newline", async () => {
      const created = await t.client.post(path(), imageStream('csa', { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } } }));
      assert.equal(created.status, 201, created.text);
      const applied = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'csa', annotations: { z: '1', a: '<&>' } }, spec: { lookupPolicy: { local: true } } };
      const r = await apply('csa', applied, 'fieldManager=kubectl');
      assert.equal(r.status, 200, r.text);
      const annotations = r.json<Obj>().metadata.annotations as Record<string, string>;
      assert.equal(
        annotations['kubectl.kubernetes.io/last-applied-configuration'],
        '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"annotations":{"a":"\\u003c\\u0026\\u003e","z":"1"},"name":"csa"},"spec":{"lookupPolicy":{"local":true}}}\n',
      );
    });

    it('a YAML body works too', async () => {
      const yaml = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: from-yaml\nspec:\n  lookupPolicy:\n    local: true\n';
      const r = await t.client.request('PATCH', `${path('from-yaml')}?fieldManager=yaml-user`, { rawBody: yaml, contentType: APPLY });
      assert.equal(r.status, 201, r.text);
      assert.equal((r.json<Obj>().spec.lookupPolicy as { local: boolean }).local, true);
    });
  });
});
