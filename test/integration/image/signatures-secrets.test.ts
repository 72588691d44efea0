// §3 and §4.8 over HTTP: ImageSignatures added to and removed from an Image (names, duplicates,
// server-filled fields, validation, condition lists that crash OpenShift), and
// imagestreams/<name>/secrets (pull secret types, the exclude annotation, list options honoured).

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { InMemorySecrets } from '../../../src/image/collaborators.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { cluster, fakeDigest, imageBody, ns, type Obj } from './helpers.js';

const IMG = fakeDigest('5');
const sig = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageSignature',
  metadata: { name },
  type: 'AtomicImageV1',
  content: Buffer.from(`signature of ${name}`).toString('base64'),
  ...extra,
});

describe('imagesignatures (§3)', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer();
    assert.equal((await t.client.post(cluster('images'), imageBody(IMG, `quay.io/o/signed@${IMG}`))).status, 201);
  });
  after(async () => t?.stop());

  it('create appends the signature to the Image and answers 201 with it; server-filled fields are dropped', async () => {
    const r = await t.client.post(cluster('imagesignatures'), sig(`${IMG}@first`, { imageIdentity: 'forged', conditions: [{ type: 'Trusted', status: 'True' }], issuedBy: { commonName: 'me' } }));
    assert.equal(r.status, 201, r.text);
    const o = r.json<Obj>();
    assert.equal(o.kind, 'ImageSignature');
    assert.equal(o.metadata.name, `${IMG}@first`);
    assert.match(String(o.metadata.uid), /^[0-9a-f-]{36}$/);
    assert.equal(o.imageIdentity, undefined);
    assert.equal(o.conditions, undefined);
    assert.equal(o.issuedBy, undefined);
    const image = (await t.client.get(cluster('images', IMG))).json<{ signatures: Obj[] }>();
    assert.deepEqual(image.signatures.map((s) => (s.metadata as Obj).name), [`${IMG}@first`]);
  });

  it('the same name or the same type and content again is 409 AlreadyExists (imageSignatures)', async () => {
    const byName = await t.client.post(cluster('imagesignatures'), sig(`${IMG}@first`, { content: 'b3RoZXI=' }));
    assert.equal(byName.status, 409);
    assert.equal(byName.json().message, `imageSignatures.image.openshift.io "${IMG}@first" already exists`);
    const byContent = await t.client.post(cluster('imagesignatures'), { ...sig(`${IMG}@copy`), content: sig(`${IMG}@first`).content });
    assert.equal(byContent.status, 409);
  });

  it('validation: name format, type and content required, no labels', async () => {
    const r = await t.client.post(cluster('imagesignatures'), { metadata: { name: 'nosig', labels: { a: 'b' } } });
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      'ImageSignature.image.openshift.io "nosig" is invalid: [metadata.labels: Forbidden: signature labels cannot be set, metadata.name: Invalid value: "nosig": name must be of format <imageName>@<signatureName>, type: Required value, content: Required value]',
    );
  });

  it('a missing Image is 404 (images)', async () => {
    const r = await t.client.post(cluster('imagesignatures'), sig(`${fakeDigest('6')}@x`));
    assert.equal(r.status, 404);
    assert.equal(r.json().message, `images.image.openshift.io "${fakeDigest('6')}" not found`);
  });

  it('delete removes the signature keeping the others in order; unknown 404; bad names 400', async () => {
    for (const n of ['second', 'third']) assert.equal((await t.client.post(cluster('imagesignatures'), sig(`${IMG}@${n}`))).status, 201);
    const r = await t.client.delete(cluster('imagesignatures', `${IMG}@second`));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().status, 'Success');
    const image = (await t.client.get(cluster('images', IMG))).json<{ signatures: Obj[] }>();
    assert.deepEqual(image.signatures.map((s) => (s.metadata as Obj).name), [`${IMG}@first`, `${IMG}@third`]);
    const again = await t.client.delete(cluster('imagesignatures', `${IMG}@second`));
    assert.equal(again.status, 404);
    assert.equal(again.json().message, `imageSignatures.image.openshift.io "${IMG}@second" not found`);
    const bad = await t.client.delete(cluster('imagesignatures', 'no-at-sign'));
    assert.equal(bad.status, 400);
    assert.equal(bad.json().message, 'ImageSignatures must be accessed with <imageName>@<signatureName>');
  });

  it('an out-of-order condition list in an Image\'s signatures is 422 (OpenShift crashes with 500)', async () => {
    const image = (await t.client.get(cluster('images', IMG))).json<Obj & { signatures: Obj[] }>();
    image.signatures[0] = { ...image.signatures[0], conditions: [{ type: 'Expired', status: 'True' }] };
    const r = await t.client.put(cluster('images', IMG), image);
    assert.equal(r.status, 422, r.text);
    assert.match(r.json().message as string, /signatures\[0\]\.conditions: Invalid value: .*must not come before the "ForImage" condition/);
  });

  it('get and list are not served', async () => {
    assert.equal((await t.client.get(cluster('imagesignatures', `${IMG}@first`))).status, 405);
    assert.equal((await t.client.get(cluster('imagesignatures'))).status, 405);
  });
});

describe('imagestreams/<name>/secrets (§4.8)', () => {
  let t: ImageTestServer;
  let empty: ImageTestServer;
  const secrets = new InMemorySecrets();
  before(async () => {
    secrets.set('sec', [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cfg', labels: { use: 'pull' } }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': 'e30=' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'json', labels: { use: 'other' } }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque' }, type: 'Opaque', data: {} },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'excluded', annotations: { 'openshift.io/image.excludeSecret': 'true' } }, type: 'kubernetes.io/dockercfg', data: {} },
    ]);
    t = await startImageTestServer({ pullSecrets: secrets });
    empty = await startImageTestServer();
  });
  after(async () => {
    await t?.stop();
    await empty?.stop();
  });

  it('lists the pull secrets of the namespace (the stream need not exist) as an image.openshift.io SecretList', async () => {
    const r = await t.client.get(ns('sec', 'imagestreams', 'whatever/secrets'));
    assert.equal(r.status, 200, r.text);
    const o = r.json<{ kind: string; apiVersion: string; metadata: Obj; items: Obj[] }>();
    assert.equal(o.kind, 'SecretList');
    assert.equal(o.apiVersion, 'image.openshift.io/v1');
    assert.match(String(o.metadata.resourceVersion), /^\d+$/);
    assert.deepEqual(o.items.map((s) => s.metadata.name), ['cfg', 'json']);
    assert.equal(o.items[0]?.kind, undefined, 'items carry no kind (as in a typed list)');
    assert.deepEqual(o.items[0]?.data, { '.dockercfg': 'e30=' });
  });

  it('honours labelSelector and fieldSelector (OpenShift ignores them)', async () => {
    const byLabel = (await t.client.get(`${ns('sec', 'imagestreams', 'x/secrets')}?labelSelector=use%3Dpull`)).json<{ items: Obj[] }>();
    assert.deepEqual(byLabel.items.map((s) => s.metadata.name), ['cfg']);
    const byField = (await t.client.get(`${ns('sec', 'imagestreams', 'x/secrets')}?fieldSelector=metadata.name%3Djson`)).json<{ items: Obj[] }>();
    assert.deepEqual(byField.items.map((s) => s.metadata.name), ['json']);
    const bad = await t.client.get(`${ns('sec', 'imagestreams', 'x/secrets')}?labelSelector=%3D%3D`);
    assert.equal(bad.status, 400);
  });

  it('without a secret source (local mode) the list is empty', async () => {
    const r = await empty.client.get(ns('sec', 'imagestreams', 'x/secrets'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { kind: 'SecretList', apiVersion: 'image.openshift.io/v1', metadata: {}, items: [] });
  });
});
