// The registry client against a real registry (distribution 2.8 over plain HTTP, anonymous):
// images built as OCI layouts in the test and pushed with skopeo in each format.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { decodeDockerImageMetadata } from '../../../src/image/api/metadata.js';
import { importStatusFor, RegistryClient, RegistryError, type RegistryClientOptions, type RequestEvent } from '../../../src/image/importer/index.js';
import { buildOCIImage, type BuiltImage } from '../../support/oci-image.js';
import { inspectRaw, pushImage, startRegistry, type RegistryHandle } from '../../support/registry.js';

const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

let reg: RegistryHandle;
let single: BuiltImage;
const pushed: Record<string, string> = {};
const clients: RegistryClient[] = [];

/** A client that prefers a platform no test image has, so Legacy falls back to linux/amd64. */
function client(opts: RegistryClientOptions = {}): RegistryClient {
  const c = new RegistryClient({ platform: { os: 'linux', architecture: 'riscv64' }, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, ...opts });
  clients.push(c);
  return c;
}
const repo = (c: RegistryClient, name: string, insecure = true) => c.repository(`${reg.host}/${name}`, { insecure });

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  return assert.fail('expected a RegistryError');
}

before(async () => {
  reg = await startRegistry({ schema1: true });
  single = buildOCIImage({ labels: { 'io.example.team': 'images' } });
  const multi = buildOCIImage({
    platforms: [
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 's390x' },
    ],
  });
  const corrupt = buildOCIImage({ files: { 'corrupt.txt': 'to be damaged\n' } });
  const jobs: Array<[string, string, Parameters<typeof pushImage>[2]]> = [
    ['oci', 'ns/oci:v1', { format: 'oci' }],
    ['docker', 'ns/docker:v1', { format: 'v2s2' }],
    ['schema1', 'ns/old:v1', { format: 'v2s1' }],
    ['tag-a', 'ns/tags:a', { format: 'v2s2' }],
    ['tag-b', 'ns/tags:b', { format: 'v2s2' }],
    ['tag-latest', 'ns/tags:latest', { format: 'v2s2' }],
    ['tag-1.0', 'ns/tags:1.0', { format: 'oci' }],
  ];
  for (const [name, ref, opts] of jobs) pushed[name] = (await pushImage(single.dir, `${reg.host}/${ref}`, opts)).digest;
  pushed['oci-index'] = (await pushImage(multi.dir, `${reg.host}/ns/multi:oci`, { format: 'oci', all: true })).digest;
  pushed['docker-list'] = (await pushImage(multi.dir, `${reg.host}/ns/multi:docker`, { format: 'v2s2', all: true })).digest;
  pushed.corrupt = (await pushImage(corrupt.dir, `${reg.host}/ns/corrupt:v1`, { format: 'v2s2' })).digest;
});

after(async () => {
  for (const c of clients) c.close();
  await reg?.stop();
});

describe('importing from a real registry', () => {
  it('a single-architecture OCI image becomes an Image named by its manifest digest', async () => {
    const c = client();
    const { image, manifests } = await c.importImage(repo(c, 'ns/oci'), 'v1');
    assert.equal(manifests, undefined);
    assert.equal(image.metadata.name, pushed.oci);
    assert.equal(image.metadata.name, single.digest, 'skopeo kept the OCI manifest byte for byte');
    assert.equal(image.dockerImageReference, `${reg.host}/ns/oci@${pushed.oci}`);
    assert.equal(image.dockerImageManifestMediaType, OCI_MANIFEST);
    assert.equal(image.dockerImageManifest, await inspectRaw(`${reg.host}/ns/oci:v1`));
    assert.equal(image.dockerImageConfig, single.manifests[0]?.config);
    assert.equal(image.metadata.annotations?.['image.openshift.io/dockerLayersOrder'], 'ascending');
    assert.deepEqual(image.dockerImageLayers?.map((l) => l.name), [single.manifests[0]?.layerDigest]);
    const meta = decodeDockerImageMetadata(image.dockerImageMetadata, '1.0');
    assert.equal(meta.id, single.manifests[0]?.configDigest);
    assert.equal(meta.architecture, 'amd64');
    assert.equal(meta.created, '2024-01-02T03:04:05Z');
    assert.deepEqual(meta.config?.Labels, { 'io.example.team': 'images' });
    assert.ok((meta.size ?? 0) > 0);
    // By digest: the same image.
    const byDigest = await c.importImage(repo(c, 'ns/oci'), pushed.oci ?? '');
    assert.equal(byDigest.image.metadata.name, pushed.oci);
  });

  it('a Docker schema2 image keeps its media types', async () => {
    const c = client();
    const { image } = await c.importImage(repo(c, 'ns/docker'), 'v1');
    assert.equal(image.metadata.name, pushed.docker);
    assert.equal(image.dockerImageManifestMediaType, SCHEMA2);
    assert.equal(image.dockerImageLayers?.[0]?.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.equal(decodeDockerImageMetadata(image.dockerImageMetadata, '1.0').architecture, 'amd64');
  });

  it('a signed schema1 image is named by its canonical payload and sized from the registry', async () => {
    const c = client();
    const { image } = await c.importImage(repo(c, 'ns/old'), 'v1');
    assert.equal(image.metadata.name, pushed.schema1);
    assert.equal(image.dockerImageManifestMediaType, 'application/vnd.docker.distribution.manifest.v1+json');
    assert.match(image.dockerImageManifest ?? '', /"signatures"/);
    assert.ok((decodeDockerImageMetadata(image.dockerImageMetadata, '1.0').size ?? 0) > 0);
  });

  for (const [kind, tag, listType, childType] of [
    ['a Docker manifest list', 'docker', LIST, SCHEMA2],
    ['an OCI index', 'oci', OCI_INDEX, OCI_MANIFEST],
  ] as const) {
    it(`${kind} in Legacy mode imports the one child the platform order picks`, async () => {
      const c = client();
      const list = await repo(c, 'ns/multi').getManifest(tag);
      assert.equal(list.mediaType, listType);
      const digestOf = (arch: string) => list.entries?.find((e) => e.architecture === arch)?.digest;

      const fallback = await c.importImage(repo(c, 'ns/multi'), tag);
      assert.equal(fallback.image.metadata.name, digestOf('amd64'), 'no riscv64 child: linux/amd64');
      assert.equal(fallback.image.dockerImageManifestMediaType, childType);
      assert.equal(fallback.image.dockerImageReference, `${reg.host}/ns/multi@${digestOf('amd64')}`);
      assert.equal(fallback.manifests, undefined);

      const preferred = await c.importImage(repo(c, 'ns/multi'), tag, { importMode: 'Legacy', preferArch: 'arm64', preferOS: 'linux' });
      assert.equal(preferred.image.metadata.name, digestOf('arm64'));
      assert.equal(decodeDockerImageMetadata(preferred.image.dockerImageMetadata, '1.0').architecture, 'arm64');

      const s390 = client({ platform: { os: 'linux', architecture: 's390x' } });
      assert.equal((await s390.importImage(repo(s390, 'ns/multi'), tag)).image.metadata.name, digestOf('s390x'), "the server's own platform");
    });

    it(`${kind} in PreserveOriginal mode imports the list and every child`, async () => {
      const c = client();
      const { image, manifests } = await c.importImage(repo(c, 'ns/multi'), tag, { importMode: 'PreserveOriginal' });
      assert.equal(image.metadata.name, pushed[tag === 'oci' ? 'oci-index' : 'docker-list']);
      assert.equal(image.dockerImageManifestMediaType, listType);
      assert.equal(image.dockerImageManifest, undefined);
      assert.equal(image.dockerImageLayers, undefined);
      assert.deepEqual(image.dockerImageManifests?.map((m) => `${m.os}/${m.architecture}${m.variant ? `/${m.variant}` : ''}`), ['linux/arm64/v8', 'linux/amd64', 'linux/s390x']);
      const meta = decodeDockerImageMetadata(image.dockerImageMetadata, '1.0');
      assert.equal(meta.id, image.metadata.name);
      assert.ok(meta.created);
      assert.equal(manifests?.length, 3);
      assert.deepEqual(
        manifests?.map((m) => m.metadata.name),
        image.dockerImageManifests?.map((m) => m.digest),
      );
      assert.deepEqual(
        manifests?.map((m) => decodeDockerImageMetadata(m.dockerImageMetadata, '1.0').architecture),
        ['arm64', 'amd64', 's390x'],
      );
      for (const m of manifests ?? []) {
        assert.equal(m.dockerImageReference, `${reg.host}/ns/multi@${m.metadata.name}`);
        assert.equal(m.dockerImageManifestMediaType, childType);
        assert.ok(m.dockerImageConfig);
      }
    });
  }

  it('a missing tag or repository is a typed NotFound with the 404 status OpenShift reports', async () => {
    const c = client();
    const tag = await failure(c.importImage(repo(c, 'ns/oci'), 'missing'));
    assert.equal(tag.kind, 'NotFound');
    assert.deepEqual(importStatusFor(tag), {
      metadata: {},
      status: 'Failure',
      message: `dockerimage.image.openshift.io "${reg.host}/ns/oci:missing" not found`,
      reason: 'NotFound',
      details: { name: `${reg.host}/ns/oci:missing`, group: 'image.openshift.io', kind: 'dockerimage' },
      code: 404,
    });
    const missingRepo = await failure(c.importImage(repo(c, 'ns/nothing-here'), 'latest'));
    assert.equal(missingRepo.kind, 'NotFound');
    const missingDigest = await failure(c.importImage(repo(c, 'ns/oci'), `sha256:${'0'.repeat(64)}`));
    assert.equal(missingDigest.kind, 'NotFound');
    const noTags = await failure(repo(c, 'ns/nothing-here').listTags());
    assert.equal(noTags.kind, 'NotFound');
  });

  it('a plain-HTTP registry without insecure fails saying which flag to set; with insecure it works', async () => {
    const c = client();
    const err = await failure(c.importImage(repo(c, 'ns/oci', false), 'v1'));
    assert.equal(err.kind, 'InsecureRequired');
    const status = importStatusFor(err);
    assert.equal(status.code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.match(status.message ?? '', /^the repository ns\/oci is HTTP only and requires the insecure flag to import: /);
    assert.match(status.message ?? '', /speaks plain HTTP.*importPolicy\.insecure: true/);
    assert.equal((await c.importImage(repo(c, 'ns/oci', true), 'v1')).image.metadata.name, pushed.oci);
  });

  it('lists every tag of a repository', async () => {
    const c = client();
    assert.deepEqual((await repo(c, 'ns/tags').listTags()).sort(), ['1.0', 'a', 'b', 'latest']);
    assert.deepEqual((await repo(c, 'ns/tags').listTags({ pageSize: 2 })).sort(), ['1.0', 'a', 'b', 'latest']);
  });

  it('refuses a manifest whose bytes do not match its digest', async () => {
    const digest = pushed.corrupt ?? '';
    const path = reg.blobPath(digest);
    const original = readFileSync(path, 'utf8');
    // Same length, still valid JSON: one hex digit of the config digest changes.
    const i = original.indexOf('"digest":"sha256:') + '"digest":"sha256:'.length;
    const damaged = original.slice(0, i) + (original[i] === '0' ? '1' : '0') + original.slice(i + 1);
    writeFileSync(path, damaged);
    try {
      const c = client();
      for (const ref of [digest, 'v1']) {
        const err = await failure(c.importImage(repo(c, 'ns/corrupt'), ref));
        assert.equal(err.kind, 'DigestMismatch', ref);
        const status = importStatusFor(err);
        assert.equal(status.code, 500);
        assert.match(status.message ?? '', new RegExp(`^Internal error occurred: content integrity error: the manifest retrieved \\(media type: ${SCHEMA2.replace(/[.+]/g, '\\$&')}\\) with digest ${digest} does not match the digest calculated from the content sha256:`));
      }
    } finally {
      writeFileSync(path, original);
    }
  });

  it('a second import of the same image is served from the cache (only a HEAD reaches the registry)', async () => {
    const events: RequestEvent[] = [];
    const c = client({ observe: (e) => events.push(e) });
    const first = await c.importImage(repo(c, 'ns/docker'), 'v1');
    const fetched = (e: RequestEvent) => e.method === 'GET' && /\/(manifests|blobs)\//.test(e.url);
    assert.equal(events.filter(fetched).length, 2, 'manifest and config');
    events.length = 0;
    const second = await c.importImage(repo(c, 'ns/docker'), 'v1');
    assert.deepEqual(second.image, first.image);
    assert.deepEqual(
      events.map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}`),
      ['HEAD /v2/ns/docker/manifests/v1 200'],
    );
  });
});
