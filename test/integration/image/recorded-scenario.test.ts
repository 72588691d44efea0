// The scenario openshift-apiserver was recorded with (stream ubuntu in team-a, a mapping of the
// amd64 fixture to latest, a reference tag and a tracking tag), replayed here: every response
// must match the recording apart from uids, times, resourceVersions and managedFields.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { recorded } from '../../support/reference.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { ns, scrub, type Obj } from './helpers.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const DIGEST = 'sha256:ca013ac5c09f9a9f6db8370c1b759a29fe997d64d6591e9a75b71748858f7da0';

describe('the recorded team-a/ubuntu scenario', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer({ internalRegistryHostname: 'defaultregistry:5000' });
    const s = await t.client.post(ns('team-a', 'imagestreams'), recorded('request-create-imagestream.json'));
    assert.equal(s.status, 201, s.text);
  });
  after(async () => t?.stop());

  it('the mapping answers 201 with a bare Success Status', async () => {
    const r = await t.client.post(ns('team-a', 'imagestreammappings'), recorded('request-create-imagestreammapping.json'));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json(), recorded('create-imagestreammapping.json'));
  });

  it('the stream has history for the mapped, the reference and the tracking tag', async () => {
    const r = await t.client.get(ns('team-a', 'imagestreams', 'ubuntu'));
    assert.deepEqual(scrub(r.json()), scrub(recorded('get-imagestream.json')));
  });

  for (const [path, file] of [
    ['imagestreamtags/ubuntu:latest', 'get-imagestreamtag.json'],
    ['imagestreamtags/ubuntu:stable', 'get-imagestreamtag-tracking-stable.json'],
    ['imagetags/ubuntu:latest', 'get-imagetag.json'],
    ['imagetags/ubuntu:18.04', 'get-imagetag-reference-18.04.json'],
    [`imagestreamimages/ubuntu@${DIGEST}`, 'get-imagestreamimage.json'],
    ['imagestreams/ubuntu/layers', 'get-imagestream-layers.json'],
    ['imagestreams/ubuntu/secrets', 'get-imagestream-secrets.json'],
  ] as const) {
    it(`GET ${path} matches ${file}`, async () => {
      const r = await t.client.get(`/apis/image.openshift.io/v1/namespaces/team-a/${path}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(scrub(r.json()), scrub(recorded(file)));
    });
  }

  it('the stream metadata of istag and itag is the stream\'s (uid, resourceVersion)', async () => {
    const is = (await t.client.get(ns('team-a', 'imagestreams', 'ubuntu'))).json<Obj>();
    const istag = (await t.client.get(ns('team-a', 'imagestreamtags', 'ubuntu:latest'))).json<Obj>();
    const itag = (await t.client.get(ns('team-a', 'imagetags', 'ubuntu:latest'))).json<Obj>();
    for (const o of [istag, itag]) {
      assert.equal(o.metadata.uid, is.metadata.uid);
      assert.equal(o.metadata.resourceVersion, is.metadata.resourceVersion);
    }
    assert.equal(itag.metadata.creationTimestamp, is.metadata.creationTimestamp);
  });

  for (const [resource, file] of [
    ['imagestreamtags', 'list-imagestreamtags.json'],
    ['imagetags', 'list-imagetags.json'],
  ] as const) {
    it(`LIST ${resource} matches ${file}`, async () => {
      const r = await t.client.get(ns('team-a', resource));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(scrub(r.json()), scrub(recorded(file)));
    });
  }

  for (const [path, file] of [
    ['imagestreamtags', 'table-imagestreamtags.json'],
    ['imagetags', 'table-imagetags.json'],
    [`imagestreamimages/ubuntu@${DIGEST}`, 'table-imagestreamimage.json'],
  ] as const) {
    it(`Table of ${path} has OpenShift's columns and cells (${file})`, async () => {
      const r = await t.client.get(`/apis/image.openshift.io/v1/namespaces/team-a/${path}`, { Accept: TABLE });
      assert.equal(r.status, 200, r.text);
      const got = r.json<{ columnDefinitions: unknown[]; rows: { cells: unknown[] }[] }>();
      const want = recorded<{ columnDefinitions: unknown[]; rows: { cells: unknown[] }[] }>(file);
      assert.deepEqual(got.columnDefinitions, want.columnDefinitions);
      // "1 second ago" in the recording: anything "<n> <unit> ago" here.
      const relative = (cells: unknown[]): unknown[] => cells.map((c) => (typeof c === 'string' && / ago$/.test(c) ? 'ago' : c));
      assert.deepEqual(
        got.rows.map((row) => relative(row.cells)),
        want.rows.map((row) => relative(row.cells)),
      );
      assert.deepEqual(scrub(got.rows.map((row) => (row as Record<string, unknown>).object)), scrub(want.rows.map((row) => (row as Record<string, unknown>).object)));
    });
  }

  for (const [path, file] of [
    ['imagestreamtags/ubuntu', 'status-400-imagestreamtag-name-without-colon.json'],
    ['imagetags/ubuntu', 'status-400-imagetag-name-without-colon.json'],
    ['imagestreamtags/ubuntu:nope', 'status-404-imagestreamtag-missing-tag.json'],
    [`imagestreamimages/ubuntu@sha256:${'0'.repeat(64)}`, 'status-404-imagestreamimage-unknown-digest.json'],
  ] as const) {
    it(`GET ${path} answers ${file}`, async () => {
      const r = await t.client.get(`/apis/image.openshift.io/v1/namespaces/team-a/${path}`);
      const want = recorded<{ code: number }>(file);
      assert.equal(r.status, want.code);
      assert.deepEqual(r.json(), want);
    });
  }

  it('spec tag resolution errors are one InternalError cause on "[]" (recorded 422s)', async () => {
    for (const file of ['status-422-imagestream-invalid-imagestreamtag-reference.json', 'status-422-imagestream-invalid-tag-reference.json']) {
      const r = await t.client.post(ns('team-a', 'imagestreams'), recorded(`request-${file}`));
      assert.equal(r.status, 422, r.text);
      assert.deepEqual(r.json(), recorded(file), file);
    }
  });
});
