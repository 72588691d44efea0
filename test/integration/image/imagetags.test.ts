// §8 over HTTP: ImageTag names and 404 rules, the stream's metadata, history and image (null when
// missing), create (spec required, spec.name must match), PUT/PATCH (metadata and status must be
// echoed, spec changes work, spec null removes the spec tag), delete, list and Table cells.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { dockerRef, fakeDigest, GROUP_PATH, history, imageBody, istRef, mapping, ns, stream, type Obj, type StreamJSON } from './helpers.js';

const NS = 'itag';
const A = fakeDigest('a');
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

describe('imagetags (§8)', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer();
    await t.client.post(ns(NS, 'imagestreams'), stream('base'));
    await t.client.post(
      ns(NS, 'imagestreams'),
      stream(
        'app',
        [
          dockerRef('tagged', 'quay.io/o/app:1'),
          dockerRef('ref', 'quay.io/o/app:2', { reference: true }),
          dockerRef('sched', 'quay.io/o/app:3', { importPolicy: { scheduled: true } }),
          istRef('track', 'latest'),
          istRef('other', 'base:latest'),
          { name: 'nofrom' },
        ],
        { metadata: { labels: { team: 'a' }, annotations: { owner: 'me' } } },
      ),
    );
    assert.equal((await t.client.post(ns(NS, 'imagestreammappings'), mapping('app', 'latest', imageBody(A, `quay.io/o/app@${A}`)))).status, 201);
  });
  after(async () => t?.stop());

  const url = (name = ''): string => ns(NS, 'imagetags', name);

  it('names without exactly one ":" are 400; a missing stream 404; a tag with neither spec nor status 404', async () => {
    for (const name of ['app', 'a:b:c', 'app@x']) {
      const r = await t.client.get(url(name));
      assert.equal(r.status, 400);
      assert.equal(r.json().message, 'ImageTags must be retrieved with <name>:<tag>');
    }
    const stream404 = await t.client.get(url('nosuch:x'));
    assert.equal(stream404.json().message, 'imagetags.image.openshift.io "nosuch" not found');
    const tag404 = await t.client.get(url('app:never'));
    assert.equal(tag404.status, 404);
    assert.equal(tag404.json().message, 'imagetags.image.openshift.io "app:never" not found');
  });

  it('a spec-only tag is readable (status null, image null); metadata is the stream\'s', async () => {
    const is = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    const o = (await t.client.get(url('app:tagged'))).json<Obj>();
    assert.equal(o.status, null);
    assert.equal(o.image, null);
    assert.deepEqual({ ...o.metadata, name: 'app' }, is.metadata);
  });

  it('a pushed tag shows its history and image; a deleted Image shows image: null', async () => {
    const o = (await t.client.get(url('app:latest'))).json<Obj>();
    assert.equal(o.spec, null);
    assert.equal(((o.status as Obj).items as unknown[]).length, 1);
    assert.equal(((o.image as Obj).metadata as Obj).name, A);
    const img = fakeDigest('e');
    await t.client.post(ns(NS, 'imagestreams'), stream('gone'));
    await t.client.post(ns(NS, 'imagestreammappings'), mapping('gone', 'latest', imageBody(img, `quay.io/o/gone@${img}`)));
    await t.client.delete(`${GROUP_PATH}/images/${img}`);
    const gone = await t.client.get(url('gone:latest'));
    assert.equal(gone.status, 200);
    assert.equal(gone.json().image, null);
  });

  it('create: spec required, spec.name must match the tag, the stream is created when missing', async () => {
    const noSpec = await t.client.post(url(), { metadata: { name: 'new:a' } });
    assert.equal(noSpec.status, 422);
    assert.equal(noSpec.json().message, 'ImageTag.image.openshift.io "new:a" is invalid: spec: Required value: spec is a required field during creation');
    const mismatch = await t.client.post(url(), { metadata: { name: 'new:a' }, spec: { name: 'b', from: { kind: 'DockerImage', name: 'quay.io/o/x:1' } } });
    assert.equal(mismatch.status, 422);
    assert.equal(mismatch.json().message, 'ImageTag.image.openshift.io "new:a" is invalid: spec.name: Invalid value: "b": must match image tag name');
    const ok = await t.client.post(url(), { metadata: { name: 'new:a' }, spec: { from: { kind: 'DockerImage', name: 'quay.io/o/x:1' }, reference: true } });
    assert.equal(ok.status, 201, ok.text);
    const o = ok.json<Obj>();
    assert.equal((o.spec as Obj).name, 'a');
    assert.equal((o.spec as Obj).generation, 1);
    assert.deepEqual((o.spec as Obj).importPolicy, { importMode: 'Legacy' });
    assert.equal(((o.status as Obj).items as unknown[]).length, 1);
    const dup = await t.client.post(url(), { metadata: { name: 'new:a' }, spec: { from: { kind: 'DockerImage', name: 'quay.io/o/x:1' } } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json().message, 'imagetags.image.openshift.io "new:a" already exists');
    const noColon = await t.client.post(url(), { metadata: { name: 'new' }, spec: { name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/o/x:1' } } });
    // Validation already refuses it: the tag part of a name without ":" is never the spec's name.
    assert.equal(noColon.status, 422, noColon.text);
    assert.equal(noColon.json().message, 'ImageTag.image.openshift.io "new" is invalid: spec.name: Invalid value: "latest": must match image tag name');
  });

  it('a PUT that changes the spec works when metadata and status are echoed (OpenShift rejects every one)', async () => {
    const cur = (await t.client.get(url('app:tagged'))).json<Obj>();
    const r = await t.client.put(url('app:tagged'), { ...cur, spec: { ...(cur.spec as Obj), from: { kind: 'DockerImage', name: 'quay.io/o/app:9' } } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((r.json<Obj>().spec as Obj).from, { kind: 'DockerImage', name: 'quay.io/o/app:9' });
    const byPatch = await t.client.patch(url('app:tagged'), { spec: { from: { name: 'quay.io/o/app:10' } } });
    assert.equal(byPatch.status, 200, byPatch.text);
    assert.equal(((byPatch.json<Obj>().spec as Obj).from as Obj).name, 'quay.io/o/app:10');
  });

  it('an update must not change metadata or status', async () => {
    const cur = (await t.client.get(url('app:latest'))).json<Obj>();
    const meta = await t.client.put(url('app:latest'), { ...cur, metadata: { ...cur.metadata, labels: { team: 'b' } } });
    assert.equal(meta.status, 422);
    assert.equal(meta.json().message, 'ImageTag.image.openshift.io "app:latest" is invalid: metadata: Invalid value: "": may not update fields other than spec');
    const status = await t.client.put(url('app:latest'), { ...cur, status: { tag: 'latest', items: [] } });
    assert.equal(status.status, 422);
    assert.equal(status.json().message, 'ImageTag.image.openshift.io "app:latest" is invalid: status: Invalid value: "": may not update fields other than spec');
  });

  it('spec: null removes the spec tag and keeps the history', async () => {
    await t.client.post(ns(NS, 'imagestreammappings'), mapping('app', 'ref', imageBody(A, `quay.io/o/app@${A}`)));
    const cur = (await t.client.get(url('app:ref'))).json<Obj>();
    const r = await t.client.put(url('app:ref'), { ...cur, spec: null });
    assert.equal(r.status, 200, r.text);
    const is = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.equal(is.spec.tags?.find((x) => x.name === 'ref'), undefined);
    assert.equal(history(is, 'ref').length, 2);
  });

  it('a blind PUT creates a missing stream and tag (201)', async () => {
    const r = await t.client.put(url('blind:one'), { metadata: { name: 'blind:one' }, spec: { name: 'one', from: { kind: 'DockerImage', name: 'quay.io/o/b:1' } } });
    assert.equal(r.status, 201, r.text);
    const is = (await t.client.get(ns(NS, 'imagestreams', 'blind'))).json<StreamJSON>();
    assert.equal(is.metadata.generation, 1);
  });

  it('delete removes spec and status; 404 when neither', async () => {
    assert.equal((await t.client.delete(url('new:a'))).status, 200);
    const again = await t.client.delete(url('new:a'));
    assert.equal(again.status, 404);
    assert.equal(again.json().message, 'imagetags.image.openshift.io "new:a" not found');
  });

  it('list: spec ∪ status tags of every stream, sorted, images not loaded', async () => {
    const list = (await t.client.get(`${url()}?labelSelector=team%3Da`)).json<{ metadata: unknown; items: Obj[] }>();
    assert.deepEqual(list.metadata, {});
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['app:latest', 'app:nofrom', 'app:other', 'app:ref', 'app:sched', 'app:tagged', 'app:track'],
    );
    assert.ok(list.items.every((i) => i.image === null));
  });

  it('Table cells follow printImageTag: Tag, Ref, Scheduled, Track, Push, istag sources, history count', async () => {
    const r = await t.client.get(`${url()}?labelSelector=team%3Da`, { Accept: TABLE });
    assert.equal(r.status, 200);
    const table = r.json<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>();
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Spec', 'Status', 'History', 'Updated']);
    const rows = Object.fromEntries(table.rows.map((row) => [row.cells[0], row.cells.slice(1, 4)]));
    assert.deepEqual(rows['app:latest'], ['Push', `image/${A}`, 1]);
    assert.deepEqual(rows['app:ref'], ['Push', `image/${A}`, 2]);
    assert.deepEqual(rows['app:sched'], ['Scheduled', 'quay.io/o/app:3', null]);
    assert.deepEqual(rows['app:tagged'], ['Tag', 'quay.io/o/app:10', null]);
    assert.deepEqual(rows['app:track'], ['Track', `image/${A}`, 1]);
    assert.deepEqual(rows['app:other'], ['Tag', 'istag/base:latest', null]);
    assert.deepEqual(rows['app:nofrom'], ['', '', null]);
  });
});
