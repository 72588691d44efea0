// imagestreamimports over HTTP against real registries (distribution 2.8: plain HTTP, TLS with its
// own CA, htpasswd auth), images built as OCI layouts in the test and pushed with skopeo: what the
// response says per image, which Images and stream tags an import leaves behind, and when it
// writes nothing.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { UserInfo } from '../../../src/apiserver/registry/strategy.js';
import { InMemoryLimitRanges, InMemorySecrets, type AccessReviewRequest, type ImageAccessChecker } from '../../../src/image/collaborators.js';
import { RegistryClient, type RegistryClientOptions } from '../../../src/image/importer/index.js';
import { startEtcd, type EtcdHandle } from '../../support/etcd.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { buildOCIImage } from '../../support/oci-image.js';
import { pushImage, startRegistry, type RegistryHandle } from '../../support/registry.js';
import { cluster, ns } from '../image/helpers.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

interface StatusJSON {
  status: string;
  code?: number;
  reason?: string;
  message?: string;
}
interface ImageJSON {
  metadata: { name: string; uid?: string; creationTimestamp?: string; annotations?: Record<string, string> };
  dockerImageReference: string;
  dockerImageManifestMediaType?: string;
  dockerImageManifest?: string;
  dockerImageConfig?: string;
  dockerImageManifests?: { digest: string; architecture: string }[];
  dockerImageLayers?: unknown[];
  dockerImageMetadata?: { Architecture?: string; Size?: number };
}
interface ImportStatusJSON {
  status: StatusJSON;
  tag?: string;
  image?: ImageJSON;
  manifests?: ImageJSON[];
}
interface TagJSON {
  name: string;
  from?: { kind: string; name: string };
  generation?: number;
  importPolicy?: Record<string, unknown>;
  referencePolicy?: { type: string };
}
interface StreamJSON {
  metadata: { name: string; resourceVersion: string; generation: number; annotations?: Record<string, string> };
  spec: { tags?: TagJSON[] };
  status: {
    tags?: {
      tag: string;
      items: { dockerImageReference: string; image: string; generation: number }[] | null;
      conditions?: { type: string; status: string; reason: string; message: string; generation: number }[];
    }[];
  };
}
interface ISIJSON {
  kind: string;
  metadata: { name: string; uid?: string };
  status: { images?: ImportStatusJSON[]; repository?: { status: StatusJSON; images?: ImportStatusJSON[]; additionalTags?: string[] }; import?: StreamJSON };
}

const clients: RegistryClient[] = [];
/** Prefers a platform no test image has, so Legacy falls back to linux/amd64 whatever runs the test. */
function registryClient(opts: RegistryClientOptions = {}): RegistryClient {
  const c = new RegistryClient({ platform: { os: 'linux', architecture: 'riscv64' }, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, ...opts });
  clients.push(c);
  return c;
}

function isi(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamImport', metadata: { name, ...metadata }, spec };
}
const image = (from: string, to: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  from: { kind: 'DockerImage', name: from },
  ...(to ? { to: { name: to } } : {}),
  ...extra,
});
const insecure = { importPolicy: { insecure: true } };

let etcd: EtcdHandle;
let reg: RegistryHandle;
const pushed: Record<string, string> = {};
const multiChildren: Record<string, string> = {};

before(async () => {
  etcd = await startEtcd();
  reg = await startRegistry();
  const single = buildOCIImage({ labels: { app: 'single' } });
  const other = buildOCIImage({ files: { 'other.txt': 'another image\n' } });
  const multi = buildOCIImage({
    platforms: [
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 's390x' },
    ],
  });
  for (const m of multi.manifests) multiChildren[m.platform.architecture] = m.digest;
  const jobs: Array<[string, string, string, Parameters<typeof pushImage>[2]]> = [
    ['oci', single.dir, 'team/oci:v1', { format: 'oci' }],
    ['docker', single.dir, 'team/docker:v1', { format: 'v2s2' }],
    ['oci-index', multi.dir, 'team/multi:oci', { format: 'oci', all: true }],
    ['docker-list', multi.dir, 'team/multi:docker', { format: 'v2s2', all: true }],
    ['tags-latest', single.dir, 'team/tags:latest', { format: 'v2s2' }],
    ['tags-1.0', other.dir, 'team/tags:1.0', { format: 'v2s2' }],
    ['tags-2.1', single.dir, 'team/tags:2.1', { format: 'oci' }],
    ['tags-beta', other.dir, 'team/tags:beta', { format: 'oci' }],
  ];
  for (const [key, dir, ref, opts] of jobs) pushed[key] = (await pushImage(dir, `${reg.host}/${ref}`, opts)).digest;
});

after(async () => {
  for (const c of clients) c.close();
  await reg?.stop();
  await etcd?.destroy();
});

describe('importing single images', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer({ etcd, registryClient: registryClient() });
  });
  after(async () => t?.stop());

  for (const [kind, key, repo, mediaType] of [
    ['an OCI image', 'oci', 'team/oci', OCI_MANIFEST],
    ['a Docker schema2 image', 'docker', 'team/docker', SCHEMA2],
  ] as const) {
    it(`${kind} becomes an Image named by its digest and a tag of a new stream`, async () => {
      const name = `single-${key}`;
      const from = `${reg.host}/${repo}:v1`;
      const r = await t.client.post(ns('imp', 'imagestreamimports'), isi(name, { import: true, images: [image(from, 'v1', insecure)] }));
      assert.equal(r.status, 201, r.text);
      const body = r.json<ISIJSON>();
      assert.equal(body.kind, 'ImageStreamImport');
      const result = body.status.images?.[0];
      assert.deepEqual(result?.status, { metadata: {}, status: 'Success' });
      assert.equal(result?.tag, 'v1');
      assert.equal(result?.image?.metadata.name, pushed[key]);
      assert.equal(result?.image?.dockerImageManifestMediaType, mediaType);
      assert.equal(result?.image?.dockerImageReference, `${reg.host}/${repo}@${pushed[key]}`);
      assert.equal(result?.image?.dockerImageManifest, undefined, 'manifests are returned only with includeManifest');
      assert.equal(result?.image?.dockerImageMetadata?.Architecture, 'amd64');

      const stream = body.status.import;
      assert.ok(stream, 'status.import is the stream');
      assert.ok(stream.metadata.annotations?.['openshift.io/image.dockerRepositoryCheck']);
      assert.deepEqual(stream.spec.tags?.[0]?.from, { kind: 'DockerImage', name: from });
      assert.equal(stream.spec.tags?.[0]?.generation, 1);
      const event = stream.status.tags?.[0]?.items?.[0];
      assert.deepEqual({ ...event, created: undefined }, { created: undefined, dockerImageReference: `${reg.host}/${repo}@${pushed[key]}`, image: pushed[key], generation: 1 });

      const stored = (await t.client.get(cluster('images', pushed[key]))).json<ImageJSON>();
      assert.equal(stored.dockerImageManifest, undefined, 'imports store Images without the raw manifest');
      assert.equal(stored.dockerImageConfig, undefined);
      assert.equal(stored.dockerImageLayers?.length, 1);
      assert.ok((stored.dockerImageMetadata?.Size ?? 0) > 0);
      const istag = await t.client.get(ns('imp', 'imagestreamtags', `${name}:v1`));
      assert.equal(istag.status, 200, istag.text);
    });
  }

  it('an image that already exists is shown as imported, with the creation time oc prints as Created:', async () => {
    const from = `${reg.host}/team/docker:v1`;
    await t.client.post(ns('imp', 'imagestreamimports'), isi('exists-a', { import: true, images: [image(from, 'v1', insecure)] }));
    const again = (await t.client.post(ns('imp', 'imagestreamimports'), isi('exists-b', { import: true, images: [image(from, 'v1', insecure)] }))).json<ISIJSON>();
    const shown = again.status.images?.[0]?.image;
    const stored = (await t.client.get(cluster('images', pushed.docker))).json<ImageJSON & { metadata: { uid: string; creationTimestamp: string } }>();
    assert.equal(shown?.metadata.name, pushed.docker);
    assert.equal(shown?.metadata.creationTimestamp, stored.metadata.creationTimestamp);
    assert.equal(shown?.metadata.uid, stored.metadata.uid);
    assert.equal(shown?.dockerImageMetadata?.Architecture, 'amd64');
    assert.equal(shown?.dockerImageManifest, undefined);
  });

  it('includeManifest returns the raw manifest and config', async () => {
    const r = await t.client.post(ns('imp', 'imagestreamimports'), isi('with-manifest', { import: false, images: [image(`${reg.host}/team/oci:v1`, undefined, { ...insecure, includeManifest: true })] }));
    const result = r.json<ISIJSON>().status.images?.[0];
    assert.match(result?.image?.dockerImageManifest ?? '', /"schemaVersion"/);
    assert.match(result?.image?.dockerImageConfig ?? '', /"architecture"/);
  });

  it('importing the same image again writes nothing', async () => {
    const body = isi('again', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] });
    const first = (await t.client.post(ns('imp', 'imagestreamimports'), body)).json<ISIJSON>();
    const second = await t.client.post(ns('imp', 'imagestreamimports'), body);
    assert.equal(second.status, 201);
    assert.equal(second.json<ISIJSON>().status.import?.metadata.resourceVersion, first.status.import?.metadata.resourceVersion);
    const stream = (await t.client.get(ns('imp', 'imagestreams', 'again'))).json<StreamJSON>();
    assert.equal(stream.metadata.resourceVersion, first.status.import?.metadata.resourceVersion, 'no write, no new resourceVersion');
    assert.equal(stream.metadata.generation, 1);
  });

  it('a new image under an imported tag adds a history event and bumps the generation', async () => {
    const body = (from: string) => isi('moves', { import: true, images: [image(from, 'app', insecure)] });
    await t.client.post(ns('imp', 'imagestreamimports'), body(`${reg.host}/team/tags:latest`));
    const r = await t.client.post(ns('imp', 'imagestreamimports'), body(`${reg.host}/team/tags:1.0`));
    const stream = r.json<ISIJSON>().status.import;
    assert.equal(stream?.metadata.generation, 2);
    assert.deepEqual(
      stream?.status.tags?.[0]?.items?.map((e) => [e.image, e.generation]),
      [
        [pushed['tags-1.0'], 2],
        [pushed['tags-latest'], 1],
      ],
    );
    assert.equal(stream?.spec.tags?.[0]?.from?.name, `${reg.host}/team/tags:1.0`);
    assert.equal(stream?.spec.tags?.[0]?.generation, 2);
  });

  it('an existing stream keeps its reference policy; the request sets the import policy', async () => {
    const created = await t.client.post(ns('imp', 'imagestreams'), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'policies' },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/x/y:1' }, referencePolicy: { type: 'Local' } }] },
    });
    assert.equal(created.status, 201, created.text);
    const r = await t.client.post(
      ns('imp', 'imagestreamimports'),
      isi('policies', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', { importPolicy: { insecure: true, scheduled: true }, referencePolicy: { type: 'Source' } })] }),
    );
    const tag = r.json<ISIJSON>().status.import?.spec.tags?.[0];
    assert.equal(tag?.referencePolicy?.type, 'Local');
    assert.deepEqual(tag?.importPolicy, { insecure: true, scheduled: true, importMode: 'Legacy' });
  });

  it('a missing tag is a 404 inside a 201, and the stream tag records the failure once', async () => {
    const from = `${reg.host}/team/oci:missing`;
    const body = isi('missing', { import: true, images: [image(from, 'missing', insecure)] });
    const r = await t.client.post(ns('imp', 'imagestreamimports'), body);
    assert.equal(r.status, 201, r.text);
    const status = r.json<ISIJSON>().status.images?.[0]?.status;
    assert.equal(status?.status, 'Failure');
    assert.equal(status?.code, 404);
    assert.equal(status?.reason, 'NotFound');
    assert.equal(status?.message, `dockerimage.image.openshift.io "${from}" not found`);
    const stream = r.json<ISIJSON>().status.import;
    assert.deepEqual(stream?.spec.tags?.[0]?.from, { kind: 'DockerImage', name: from }, 'a spec tag to retry from');
    const condition = stream?.status.tags?.[0]?.conditions?.[0];
    assert.deepEqual(
      { type: condition?.type, status: condition?.status, reason: condition?.reason, message: condition?.message, generation: condition?.generation },
      { type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: status?.message, generation: 1 },
    );
    // The same failure again changes nothing.
    const again = await t.client.post(ns('imp', 'imagestreamimports'), body);
    assert.equal(again.json<ISIJSON>().status.import?.metadata.resourceVersion, stream?.metadata.resourceVersion);
  });

  it('a preview (import: false) reports the images and creates nothing', async () => {
    const r = await t.client.post(ns('imp', 'imagestreamimports'), isi('preview', { import: false, images: [image(`${reg.host}/team/docker:v1`, 'v1', insecure)] }));
    assert.equal(r.status, 201, r.text);
    const body = r.json<ISIJSON>();
    assert.equal(body.status.images?.[0]?.status.status, 'Success');
    assert.equal(body.status.import, undefined);
    assert.equal((await t.client.get(ns('imp', 'imagestreams', 'preview'))).status, 404);
    const other = await startImageTestServer({ etcd, registryClient: registryClient() });
    try {
      const r2 = await other.client.post(ns('imp', 'imagestreamimports'), isi('preview', { import: false, images: [image(`${reg.host}/team/docker:v1`, 'v1', insecure)] }));
      assert.equal(r2.status, 201);
      assert.equal((await other.client.get(cluster('images', pushed.docker ?? ''))).status, 404, 'no Image either');
    } finally {
      await other.stop();
    }
  });

  it('an image without a tag to go to is only looked at', async () => {
    const r = await t.client.post(ns('imp', 'imagestreamimports'), isi('untagged', { import: true, images: [image(`${reg.host}/team/oci@${pushed.oci}`, undefined, insecure)] }));
    const body = r.json<ISIJSON>();
    assert.equal(body.status.images?.[0]?.status.status, 'Success');
    assert.equal(body.status.images?.[0]?.tag, '');
    assert.equal(body.status.import?.spec.tags, undefined);
  });

  it('a stale resourceVersion is 409 and an unknown uid is 404', async () => {
    const stream = (await t.client.get(ns('imp', 'imagestreams', 'again'))).json<StreamJSON>();
    const stale = await t.client.post(ns('imp', 'imagestreamimports'), isi('again', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] }, { resourceVersion: '1' }));
    assert.equal(stale.status, 409);
    assert.equal(stale.json().message, `Operation cannot be fulfilled on imagestream.image.openshift.io "again": the image stream was updated from "1" to "${stream.metadata.resourceVersion}"`);
    const uid = await t.client.post(ns('imp', 'imagestreamimports'), isi('again', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] }, { uid: 'not-it' }));
    assert.equal(uid.status, 404);
    const missing = await t.client.post(ns('imp', 'imagestreamimports'), isi('nope', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] }, { resourceVersion: '5' }));
    assert.equal(missing.status, 404);
  });

  it('invalid requests are 422 with OpenShift\'s messages', async () => {
    const empty = await t.client.post(ns('imp', 'imagestreamimports'), isi('bad', { import: true }));
    assert.equal(empty.status, 422);
    assert.equal(empty.json().message, 'ImageStreamImport.image.openshift.io "bad" is invalid: spec.images: Invalid value: "null": you must specify at least one image or a repository import');
    const kinds = await t.client.post(
      ns('imp', 'imagestreamimports'),
      isi('bad', { import: true, images: [{ from: { kind: 'ImageStreamTag', name: 'x:y' } }], repository: { from: { kind: 'DockerImage', name: 'quay.io/x/y:tag' } } }),
    );
    assert.equal(kinds.status, 422);
    assert.equal(
      kinds.json().message,
      'ImageStreamImport.image.openshift.io "bad" is invalid: [spec.images[0].from.kind: Invalid value: "ImageStreamTag": only DockerImage is supported, spec.repository.from.name: Invalid value: "quay.io/x/y:tag": you must specify an image repository, not a tag or ID]',
    );
  });
});

describe('manifest lists', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer({ etcd, registryClient: registryClient() });
  });
  after(async () => t?.stop());

  for (const [kind, tag, listKey] of [
    ['a Docker manifest list', 'docker', 'docker-list'],
    ['an OCI index', 'oci', 'oci-index'],
  ] as const) {
    it(`${kind} in Legacy mode imports the one image the platform order picks`, async () => {
      const r = await t.client.post(ns('lists', 'imagestreamimports'), isi(`legacy-${tag}`, { import: true, images: [image(`${reg.host}/team/multi:${tag}`, 'app', insecure)] }));
      assert.equal(r.status, 201, r.text);
      const result = r.json<ISIJSON>().status.images?.[0];
      assert.equal(result?.status.status, 'Success', JSON.stringify(result?.status));
      assert.equal(result?.image?.dockerImageMetadata?.Architecture, 'amd64');
      assert.notEqual(result?.image?.metadata.name, pushed[listKey]);
      assert.equal(result?.manifests, undefined);
      assert.equal(r.json<ISIJSON>().status.import?.status.tags?.[0]?.items?.[0]?.image, result?.image?.metadata.name);
    });

    it(`${kind} in PreserveOriginal mode keeps the list and imports every child`, async () => {
      const r = await t.client.post(
        ns('lists', 'imagestreamimports'),
        isi(`whole-${tag}`, { import: true, images: [image(`${reg.host}/team/multi:${tag}`, 'app', { importPolicy: { insecure: true, importMode: 'PreserveOriginal' } })] }),
      );
      assert.equal(r.status, 201, r.text);
      const result = r.json<ISIJSON>().status.images?.[0];
      assert.equal(result?.status.status, 'Success', JSON.stringify(result?.status));
      assert.equal(result?.image?.metadata.name, pushed[listKey]);
      assert.equal(result?.image?.dockerImageManifestMediaType, tag === 'oci' ? OCI_INDEX : LIST);
      assert.deepEqual(result?.image?.dockerImageManifests?.map((m) => m.architecture), ['arm64', 'amd64', 's390x']);
      assert.equal(result?.manifests?.length, 3);
      for (const child of result?.manifests ?? []) {
        assert.equal(child.dockerImageReference, `${reg.host}/team/multi@${child.metadata.name}`);
        assert.equal((await t.client.get(cluster('images', child.metadata.name))).status, 200, 'every child is an Image');
      }
      const stored = (await t.client.get(cluster('images', pushed[listKey] ?? ''))).json<ImageJSON>();
      assert.equal(stored.dockerImageManifests?.length, 3);
      const stream = r.json<ISIJSON>().status.import;
      assert.equal(stream?.status.tags?.[0]?.items?.[0]?.image, pushed[listKey]);
      assert.equal(stream?.spec.tags?.[0]?.importPolicy?.importMode, 'PreserveOriginal');
    });
  }

  it('a stream tag can prefer another architecture for Legacy imports', async () => {
    const created = await t.client.post(ns('lists', 'imagestreams'), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'prefers-arm' },
      spec: { tags: [{ name: 'app', annotations: { 'importer.image.openshift.io/prefer-arch': 'arm64' }, from: { kind: 'DockerImage', name: 'quay.io/x/y:1' }, reference: true }] },
    });
    assert.equal(created.status, 201, created.text);
    const r = await t.client.post(ns('lists', 'imagestreamimports'), isi('prefers-arm', { import: true, images: [image(`${reg.host}/team/multi:docker`, 'app', insecure)] }));
    const result = r.json<ISIJSON>().status.images?.[0];
    assert.equal(result?.image?.dockerImageMetadata?.Architecture, 'arm64');
  });
});

describe('importing a repository', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer({ etcd, registryClient: registryClient(), maxImagesBulkImportedPerRepository: 3 });
  });
  after(async () => t?.stop());

  it('takes latest, then versions newest first, up to the limit, and lists the rest', async () => {
    const r = await t.client.post(ns('repo', 'imagestreamimports'), isi('tags', { import: true, repository: { from: { kind: 'DockerImage', name: `${reg.host}/team/tags` }, importPolicy: { insecure: true } } }));
    assert.equal(r.status, 201, r.text);
    const repo = r.json<ISIJSON>().status.repository;
    assert.deepEqual(repo?.status, { metadata: {}, status: 'Success' });
    assert.deepEqual(
      repo?.images?.map((i) => [i.tag, i.image?.metadata.name]),
      [
        ['latest', pushed['tags-latest']],
        ['2.1', pushed['tags-2.1']],
        ['1.0', pushed['tags-1.0']],
      ],
    );
    assert.deepEqual(repo?.additionalTags, ['beta']);
    const stream = r.json<ISIJSON>().status.import;
    assert.deepEqual(
      stream?.spec.tags?.map((tag) => [tag.name, tag.from?.name]),
      ['1.0', '2.1', 'latest'].map((tag) => [tag, `${reg.host}/team/tags:${tag}`]),
    );
    assert.deepEqual(stream?.status.tags?.map((tag) => tag.items?.[0]?.image), [pushed['tags-1.0'], pushed['tags-2.1'], pushed['tags-latest']]);
  });

  it('a repository that does not exist fails as a whole', async () => {
    const r = await t.client.post(ns('repo', 'imagestreamimports'), isi('none', { import: false, repository: { from: { kind: 'DockerImage', name: `${reg.host}/team/none` }, importPolicy: { insecure: true } } }));
    assert.equal(r.status, 201, r.text);
    const repo = r.json<ISIJSON>().status.repository;
    assert.equal(repo?.status.code, 404);
    assert.equal(repo?.images, undefined);
  });
});

describe('insecure registries', () => {
  let t: ImageTestServer;
  let tlsReg: RegistryHandle;
  before(async () => {
    tlsReg = await startRegistry({ tls: true });
    await pushImage(buildOCIImage().dir, `${tlsReg.host}/team/app:v1`, { format: 'v2s2' });
    t = await startImageTestServer({ etcd, registryClient: registryClient() });
  });
  after(async () => {
    await t?.stop();
    await tlsReg?.stop();
  });

  it('a plain-HTTP registry without insecure says to set it', async () => {
    const from = `${reg.host}/team/oci:v1`;
    const r = await t.client.post(ns('insecure', 'imagestreamimports'), isi('http', { import: true, images: [image(from, 'v1')] }));
    assert.equal(r.status, 201, r.text);
    const status = r.json<ISIJSON>().status.images?.[0]?.status;
    assert.equal(status?.code, 400);
    assert.equal(status?.reason, 'BadRequest');
    assert.match(status?.message ?? '', new RegExp(`^the repository team/oci is HTTP only and requires the insecure flag to import: .*set importPolicy\\.insecure: true`));
    const condition = r.json<ISIJSON>().status.import?.status.tags?.[0]?.conditions?.[0];
    assert.equal(condition?.message, status?.message, 'the stream says it too');
  });

  it('insecure is per tag: of two tags of one repository only the insecure one imports, and the other says why', async () => {
    const r = await t.client.post(
      ns('insecure', 'imagestreamimports'),
      isi('per-tag', { import: true, images: [image(`${reg.host}/team/tags:latest`, 'latest', insecure), image(`${reg.host}/team/tags:1.0`, '1.0')] }),
    );
    assert.equal(r.status, 201, r.text);
    const [open, strict] = r.json<ISIJSON>().status.images ?? [];
    assert.equal(open?.status.status, 'Success');
    assert.equal(strict?.status.reason, 'BadRequest');
    assert.match(strict?.status.message ?? '', /set importPolicy\.insecure: true .*each tag needs it: another tag of the same repository being insecure does not make this one so/);
  });

  it('a registry whose certificate cannot be verified works only with insecure', async () => {
    const from = `${tlsReg.host}/team/app:v1`;
    const secure = await t.client.post(ns('insecure', 'imagestreamimports'), isi('tls', { import: false, images: [image(from, 'v1')] }));
    const status = secure.json<ISIJSON>().status.images?.[0]?.status;
    assert.deepEqual([status?.code, status?.reason], [500, 'InternalError'], 'the reason openshift-apiserver gives');
    assert.match(status?.message ?? '', /^Internal error occurred: .*cannot be verified.*trust its CA, or set importPolicy\.insecure: true/);
    const insecureImport = await t.client.post(ns('insecure', 'imagestreamimports'), isi('tls', { import: true, images: [image(from, 'v1', insecure)] }));
    assert.equal(insecureImport.json<ISIJSON>().status.images?.[0]?.status.status, 'Success');
  });
});

describe('registries that need credentials', () => {
  const USER = { user: 'puller', pass: 's3cret' };
  let t: ImageTestServer;
  let authReg: RegistryHandle;
  const secrets = new InMemorySecrets();
  const dockerConfig = (host: string, user: string, pass: string) => ({
    metadata: { name: 'pull', namespace: 'auth' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } })).toString('base64') },
  });
  before(async () => {
    authReg = await startRegistry({ htpasswd: USER });
    await pushImage(buildOCIImage().dir, `${authReg.host}/team/private:v1`, { format: 'v2s2', creds: USER });
    t = await startImageTestServer({ etcd, registryClient: registryClient(), pullSecrets: secrets });
  });
  after(async () => {
    await t?.stop();
    await authReg?.stop();
  });

  const post = () => t.client.post(ns('auth', 'imagestreamimports'), isi('private', { import: true, images: [image(`${authReg.host}/team/private:v1`, 'v1', insecure)] }));

  it('fails without a pull secret, saying there were no credentials', async () => {
    secrets.set('auth', []);
    const status = (await post()).json<ISIJSON>().status.images?.[0]?.status;
    assert.equal(status?.code, 401);
    assert.equal(status?.message, `you may not have access to the container image "${authReg.host}/team/private:v1" and did not have credentials to the repository`);
  });

  it('says the password is wrong when the secret has a wrong one', async () => {
    secrets.set('auth', [dockerConfig(authReg.host, USER.user, 'wrong')]);
    const status = (await post()).json<ISIJSON>().status.images?.[0]?.status;
    assert.equal(status?.code, 401);
    assert.equal(status?.message, `incorrect username or password for image "${authReg.host}/team/private:v1"`);
  });

  it('succeeds with the namespace\'s pull secret', async () => {
    secrets.set('auth', [dockerConfig(authReg.host, USER.user, USER.pass)]);
    const r = await post();
    assert.equal(r.json<ISIJSON>().status.images?.[0]?.status.status, 'Success', r.text);
    assert.ok(r.json<ISIJSON>().status.import?.status.tags?.[0]?.items?.[0]?.image);
  });

  it('a secret another namespace has is not used', async () => {
    secrets.set('auth', []);
    secrets.set('elsewhere', [dockerConfig(authReg.host, USER.user, USER.pass)]);
    const status = (await post()).json<ISIJSON>().status.images?.[0]?.status;
    assert.equal(status?.code, 401);
  });
});

describe('the registry allow-list', () => {
  let t: ImageTestServer;
  const reviews: AccessReviewRequest[] = [];
  const ALICE: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
  const PUSHER: UserInfo = { username: 'pusher', groups: ['system:authenticated'] };
  const access: ImageAccessChecker = {
    canI: async (user, r) => {
      reviews.push(r);
      return { allowed: user.username === 'pusher' && r.resource === 'imagestreammappings' };
    },
  };
  before(async () => {
    t = await startImageTestServer({
      etcd,
      registryClient: registryClient(),
      allowedRegistries: [{ domainName: 'quay.io' }, { domainName: `localhost:${reg.port}`, insecure: true }],
      accessChecker: access,
      users: { alice: ALICE, pusher: PUSHER },
    });
  });
  after(async () => t?.stop());

  it('refuses an unlisted registry with 422 to users who cannot create images', async () => {
    reviews.length = 0;
    const r = await t.as('alice').post(ns('allow', 'imagestreamimports'), isi('app', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] }));
    assert.equal(r.status, 422, r.text);
    assert.equal(
      r.json().message,
      `ImageStreamImport.image.openshift.io "app" is invalid: spec.images[0].from.name: Forbidden: importing images from registry "${reg.host}" is forbidden: registry "${reg.host}" not allowed by whitelist: "quay.io:443", "localhost:${reg.port}"`,
    );
    assert.deepEqual(
      reviews.map((x) => [x.verb, x.resource, x.namespace]),
      [
        ['create', 'images', ''],
        ['create', 'imagestreammappings', ''],
      ],
    );
    assert.equal((await t.client.get(ns('allow', 'imagestreams', 'app'))).status, 404);
  });

  it('lets users who may create image stream mappings import from anywhere', async () => {
    const r = await t.as('pusher').post(ns('allow', 'imagestreamimports'), isi('app', { import: false, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] }));
    assert.equal(r.status, 201, r.text);
  });

  it('asks nobody about listed registries', async () => {
    reviews.length = 0;
    const r = await t.as('alice').post(ns('allow', 'imagestreamimports'), isi('listed', { import: true, images: [image(`localhost:${reg.port}/team/oci:v1`, 'v1', insecure)] }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json<ISIJSON>().status.images?.[0]?.status.status, 'Success');
    assert.equal(reviews.length, 0);
  });
});

describe('image stream limits', () => {
  let t: ImageTestServer;
  const ranges = new InMemoryLimitRanges();
  before(async () => {
    ranges.set('limited', [{ spec: { limits: [{ type: 'openshift.io/ImageStream', max: { 'openshift.io/images': '1' } }] } }]);
    t = await startImageTestServer({ etcd, registryClient: registryClient(), limitRanges: ranges });
  });
  after(async () => t?.stop());

  it('an import over the limit is refused, and the tags it would have added say why', async () => {
    const first = await t.client.post(ns('limited', 'imagestreamimports'), isi('app', { import: true, images: [image(`${reg.host}/team/oci:v1`, 'v1', insecure)] }));
    assert.equal(first.status, 201, first.text);
    const r = await t.client.post(ns('limited', 'imagestreamimports'), isi('app', { import: true, images: [image(`${reg.host}/team/tags:1.0`, 'other', insecure)] }));
    assert.equal(r.status, 422, r.text);
    assert.match(r.json().message as string, /requested usage of openshift\.io\/images exceeds the maximum limit per openshift\.io\/ImageStream \(2 > 1\)/);
    const stream = (await t.client.get(ns('limited', 'imagestreams', 'app'))).json<StreamJSON>();
    const other = stream.status.tags?.find((tag) => tag.tag === 'other');
    assert.equal(other?.items, null);
    assert.equal(other?.conditions?.[0]?.type, 'ImportSuccess');
    assert.match(other?.conditions?.[0]?.message ?? '', /exceeds the maximum limit/);
  });
});
