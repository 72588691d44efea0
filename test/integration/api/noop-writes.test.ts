// Writes that change nothing write nothing, and managedFields describe the object as stored (after
// defaulting and the canonical form), as openshift-apiserver's field manager does: a field that is
// never stored is never owned, and entries of removed list items go with them.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { dockerTag, imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = {
  metadata: { resourceVersion: string; annotations?: Record<string, string>; labels?: Record<string, string>; managedFields?: { manager: string; operation: string; fieldsV1?: unknown }[] };
  spec: { tags?: Record<string, unknown>[] };
};

const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const NS = 'noop';

describe('writes that change nothing, and managedFields of the stored object', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  const path = (name: string, q = ''): string => `${nsPath(NS, 'imagestreams', name)}${q}`;
  const get = async (name: string): Promise<Obj> => (await t.client.get(path(name))).json<Obj>();
  const managers = (o: Obj): string[] => (o.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
  const create = async (name: string, extra: Record<string, unknown> = {}): Promise<Obj> => {
    const r = await t.client.post(`${nsPath(NS, 'imagestreams')}?fieldManager=kubectl-create`, imageStream(name, { spec: { tags: [dockerTag('latest', 'quay.io/x/y:latest')] }, ...extra }));
    assert.equal(r.status, 201, r.text);
    return r.json<Obj>();
  };

  it('a patch that sets only a defaulted zero value writes nothing and owns nothing', async () => {
    const created = await create('zero');
    const r = await t.client.request('PATCH', path('zero', '?fieldManager=kubectl-patch'), {
      rawBody: JSON.stringify({ spec: { tags: [{ name: 'latest', importPolicy: { scheduled: false } }] } }),
      contentType: SMP,
    });
    assert.equal(r.status, 200, r.text);
    const o = r.json<Obj>();
    assert.equal(o.metadata.resourceVersion, created.metadata.resourceVersion, 'no new resourceVersion');
    assert.deepEqual(managers(o), ['kubectl-create/Update']);
    assert.doesNotMatch(JSON.stringify(o.metadata.managedFields), /f:scheduled/);
  });

  it('then a server-side apply of the same value does not conflict', async () => {
    const config = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'zero' }, spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/x/y:latest' }, importPolicy: { scheduled: false } }] } };
    const r = await t.client.request('PATCH', path('zero', '?fieldManager=kubectl'), { rawBody: JSON.stringify(config), contentType: APPLY });
    assert.equal(r.status, 200, r.text);
  });

  it('an update that sends the object back unchanged writes nothing', async () => {
    const created = await create('same');
    const r = await t.client.put(path('same'), created);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json<Obj>().metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('entries of a deleted tag disappear from managedFields', async () => {
    await create('gone');
    const added = await t.client.request('PATCH', path('gone', '?fieldManager=kubectl-patch'), {
      rawBody: JSON.stringify({ spec: { tags: [dockerTag('extra', 'quay.io/x/y:extra')] } }),
      contentType: SMP,
    });
    assert.equal(added.status, 200, added.text);
    assert.match(JSON.stringify(added.json<Obj>().metadata.managedFields), /k:\{\\"name\\":\\"extra\\"\}/);
    const removed = await t.client.request('PATCH', path('gone', '?fieldManager=kubectl-edit'), {
      rawBody: JSON.stringify({ spec: { tags: [{ $patch: 'delete', name: 'extra' }, { $patch: 'delete', name: 'latest' }] } }),
      contentType: SMP,
    });
    assert.equal(removed.status, 200, removed.text);
    const o = removed.json<Obj>();
    assert.doesNotMatch(JSON.stringify(o.metadata.managedFields ?? []), /k:\{\\"name\\"/);
    assert.doesNotMatch(JSON.stringify(o.metadata.managedFields ?? []), /f:tags/);
  });

  it('removing the last annotation or label drops the empty map, as Go omitempty does', async () => {
    await create('maps', { metadata: { annotations: { a: '1' }, labels: { l: '1' } } });
    const r = await t.client.patch(path('maps'), { metadata: { annotations: { a: null }, labels: { l: null } } }, MERGE);
    assert.equal(r.status, 200, r.text);
    const o = r.json<Obj>();
    assert.equal('annotations' in o.metadata, false, JSON.stringify(o.metadata));
    assert.equal('labels' in o.metadata, false);
    const stored = await get('maps');
    assert.equal('annotations' in stored.metadata, false);
  });

  it('empty omitempty lists and maps in spec are dropped too', async () => {
    await create('lists');
    const r = await t.client.patch(path('lists'), { spec: { tags: [] } }, MERGE);
    assert.equal(r.status, 200, r.text);
    assert.equal('tags' in r.json<Obj>().spec, false, JSON.stringify(r.json<Obj>().spec));
  });
});
