// The image API's surroundings as wired in a cluster: LimitRanges watched in the host cluster,
// pull secrets read from it, and the image policy flags (allow-list, tag history bound).

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { TestClient } from '../../support/client.js';
import { eventually, startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { dockerTag, imageStream, nsPath } from '../../support/fixtures.js';

describe('image policy from the host cluster and flags', () => {
  let t: DelegatedTestServer;
  let admin: TestClient;
  const asMasters = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };

  before(async () => {
    t = await startDelegatedServer({
      namespaces: ['team-a', 'limited'],
      args: ['--allowed-registries-for-import=quay.io,*.example.com', '--max-image-tag-history=2'],
    });
    t.host.setLimitRange('limited', 'image-limits', { limits: [{ type: 'openshift.io/ImageStream', max: { 'openshift.io/image-tags': '1' } }] });
    admin = t.withCert(t.frontProxyCert);
  });
  after(async () => t?.stop());

  it('a LimitRange in the host cluster limits the tags of a stream', async () => {
    const stream = imageStream('two-tags', { spec: { tags: [dockerTag('a', 'quay.io/x/a:1'), dockerTag('b', 'quay.io/x/b:1')] } });
    const r = await admin.post(nsPath('limited', 'imagestreams'), stream, asMasters);
    assert.equal(r.status, 422, r.text);
    assert.match(String(r.json().message), /requested usage of openshift.io\/image-tags exceeds the maximum limit per openshift.io\/ImageStream \(2 > 1\)/);
    assert.equal((await admin.post(nsPath('team-a', 'imagestreams'), stream, asMasters)).status, 201, 'namespaces without a LimitRange are not limited');
  });

  it('a LimitRange changed in the host takes effect without a restart', async () => {
    t.host.setLimitRange('limited', 'image-limits', { limits: [{ type: 'openshift.io/ImageStream', max: { 'openshift.io/image-tags': '5' } }] });
    const stream = imageStream('now-fits', { spec: { tags: [dockerTag('a', 'quay.io/x/a:1'), dockerTag('b', 'quay.io/x/b:1')] } });
    await eventually(async () => (await admin.post(nsPath('limited', 'imagestreams'), stream, asMasters)).status === 201, 5000, 'the raised limit');
    assert.equal(t.host.calls.limitRangeLists, 1, 'the LimitRanges are listed once and then watched');
  });

  it('--allowed-registries-for-import rejects other registries with the allow-list message', async () => {
    const r = await admin.post(nsPath('team-a', 'imagestreams'), imageStream('elsewhere', { spec: { tags: [dockerTag('x', 'docker.io/library/busybox:1')] } }), asMasters);
    assert.equal(r.status, 422);
    assert.match(String(r.json().message), /spec.tags\[x\].from.name: Forbidden: registry "docker.io" not allowed by whitelist: "quay.io:443", "\*.example.com:443"/);
    const ok = await admin.post(nsPath('team-a', 'imagestreams'), imageStream('allowed', { spec: { tags: [dockerTag('x', 'registry.example.com/a/b:1')] } }), asMasters);
    assert.equal(ok.status, 201, ok.text);
  });

  it('--max-image-tag-history keeps at most that many events per tag', async () => {
    await admin.post(nsPath('team-a', 'imagestreams'), imageStream('bounded'), asMasters);
    for (let i = 0; i < 4; i++) {
      const digest = `sha256:${String(i).repeat(64)}`;
      const r = await admin.post(
        nsPath('team-a', 'imagestreammappings'),
        {
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStreamMapping',
          metadata: { name: 'bounded' },
          tag: 'latest',
          image: { metadata: { name: digest }, dockerImageReference: `quay.io/x/y@${digest}` },
        },
        asMasters,
      );
      assert.equal(r.status, 201, r.text);
    }
    const s = (await admin.get(nsPath('team-a', 'imagestreams', 'bounded'), asMasters)).json<{ status: { tags: { tag: string; items: unknown[] }[] } }>();
    assert.equal(s.status.tags.find((x) => x.tag === 'latest')?.items.length, 2);
  });

  it('imagestreams/<name>/secrets lists the namespace\'s pull secrets from the host cluster', async () => {
    const cfg = Buffer.from(JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('u:p').toString('base64') } } })).toString('base64');
    t.host.setSecret('team-a', 'pull', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': cfg });
    t.host.setSecret('team-a', 'opaque', 'Opaque', { x: 'eA==' });
    const r = await admin.get(`${nsPath('team-a', 'imagestreams', 'any')}/secrets`, asMasters);
    assert.equal(r.status, 200, r.text);
    const list = r.json<{ kind: string; apiVersion: string; items: { metadata: { name: string } }[] }>();
    assert.equal(list.kind, 'SecretList');
    assert.equal(list.apiVersion, 'image.openshift.io/v1');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['pull']);
  });
});
