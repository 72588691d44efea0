// §9 and §4.7 over HTTP: ImageStreamImage names, short-ID prefixes, an ambiguous prefix as 409
// listing the matches (OpenShift returns any one), manifest-list children; imagestreams/layers
// with blobs, configs, children and missing images, computed from the history's images only.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { Storage } from '../../../src/apiserver/storage/interfaces.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import {
  AMD64_CONFIG,
  AMD64_DIGEST,
  AMD64_MANIFEST,
  ARM64_DIGEST,
  cluster,
  fakeDigest,
  imageBody,
  LIST,
  LIST_DIGEST,
  MANIFEST_LIST,
  mapping,
  ns,
  SCHEMA2,
  stream,
  type Obj,
} from './helpers.js';

const NS = 'isi';
const AB1 = `sha256:ab1${'0'.repeat(61)}`;
const AB2 = `sha256:ab2${'0'.repeat(61)}`;

/** Counts reads of Images by key. */
function counting(reads: { gets: string[]; lists: string[] }): (s: Storage) => Storage {
  return (s) =>
    new Proxy(s, {
      get(target, prop, receiver) {
        if (prop === 'get') return (key: string, o?: unknown) => (reads.gets.push(key), target.get(key, o as never));
        if (prop === 'list') return (prefix: string, o?: unknown) => (reads.lists.push(prefix), target.list(prefix, o as never));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
}

describe('imagestreamimages (§9) and imagestreams/layers (§4.7)', () => {
  let t: ImageTestServer;
  const reads = { gets: [] as string[], lists: [] as string[] };
  before(async () => {
    t = await startImageTestServer({ wrapStorage: counting(reads) });
    await t.client.post(ns(NS, 'imagestreams'), stream('multi'));
    // The manifest list and its amd64 child exist; the arm64 child does not.
    const amd = imageBody(AMD64_DIGEST, `quay.io/o/multi@${AMD64_DIGEST}`, { dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: AMD64_CONFIG, dockerImageManifestMediaType: SCHEMA2 });
    assert.equal((await t.client.post(cluster('images'), amd)).status, 201);
    const list = imageBody(LIST_DIGEST, `quay.io/o/multi@${LIST_DIGEST}`, { dockerImageManifest: MANIFEST_LIST, dockerImageManifestMediaType: LIST });
    assert.equal((await t.client.post(ns(NS, 'imagestreammappings'), mapping('multi', 'latest', list))).status, 201);
    await t.client.post(ns(NS, 'imagestreams'), stream('similar'));
    for (const [tag, id] of [['one', AB1], ['two', AB2], ['gone', fakeDigest('f')]] as const) {
      assert.equal((await t.client.post(ns(NS, 'imagestreammappings'), mapping('similar', tag, imageBody(id, `quay.io/o/similar@${id}`)))).status, 201);
    }
    await t.client.delete(cluster('images', fakeDigest('f')));
  });
  after(async () => t?.stop());

  it('names without exactly one "@" are 400', async () => {
    for (const name of ['multi', 'multi@a@b', '@abc', 'multi@']) {
      const r = await t.client.get(ns(NS, 'imagestreamimages', name));
      assert.equal(r.status, 400, name);
      assert.equal(r.json().message, 'ImageStreamImages must be retrieved with <name>@<id>');
    }
  });

  it('a short id, with or without the algorithm, finds the image; the name is exactly the one asked for', async () => {
    for (const id of [LIST_DIGEST.slice(0, 19), LIST_DIGEST.slice(7, 15)]) {
      const r = await t.client.get(ns(NS, 'imagestreamimages', `multi@${id}`));
      assert.equal(r.status, 200, r.text);
      const o = r.json<Obj>();
      assert.equal(o.metadata.name, `multi@${id}`);
      assert.equal((o.image as Obj & { metadata: Obj }).metadata.name, LIST_DIGEST);
      assert.equal((o.image as Obj).dockerImageManifest, undefined);
    }
  });

  it('any prefix of the name matches, down to "sha256:" or "s", when only one image does', async () => {
    await t.client.post(ns(NS, 'imagestreams'), stream('single'));
    const id = fakeDigest('c');
    assert.equal((await t.client.post(ns(NS, 'imagestreammappings'), mapping('single', 'latest', imageBody(id, `quay.io/o/single@${id}`)))).status, 201);
    for (const prefix of ['sha256:', 's', 'ccc', id]) {
      const r = await t.client.get(ns(NS, 'imagestreamimages', `single@${prefix}`));
      assert.equal(r.status, 200, `${prefix}: ${r.text}`);
    }
  });

  it('a manifest-list child that never appears in history is addressable', async () => {
    const r = await t.client.get(ns(NS, 'imagestreamimages', `multi@${AMD64_DIGEST.slice(7, 20)}`));
    assert.equal(r.status, 200, r.text);
    assert.equal(((r.json<Obj>().image as Obj).metadata as Obj).name, AMD64_DIGEST);
  });

  it('an ambiguous prefix is 409 listing every match', async () => {
    const r = await t.client.get(ns(NS, 'imagestreamimages', 'similar@ab'));
    assert.equal(r.status, 409);
    assert.equal(r.json().message, `Operation cannot be fulfilled on imagestreamimage.image.openshift.io "similar@ab": multiple images match the prefix "ab": ${AB1}, ${AB2}`);
    assert.equal((await t.client.get(ns(NS, 'imagestreamimages', 'similar@ab1'))).status, 200);
  });

  it('unknown ids are 404 (singular resource); a missing stream is 404; a deleted Image is 404', async () => {
    const unknown = await t.client.get(ns(NS, 'imagestreamimages', 'similar@ffff0'));
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json().details, { name: 'similar@ffff0', group: 'image.openshift.io', kind: 'imagestreamimage' });
    const noStream = await t.client.get(ns(NS, 'imagestreamimages', 'nosuch@abc'));
    assert.equal(noStream.json().message, 'imagestreamimages.image.openshift.io "nosuch" not found');
    const deleted = await t.client.get(ns(NS, 'imagestreamimages', `similar@${fakeDigest('f')}`));
    assert.equal(deleted.status, 404);
    assert.equal(deleted.json().message, `imagestreamimages.image.openshift.io "${fakeDigest('f')}" not found`);
  });

  it('a list has no route: 404, not 405, as openshift-apiserver answers (oc prints "Unable to list ...")', async () => {
    const r = await t.client.get(ns(NS, 'imagestreamimages'));
    assert.equal(r.status, 404);
    assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    assert.equal((await t.client.post(ns(NS, 'imagestreamimages'), {})).status, 404);
  });

  it('layers: lists recurse into children, missing images are marked, blobs carry sizes and media types', async () => {
    const r = await t.client.get(ns(NS, 'imagestreams', 'multi/layers'));
    assert.equal(r.status, 200, r.text);
    const l = r.json<{ kind: string; metadata: Obj; blobs: Record<string, { size: number | null; mediaType: string }>; images: Record<string, Obj> }>();
    assert.equal(l.kind, 'ImageStreamLayers');
    assert.equal(l.metadata.name, 'multi');
    assert.deepEqual(l.images[LIST_DIGEST], { imageMissing: false, layers: null, config: null, manifests: [AMD64_DIGEST, ARM64_DIGEST] });
    assert.deepEqual(l.images[ARM64_DIGEST], { imageMissing: true, layers: null, config: null });
    assert.equal((l.images[AMD64_DIGEST]?.layers as string[]).length, 4);
    assert.deepEqual(l.blobs[LIST_DIGEST], { size: null, mediaType: LIST });
    assert.deepEqual(l.blobs[AMD64_DIGEST], { size: null, mediaType: SCHEMA2 });
    assert.deepEqual(Object.keys(l.blobs), [...Object.keys(l.blobs)].sort());
  });

  it('layers read only the images of this stream\'s history (and their children), never list images', async () => {
    // Many unrelated images exist...
    for (let i = 0; i < 20; i++) await t.client.post(cluster('images'), imageBody(fakeDigest(`e${i.toString(16)}`), 'quay.io/o/unrelated:1'));
    reads.gets.length = 0;
    reads.lists.length = 0;
    const r = await t.client.get(ns(NS, 'imagestreams', 'multi/layers'));
    assert.equal(r.status, 200);
    const imageReads = reads.gets.filter((k) => k.startsWith('images/'));
    assert.deepEqual(imageReads.sort(), [`images/${AMD64_DIGEST}`, `images/${ARM64_DIGEST}`, `images/${LIST_DIGEST}`].sort());
    assert.deepEqual(reads.lists.filter((p) => p.startsWith('images')), []);
    // A full digest in the history needs no layers at all: one image read.
    reads.gets.length = 0;
    assert.equal((await t.client.get(ns(NS, 'imagestreamimages', `multi@${LIST_DIGEST}`))).status, 200);
    assert.deepEqual(reads.gets.filter((k) => k.startsWith('images/')), [`images/${LIST_DIGEST}`]);
  });

  it('layers of a missing stream are 404', async () => {
    const r = await t.client.get(ns(NS, 'imagestreams', 'nosuch/layers'));
    assert.equal(r.status, 404);
    assert.equal(r.json().message, 'imagestreams.image.openshift.io "nosuch" not found');
  });
});
