// §1.7 and §11 over HTTP: the registry allow-list on streams, tags and pushes (references already
// present stay usable, the internal registry is always allowed), image stream limits from
// LimitRanges (image-tags and images, smallest max wins, pre-existing excess tolerated), and the
// image size limit on pushes.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { InMemoryLimitRanges } from '../../../src/image/collaborators.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { amd64Image, dockerRef, fakeDigest, imageBody, mapping, ns, stream, type StreamJSON } from './helpers.js';

const INTERNAL = 'registry.internal:5000';

describe('registry allow-list (§1.7)', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer({
      internalRegistryHostname: INTERNAL,
      allowedRegistries: [{ domainName: 'quay.io' }, { domainName: '*.example.com' }, { domainName: 'insecure.local:5000', insecure: true }],
    });
  });
  after(async () => t?.stop());

  const LISTED = '"registry.internal:5000", "quay.io:443", "*.example.com:443", "insecure.local:5000"';

  it('a stream may reference listed registries (wildcards included) and the internal one', async () => {
    const r = await t.client.post(
      ns('allow', 'imagestreams'),
      stream('ok', [dockerRef('a', 'quay.io/org/a:1'), dockerRef('b', 'mirror.example.com/org/b:1'), dockerRef('c', `${INTERNAL}/allow/c:1`)]),
    );
    assert.equal(r.status, 201, r.text);
  });

  it('an unlisted registry is a Forbidden cause naming every pattern', async () => {
    const r = await t.client.post(ns('allow', 'imagestreams'), stream('bad', [dockerRef('a', 'docker.io/library/busybox:1')]));
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      `ImageStream.image.openshift.io "bad" is invalid: spec.tags[a].from.name: Forbidden: registry "docker.io" not allowed by whitelist: ${LISTED}`,
    );
    const implicit = await t.client.post(ns('allow', 'imagestreams'), stream('bad2', [dockerRef('a', 'busybox')]));
    assert.equal(implicit.status, 422);
    assert.match(implicit.json().message as string, /registry "docker\.io:443" not allowed by whitelist/);
  });

  it('references a stream already has stay allowed on update; new ones are refused', async () => {
    // Written while the list did not exist (a server without it, same data).
    const open = await startImageTestServer({ etcd: t.etcd, prefix: t.prefix });
    try {
      const r = await open.client.post(ns('allow', 'imagestreams'), stream('legacy', [dockerRef('a', 'docker.io/library/busybox:1', { reference: true })]));
      assert.equal(r.status, 201, r.text);
    } finally {
      await open.stop();
    }
    const s = (await t.client.get(ns('allow', 'imagestreams', 'legacy'))).json<StreamJSON>();
    const ok = await t.client.put(ns('allow', 'imagestreams', 'legacy'), { ...s, metadata: { ...s.metadata, labels: { x: 'y' } } });
    assert.equal(ok.status, 200, ok.text);
    const cur = ok.json<StreamJSON>();
    cur.spec.tags = [dockerRef('a', 'docker.io/library/busybox:1', { reference: true }), dockerRef('b', 'ghcr.io/org/b:1')];
    const bad = await t.client.put(ns('allow', 'imagestreams', 'legacy'), cur);
    assert.equal(bad.status, 422);
    assert.equal(
      bad.json().message,
      `ImageStream.image.openshift.io "legacy" is invalid: spec.tags[b].from.name: Forbidden: registry "ghcr.io" not allowed by whitelist: ${LISTED}`,
    );
  });

  it('istag and itag tags are checked too', async () => {
    const istag = await t.client.post(ns('allow', 'imagestreamtags'), { metadata: { name: 'viaistag:1' }, tag: { from: { kind: 'DockerImage', name: 'ghcr.io/x/y:1' } } });
    assert.equal(istag.status, 422);
    assert.equal(istag.json().message, `ImageStreamTag.image.openshift.io "viaistag:1" is invalid: tag.from.name: Forbidden: registry "ghcr.io" not allowed by whitelist: ${LISTED}`);
    const itag = await t.client.post(ns('allow', 'imagetags'), { metadata: { name: 'viaitag:1' }, spec: { from: { kind: 'DockerImage', name: 'ghcr.io/x/y:1' } } });
    assert.equal(itag.status, 422);
    assert.match(itag.json().message as string, /^ImageTag\.image\.openshift\.io "viaitag:1" is invalid: spec\.from\.name: Forbidden: registry "ghcr\.io"/);
  });

  it('a push of an image at an unlisted registry is refused on the status reference', async () => {
    await t.client.post(ns('allow', 'imagestreams'), stream('pushed'));
    const r = await t.client.post(ns('allow', 'imagestreammappings'), mapping('pushed', 'latest', imageBody(fakeDigest('1'), `ghcr.io/x/y@${fakeDigest('1')}`)));
    assert.equal(r.status, 422);
    assert.match(r.json().message as string, /status\.tags\[latest\]\.items\[0\]\.dockerImageReference: Forbidden: registry "ghcr\.io" not allowed by whitelist/);
    const internal = await t.client.post(ns('allow', 'imagestreammappings'), mapping('pushed', 'latest', imageBody(fakeDigest('2'), `${INTERNAL}/allow/pushed@${fakeDigest('2')}`)));
    assert.equal(internal.status, 201, internal.text);
  });

  it('insecure entries: port 80 by default; an insecure tag may use either transport', async () => {
    const r = await t.client.post(
      ns('allow', 'imagestreams'),
      stream('insecure', [dockerRef('a', 'insecure.local:5000/org/a:1', { importPolicy: { insecure: true } })]),
    );
    assert.equal(r.status, 201, r.text);
  });
});

describe('image stream limits from LimitRanges (§11.2) and the image size limit (§11.1)', () => {
  let t: ImageTestServer;
  const ranges = new InMemoryLimitRanges();
  before(async () => {
    ranges.set('limited', [
      { spec: { limits: [{ type: 'openshift.io/ImageStream', max: { 'openshift.io/image-tags': '3', 'openshift.io/images': '2' } }] } },
      { spec: { limits: [{ type: 'openshift.io/ImageStream', max: { 'openshift.io/image-tags': '2' } }] } },
      { spec: { limits: [{ type: 'openshift.io/Image', max: { storage: '1Mi' } }] } },
    ]);
    t = await startImageTestServer({ limitRanges: ranges });
  });
  after(async () => t?.stop());

  it('more distinct spec references than the smallest image-tags max is 422, wrapped as an internal error', async () => {
    const ok = await t.client.post(ns('limited', 'imagestreams'), stream('tags', [dockerRef('a', 'quay.io/o/a:1'), dockerRef('b', 'quay.io/o/a:1')]));
    assert.equal(ok.status, 201, 'the same reference twice counts once');
    const r = await t.client.post(
      ns('limited', 'imagestreams'),
      stream('toomany', [dockerRef('a', 'quay.io/o/a:1'), dockerRef('b', 'quay.io/o/b:1'), dockerRef('c', 'quay.io/o/c:1')]),
    );
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      'ImageStream.image.openshift.io "toomany" is invalid: []: Internal error: ImageStream.image.openshift.io "toomany" is forbidden: requested usage of openshift.io/image-tags exceeds the maximum limit per openshift.io/ImageStream (3 > 2)',
    );
  });

  it('more distinct images in history than allowed is refused on the push (Forbidden on imageStream)', async () => {
    await t.client.post(ns('limited', 'imagestreams'), stream('images'));
    for (const c of ['1', '2']) {
      const r = await t.client.post(ns('limited', 'imagestreammappings'), mapping('images', 'latest', imageBody(fakeDigest(c), `quay.io/o/i@${fakeDigest(c)}`)));
      assert.equal(r.status, 201, r.text);
    }
    const r = await t.client.post(ns('limited', 'imagestreammappings'), mapping('images', 'latest', imageBody(fakeDigest('3'), `quay.io/o/i@${fakeDigest('3')}`)));
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      'ImageStream.image.openshift.io "images" is invalid: imageStream: Forbidden: ImageStream.image.openshift.io "images" is forbidden: requested usage of openshift.io/images exceeds the maximum limit per openshift.io/ImageStream (3 > 2)',
    );
  });

  it('edits that add nothing are allowed even over the limit', async () => {
    ranges.set('limited-later', []);
    const s = await t.client.post(ns('limited-later', 'imagestreams'), stream('grown', [dockerRef('a', 'quay.io/o/a:1'), dockerRef('b', 'quay.io/o/b:1'), dockerRef('c', 'quay.io/o/c:1')]));
    assert.equal(s.status, 201);
    ranges.set('limited-later', [{ spec: { limits: [{ type: 'openshift.io/ImageStream', max: { 'openshift.io/image-tags': '1' } }] } }]);
    const cur = s.json<StreamJSON>();
    const r = await t.client.put(ns('limited-later', 'imagestreams', 'grown'), { ...cur, metadata: { ...cur.metadata, labels: { edited: 'yes' } } });
    assert.equal(r.status, 200, r.text);
  });

  it('an image larger than an openshift.io/Image max storage is a 403 on the mapping', async () => {
    await t.client.post(ns('limited', 'imagestreams'), stream('big'));
    const r = await t.client.post(ns('limited', 'imagestreammappings'), mapping('big', 'latest', amd64Image('quay.io/o/big:1')));
    assert.equal(r.status, 403);
    assert.equal(
      r.json().message,
      'imagestreammappings.image.openshift.io "big" is forbidden: requested usage of storage exceeds the maximum limit per openshift.io/Image (26727512 > 1Mi)',
    );
  });

  it('a LimitRange source that is still loading refuses writes with its message', async () => {
    const { limitsLoadingError } = await import('../../../src/image/registry/imagestream/limits.js');
    const loading = await startImageTestServer({ limitRanges: { list: async () => Promise.reject(limitsLoadingError()) } });
    try {
      const r = await loading.client.post(ns('x', 'imagestreams'), stream('s'));
      assert.equal(r.status, 422);
      assert.equal(r.json().message, 'ImageStream.image.openshift.io "s" is invalid: []: Internal error: limitranges is forbidden: the server is still loading limit information');
    } finally {
      await loading.stop();
    }
  });
});
