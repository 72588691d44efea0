import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const PARTIAL = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';
const PARTIAL_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';

type Table = { rows: { cells: unknown[]; object: unknown }[]; columnDefinitions: unknown[] };

describe('responses served from the watch cache', () => {
  // Two servers on one etcd: one serving from its cache, one reading etcd for every request.
  let cached: TestServer;
  let direct: TestServer;
  before(async () => {
    cached = await startTestServer();
    direct = await startTestServer(['--watch-cache=false'], cached.etcd);
    for (const name of ['a', 'b', 'c']) {
      const r = await direct.client.post(nsPath('same', 'imagestreams'), imageStream(name, { metadata: { labels: { app: name === 'b' ? 'x' : 'y' } }, spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: `quay.io/x/${name}:1` } }] } }));
      assert.equal(r.status, 201, r.text);
    }
  });
  after(async () => {
    await direct?.stop();
    await cached?.stop();
  });

  it('gets and lists carry the same bytes as from etcd, in every representation', async () => {
    const paths = [nsPath('same', 'imagestreams', 'b'), nsPath('same', 'imagestreams'), `${nsPath('same', 'imagestreams')}?labelSelector=app%3Dy`, `${nsPath('same', 'imagestreams')}?limit=2`, '/apis/image.openshift.io/v1/imagestreams'];
    for (const path of paths) {
      for (const accept of ['application/json', PARTIAL, PARTIAL_LIST, 'application/yaml']) {
        const [c, d] = await Promise.all([cached.client.get(path, { Accept: accept }), direct.client.get(path, { Accept: accept })]);
        assert.equal(c.status, d.status, `${path} ${accept}`);
        if (c.status !== 200) continue;
        assert.equal(c.headers['content-type'], d.headers['content-type']);
        if (path.includes('limit=')) {
          // The continue token names the revision each server read at: compare the items.
          if (accept !== 'application/yaml') assert.deepEqual(c.json<{ items: unknown }>().items, d.json<{ items: unknown }>().items, `${path} ${accept}`);
        } else {
          assert.equal(c.text, d.text, `${path} ${accept}`);
        }
      }
      const [ct, dt] = await Promise.all([cached.client.get(path, { Accept: TABLE }), direct.client.get(path, { Accept: TABLE })]);
      assert.deepEqual(
        ct.json<Table>().rows.map((r) => r.object),
        dt.json<Table>().rows.map((r) => r.object),
      );
    }
  });

  it('watch events carry the same objects as from etcd, and a modification through the other server arrives', async () => {
    const rv = cached.client.get(nsPath('same', 'imagestreams'));
    const from = (await rv).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const path = `${nsPath('same', 'imagestreams')}?watch=true&resourceVersion=${from}`;
    const [wc, wd] = await Promise.all([cached.client.watch(path), direct.client.watch(path)]);
    const r = await direct.client.patch(nsPath('same', 'imagestreams', 'a'), { metadata: { labels: { app: 'z' } } });
    assert.equal(r.status, 200);
    const [ec, ed] = await Promise.all([wc.next(), wd.next()]);
    wc.stop();
    wd.stop();
    assert.equal(ec?.type, 'MODIFIED');
    assert.deepEqual(ec, ed);
  });
});
