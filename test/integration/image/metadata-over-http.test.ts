// §2.1 through the API: a push of each manifest kind (Docker schema2, OCI manifest, manifest list,
// schema1) stores an Image with metadata, layers and list entries derived, and the tag views
// (istag, itag, isimage) show that metadata without the raw manifest and config, in version 1.0.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { schema1Payload } from '../../unit/image/fixtures.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { AMD64_CONFIG, AMD64_MANIFEST, cluster, imageBody, LIST, LIST_DIGEST, MANIFEST_LIST, mapping, ns, sha256, stream, type Obj } from './helpers.js';

const NS = 'meta';
const OCI_MANIFEST = AMD64_MANIFEST.replace('application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json');
const OCI_DIGEST = sha256(OCI_MANIFEST);
const SCHEMA1 = schema1Payload();
const SCHEMA1_NAME = sha256(SCHEMA1);

describe('image metadata derived for every manifest kind, seen through the tag resources', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer();
    await t.client.post(ns(NS, 'imagestreams'), stream('kinds'));
    const pushes: [string, Record<string, unknown>][] = [
      ['oci', imageBody(OCI_DIGEST, `quay.io/o/k@${OCI_DIGEST}`, { dockerImageManifest: OCI_MANIFEST, dockerImageConfig: AMD64_CONFIG })],
      ['list', imageBody(LIST_DIGEST, `quay.io/o/k@${LIST_DIGEST}`, { dockerImageManifest: MANIFEST_LIST, dockerImageManifestMediaType: LIST })],
      ['v1', imageBody(SCHEMA1_NAME, `quay.io/o/k@${SCHEMA1_NAME}`, { dockerImageManifest: SCHEMA1 })],
    ];
    for (const [tag, body] of pushes) {
      const r = await t.client.post(ns(NS, 'imagestreammappings'), mapping('kinds', tag, body));
      assert.equal(r.status, 201, `${tag}: ${r.text}`);
    }
  });
  after(async () => t?.stop());

  const istagImage = async (tag: string): Promise<Obj> => ((await t.client.get(ns(NS, 'imagestreamtags', `kinds:${tag}`))).json<Obj>().image as Obj);

  it('OCI manifest: media type kept, config digest as Id, layers base first', async () => {
    const img = await istagImage('oci');
    assert.equal(img.dockerImageManifestMediaType, 'application/vnd.oci.image.manifest.v1+json');
    const meta = img.dockerImageMetadata as Obj;
    assert.equal(meta.apiVersion, 'image.openshift.io/1.0');
    assert.equal(meta.kind, 'DockerImage');
    assert.equal(meta.Id, 'sha256:a2a15febcdf362f6115e801d37b5e60d6faaeedcb9896155e5fe9d754025be12');
    assert.equal(meta.Architecture, 'amd64');
    assert.equal((img.dockerImageLayers as unknown[]).length, 4);
    assert.equal(img.dockerImageManifest, undefined);
    assert.equal(img.dockerImageConfig, undefined);
    const stored = (await t.client.get(cluster('images', OCI_DIGEST))).json<Obj>();
    assert.equal(stored.dockerImageManifest, OCI_MANIFEST, 'the Image itself keeps the raw manifest');
  });

  it('manifest list: entries computed from the list, Id is the list digest, no layers', async () => {
    const img = (await t.client.get(ns(NS, 'imagetags', 'kinds:list'))).json<Obj>().image as Obj;
    assert.deepEqual(
      (img.dockerImageManifests as Obj[]).map((m) => [m.architecture, m.os, m.variant ?? '', m.manifestSize]),
      [
        ['amd64', 'linux', '', 1152],
        ['arm64', 'linux', 'v8', 1152],
      ],
    );
    assert.equal((img.dockerImageMetadata as Obj).Id, LIST_DIGEST);
    assert.equal(img.dockerImageLayers, undefined);
  });

  it('schema1: media type, metadata from history[0], size from distinct layers', async () => {
    const r = await t.client.get(ns(NS, 'imagestreamimages', `kinds@${SCHEMA1_NAME.slice(7, 19)}`));
    assert.equal(r.status, 200, r.text);
    const img = r.json<Obj>().image as Obj;
    assert.equal(img.dockerImageManifestMediaType, 'application/vnd.docker.distribution.manifest.v1+json');
    const meta = img.dockerImageMetadata as Obj;
    assert.equal(meta.Id, 'top');
    assert.equal(meta.DockerVersion, '1.10.0');
    assert.equal(meta.Size, 60);
    assert.deepEqual(
      (img.dockerImageLayers as Obj[]).map((l) => l.size),
      [10, 20, 20, 30],
    );
    assert.equal((img.metadata as Obj & { annotations: Record<string, string> }).annotations['image.openshift.io/dockerLayersOrder'], 'ascending');
  });
});
