// §6 over HTTP: ImageStreamMapping validation and its messages, the stream lookup (never created),
// the Image created once and never modified, the default pull spec from the internal registry,
// signatures dropped, the managed-image reference rewrite, and no spec tags.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { amd64Image, AMD64_DIGEST, cluster, fakeDigest, history, imageBody, mapping, ns, stream, type Obj, type StreamJSON } from './helpers.js';

const NS = 'ism';
const INTERNAL = 'registry.internal:5000';

describe('imagestreammappings (§6)', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer({ internalRegistryHostname: INTERNAL });
    await t.client.post(ns(NS, 'imagestreams'), stream('app'));
  });
  after(async () => t?.stop());

  const post = (body: Record<string, unknown>): ReturnType<typeof t.client.post> => t.client.post(ns(NS, 'imagestreammappings'), body);

  it('validation: tag required, the image validated under "image."', async () => {
    const r = await post({ metadata: { name: 'app' }, image: { metadata: {}, dockerImageReference: '' } });
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      'ImageStreamMapping.image.openshift.io "app" is invalid: [tag: Required value, image.metadata.name: Required value: name or generateName is required]',
    );
    const noName = await post({ metadata: {}, tag: 'x', image: { metadata: { name: 'i' }, dockerImageReference: 'quay.io/a/b' } });
    assert.equal(noName.status, 422);
    assert.equal(
      noName.json().message,
      'ImageStreamMapping.image.openshift.io "" is invalid: [metadata.name: Required value: name or generateName is required, name: Required value, dockerImageRepository: Required value]',
    );
    const badRef = await post(mapping('app', 'x', imageBody('i', 'Not A Ref')));
    assert.equal(badRef.status, 422);
    assert.equal(badRef.json().message, 'ImageStreamMapping.image.openshift.io "app" is invalid: image.dockerImageReference: Invalid value: "Not A Ref": invalid reference format');
  });

  it('a namespace in the body other than the URL\'s is 400; a missing stream 404 named after the mapping', async () => {
    const other = await post(mapping('app', 'x', imageBody('i', 'quay.io/a/b'), 'elsewhere'));
    assert.equal(other.status, 400);
    assert.equal(other.json().message, 'the namespace of the provided object does not match the namespace sent on the request');
    const missing = await post(mapping('nosuch', 'x', imageBody('i', 'quay.io/a/b')));
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'imagestreammappings.image.openshift.io "nosuch" not found');
    assert.equal((await t.client.get(ns(NS, 'imagestreams', 'nosuch'))).status, 404, 'streams are never created by a mapping');
  });

  it('without a reference, the image gets <internal registry>/<ns>/<stream>@<image>; signatures are dropped; metadata derived', async () => {
    const body = amd64Image('');
    delete body.dockerImageReference;
    body.signatures = [{ metadata: { name: `${AMD64_DIGEST}@sig` }, type: 'AtomicImageV1', content: 'c2ln' }];
    const r = await post(mapping('app', 'latest', body));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const image = (await t.client.get(cluster('images', AMD64_DIGEST))).json<Obj>();
    assert.equal(image.dockerImageReference, `${INTERNAL}/${NS}/app@${AMD64_DIGEST}`);
    assert.equal(image.signatures, undefined);
    assert.equal((image.dockerImageMetadata as Obj).Size, 26727512);
    const s = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.deepEqual(history(s, 'latest'), [[`${INTERNAL}/${NS}/app@${AMD64_DIGEST}`, AMD64_DIGEST, 1]]);
    assert.equal(s.spec.tags, undefined, 'no spec tag is created');
  });

  it('an existing Image is never modified; the event still uses the mapping\'s reference', async () => {
    const r = await post(mapping('app', 'other', amd64Image('quay.io/elsewhere/app:1')));
    assert.equal(r.status, 201, r.text);
    const image = (await t.client.get(cluster('images', AMD64_DIGEST))).json<Obj>();
    assert.equal(image.dockerImageReference, `${INTERNAL}/${NS}/app@${AMD64_DIGEST}`);
    const s = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.deepEqual(history(s, 'other'), [['quay.io/elsewhere/app:1', AMD64_DIGEST, 1]]);
  });

  it('an existing managed Image is referenced through this stream\'s repository', async () => {
    const img = fakeDigest('7');
    const body = imageBody(img, `quay.io/x/y@${img}`, { metadata: { name: img, annotations: { 'openshift.io/image.managed': 'true' } } });
    assert.equal((await t.client.post(cluster('images'), body)).status, 201);
    await t.client.post(ns(NS, 'imagestreams'), stream('managed'));
    assert.equal((await post(mapping('managed', 'latest', body))).status, 201);
    const s = (await t.client.get(ns(NS, 'imagestreams', 'managed'))).json<StreamJSON>();
    assert.deepEqual(history(s, 'latest'), [[`${INTERNAL}/${NS}/managed@${img}`, img, 1]]);
  });

  it('no tag in the request defaults to latest only after validation requires one; dry run writes nothing', async () => {
    const dry = await t.client.post(`${ns(NS, 'imagestreammappings')}?dryRun=All`, mapping('app', 'dry', imageBody(fakeDigest('9'), 'quay.io/a/dry')));
    assert.equal(dry.status, 201, dry.text);
    const s = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.deepEqual(history(s, 'dry'), []);
    assert.equal((await t.client.get(cluster('images', fakeDigest('9')))).status, 404);
  });

  it('get, list, update and delete are not served: 405 on the collection (it takes POST), 404 on a name (no route)', async () => {
    assert.equal((await t.client.get(ns(NS, 'imagestreammappings'))).status, 405);
    const byName = await t.client.get(ns(NS, 'imagestreammappings', 'app'));
    assert.equal(byName.status, 404);
    assert.equal(byName.json<{ message: string }>().message, 'the server could not find the requested resource');
    assert.equal((await t.client.delete(ns(NS, 'imagestreammappings', 'app'))).status, 404);
  });
});
