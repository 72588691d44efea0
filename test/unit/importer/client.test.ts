// The registry client against an in-process fake registry: auth flows, retries, limits,
// pagination, redirects, schema1, caching, and the errors a user sees.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, it } from '@jest/globals';
import { computeDigest } from '../../../src/image/api/digest.js';
import { decodeDockerImageMetadata } from '../../../src/image/api/metadata.js';
import { Keyring, RegistryClient, RegistryError, type RegistryClientOptions, type RegistryErrorKind } from '../../../src/image/importer/index.js';
import { schema1Payload, signSchema1 } from '../image/fixtures.js';
import { serveBlob, serveManifest, startFakeRegistry, type FakeRegistry } from './fake-registry.js';

const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 2_000 };

interface TestImage {
  manifest: string;
  digest: string;
  config: string;
  configDigest: string;
}

function testImage(arch: string, os = 'linux'): TestImage {
  const config = JSON.stringify({ architecture: arch, os, created: '2024-01-02T03:04:05Z', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [] } });
  const configDigest = computeDigest(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: SCHEMA2,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 100, digest: computeDigest(`layer-${arch}`) }],
  });
  return { manifest, digest: computeDigest(manifest), config, configDigest };
}

function serveImage(fake: FakeRegistry, repo: string, tag: string | undefined, img: TestImage): void {
  if (tag) serveManifest(fake, `/v2/${repo}/manifests/${tag}`, img.manifest, SCHEMA2, img.digest);
  serveManifest(fake, `/v2/${repo}/manifests/${img.digest}`, img.manifest, SCHEMA2, img.digest);
  serveBlob(fake, `/v2/${repo}/blobs/${img.configDigest}`, img.config);
}

function listOf(images: Array<[TestImage, string, string]>): { body: string; digest: string } {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: LIST,
    manifests: images.map(([img, os, architecture]) => ({ mediaType: SCHEMA2, size: img.manifest.length, digest: img.digest, platform: { os, architecture } })),
  });
  return { body, digest: computeDigest(body) };
}

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  return assert.fail('expected a RegistryError');
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

let fake: FakeRegistry;
let clients: RegistryClient[] = [];
const client = (opts: RegistryClientOptions = {}) => {
  const c = new RegistryClient({ retry: FAST_RETRY, platform: { os: 'linux', architecture: 'amd64' }, ...opts });
  clients.push(c);
  return c;
};
beforeEach(async () => {
  fake = await startFakeRegistry();
});
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await fake.stop();
});

describe('registry client: authentication', () => {
  function bearerRegistry(opts: { user: string; pass: string; expiresIn: number }) {
    const tokens: string[] = [];
    let issued = 0;
    const realm = `${fake.url}/token`;
    const challenge = (scope?: string) => `Bearer realm="${realm}",service="fake"${scope ? `,scope="${scope}"` : ''}`;
    fake.route('GET', '/v2/', (_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': challenge() });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    fake.route('GET', '/token', (req, res, url) => {
      const expected = `Basic ${Buffer.from(`${opts.user}:${opts.pass}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401);
        res.end('{"details":"incorrect username or password"}');
        return;
      }
      const token = `t${++issued}`;
      tokens.push(`${token} ${url.searchParams.get('service')} ${url.searchParams.get('scope')}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: opts.expiresIn }));
    });
    const img = testImage('amd64');
    const guard = (path: string, body: string, type: string, digest?: string) => {
      for (const method of ['GET', 'HEAD']) {
        fake.route(method, path, (req, res) => {
          if (!tokens.some((t) => req.headers.authorization === `Bearer ${t.split(' ')[0]}`)) {
            res.writeHead(401, { 'WWW-Authenticate': challenge('repository:team/app:pull') });
            res.end(method === 'GET' ? '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}' : undefined);
            return;
          }
          res.writeHead(200, { 'Content-Type': type, ...(digest ? { 'Docker-Content-Digest': digest } : {}) });
          res.end(method === 'GET' ? body : undefined);
        });
      }
    };
    guard('/v2/team/app/manifests/v1', img.manifest, SCHEMA2, img.digest);
    guard(`/v2/team/app/manifests/${img.digest}`, img.manifest, SCHEMA2, img.digest);
    guard(`/v2/team/app/blobs/${img.configDigest}`, img.config, 'application/octet-stream');
    return { tokens, img };
  }

  it('gets a Bearer token with the pull secret, for the repository scope, and reuses it until it expires', async () => {
    const { tokens, img } = bearerRegistry({ user: 'u', pass: 'p', expiresIn: 60 });
    let now = Date.parse('2030-01-01T00:00:00Z');
    const c = client({ now: () => new Date(now) });
    const keyring = new Keyring();
    keyring.add(fake.host, 'u', 'p');
    const first = await c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true, keyring }), 'v1');
    assert.equal(first.image.metadata.name, img.digest);
    assert.deepEqual(tokens, ['t1 fake repository:team/app:pull']);
    await c.repository(`${fake.host}/team/app`, { insecure: true, keyring }).getManifest(img.digest);
    assert.equal(tokens.length, 1, 'token reused');
    now += 60_000; // past expires_in minus the safety margin
    await c.repository(`${fake.host}/team/app`, { insecure: true, keyring }).getManifest(img.digest);
    assert.equal(tokens.length, 2, 'expired token replaced');
  });

  it('without credentials a Bearer registry that refuses anonymous tokens is Unauthorized, credentials "none"', async () => {
    bearerRegistry({ user: 'u', pass: 'p', expiresIn: 60 });
    const c = client();
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.equal(err.kind, 'Unauthorized');
    assert.equal(err.credentials, 'none');
    assert.equal(err.reference, `${fake.host}/team/app:v1`);
  });

  it('with wrong credentials it retries anonymously, and reports them as rejected when that fails too', async () => {
    bearerRegistry({ user: 'u', pass: 'p', expiresIn: 60 });
    const c = client();
    const keyring = new Keyring();
    keyring.add(fake.host, 'u', 'wrong');
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true, keyring }), 'v1'));
    assert.equal(err.kind, 'Unauthorized');
    assert.equal(err.credentials, 'rejected');
    const tokenCalls = fake.log.filter((l) => l.startsWith('GET /token'));
    assert.equal(tokenCalls.length, 2, 'once with the credentials, once anonymously');
  });

  it('retries anonymously when a Basic registry rejects the credentials of a public image', async () => {
    const img = testImage('amd64');
    const seen: string[] = [];
    fake.route('GET', '/v2/', (_req, res) => {
      res.writeHead(200);
      res.end('{}');
    });
    for (const [path, body, type, digest] of [
      ['/v2/pub/app/manifests/v1', img.manifest, SCHEMA2, img.digest],
      [`/v2/pub/app/blobs/${img.configDigest}`, img.config, 'application/octet-stream', undefined],
    ] as const) {
      for (const method of ['GET', 'HEAD']) {
        fake.route(method, path, (req, res) => {
          seen.push(`${method} ${req.headers.authorization ? 'creds' : 'anonymous'}`);
          if (req.headers.authorization) {
            res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' });
            res.end();
            return;
          }
          res.writeHead(200, { 'Content-Type': type, ...(digest ? { 'Docker-Content-Digest': digest } : {}) });
          res.end(method === 'GET' ? body : undefined);
        });
      }
    }
    const c = client();
    const repo = c.repository(`${fake.host}/pub/app`, { insecure: true, credential: { username: 'u', password: 'stale', server: fake.host } });
    // No challenge on /v2/: credentials are only sent once a resource asks for them.
    const imported = await c.importImage(repo, 'v1');
    assert.equal(imported.image.metadata.name, img.digest);
    assert.ok(seen.every((s) => s.endsWith('anonymous')), seen.join(', '));

    // Now a registry that challenges on /v2/: the credentials go out, are refused, and the
    // import continues anonymously.
    fake.route('GET', '/v2/', (_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' });
      res.end();
    });
    seen.length = 0;
    const c2 = client();
    const repo2 = c2.repository(`${fake.host}/pub/app`, { insecure: true, credential: { username: 'u', password: 'stale', server: fake.host } });
    assert.equal((await c2.importImage(repo2, 'v1')).image.metadata.name, img.digest);
    assert.equal(seen[0], 'HEAD creds');
    assert.equal(seen[1], 'HEAD anonymous');
    assert.ok(seen.slice(2).every((s) => s.endsWith('anonymous')), 'the session stays anonymous');
    assert.equal(repo2.credentialUse, 'rejected');
  });
});

describe('registry client: retries, limits and timeouts', () => {
  it('waits out a 429 as Retry-After says, then succeeds', async () => {
    const img = testImage('amd64');
    serveImage(fake, 'team/app', 'v1', img);
    let calls = 0;
    fake.route('GET', '/v2/team/app/manifests/v1', (_req, res) => {
      if (++calls === 1) {
        res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
        return;
      }
      res.writeHead(200, { 'Content-Type': SCHEMA2, 'Docker-Content-Digest': img.digest });
      res.end(img.manifest);
    });
    const c = client();
    const t0 = Date.now();
    await c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1');
    assert.ok(Date.now() - t0 >= 950, 'honoured Retry-After: 1');
    assert.equal(calls, 2);
  });

  it('reports a 429 whose Retry-After is too long as TooManyRequests, without waiting', async () => {
    fake.route('HEAD', '/v2/team/app/manifests/v1', (_req, res) => {
      res.writeHead(429, { 'Retry-After': '3600' });
      res.end();
    });
    const c = client();
    const t0 = Date.now();
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.equal(err.kind, 'TooManyRequests');
    assert.equal(err.retryAfterSeconds, 3600);
    assert.ok(Date.now() - t0 < 1_000);
  });

  it('retries 5xx with backoff, then reports the registry unavailable', async () => {
    let calls = 0;
    fake.route('HEAD', '/v2/team/app/manifests/v1', (_req, res) => {
      calls++;
      res.writeHead(503);
      res.end();
    });
    const c = client();
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.equal(err.kind, 'Unavailable');
    assert.equal(calls, FAST_RETRY.maxAttempts);
    assert.match(err.message, /answered 503/);
  });

  it('reports a closed port and a silent registry as unavailable', async () => {
    const port = await closedPort();
    const c = client({ requestTimeoutMs: 300 });
    const refused = await failure(c.repository(`127.0.0.1:${port}/team/app`, { insecure: true }).getManifest('v1'));
    assert.equal(refused.kind, 'Unavailable');
    assert.match(refused.message, /refused the connection/);

    fake.route('HEAD', '/v2/team/slow/manifests/v1', () => new Promise(() => undefined));
    const silent = await failure(c.repository(`${fake.host}/team/slow`, { insecure: true }).getManifest('v1'));
    assert.equal(silent.kind, 'Unavailable');
    assert.match(silent.message, /did not answer/);
  });

  it('keeps at most perRegistryConcurrency requests in flight to one registry', async () => {
    const images = ['a', 'b', 'c', 'd', 'e', 'f'].map((arch) => testImage(arch));
    for (const img of images) {
      serveImage(fake, 'team/app', undefined, img);
      fake.route('GET', `/v2/team/app/manifests/${img.digest}`, async (_req, res) => {
        await new Promise((r) => setTimeout(r, 50));
        res.writeHead(200, { 'Content-Type': SCHEMA2, 'Docker-Content-Digest': img.digest });
        res.end(img.manifest);
      });
    }
    const list = listOf(images.map((img, i) => [img, 'linux', `arch${i}`]));
    serveManifest(fake, '/v2/team/app/manifests/multi', list.body, LIST, list.digest);
    const c = client({ perRegistryConcurrency: 2 });
    const imported = await c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'multi', { importMode: 'PreserveOriginal' });
    assert.equal(imported.manifests?.length, 6);
    assert.equal(fake.maxConcurrent, 2);
  });

  it('stops when the caller aborts', async () => {
    fake.route('HEAD', '/v2/team/app/manifests/v1', () => new Promise(() => undefined));
    const c = client();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('request cancelled')), 50);
    await assert.rejects(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1', { signal: ac.signal }), /request cancelled/);
  });
});

describe('registry client: protocol details', () => {
  it('follows Link pagination of the tag list', async () => {
    const pages: Record<string, [string[], string | undefined]> = {
      '': [['a', 'b'], '</v2/team/app/tags/list?last=b&n=2>; rel="next"'],
      b: [['c', 'd'], `<${fake.url}/v2/team/app/tags/list?last=d&n=2>; rel="next"`],
      d: [['e'], undefined],
    };
    fake.route('GET', '/v2/team/app/tags/list', (_req, res, url) => {
      const [tags, link] = pages[url.searchParams.get('last') ?? ''] ?? [[], undefined];
      res.writeHead(200, { 'Content-Type': 'application/json', ...(link ? { Link: link } : {}) });
      res.end(JSON.stringify({ name: 'team/app', tags }));
    });
    const c = client();
    assert.deepEqual(await c.repository(`${fake.host}/team/app`, { insecure: true }).listTags({ pageSize: 2 }), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(fake.log.filter((l) => l.includes('tags/list')), ['GET /v2/team/app/tags/list?n=2', 'GET /v2/team/app/tags/list?last=b&n=2', 'GET /v2/team/app/tags/list?last=d&n=2']);
  });

  it('does not follow a pagination link to another host', async () => {
    fake.route('GET', '/v2/team/app/tags/list', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', Link: '<https://evil.example.com/v2/x>; rel="next"' });
      res.end('{"tags":["a"]}');
    });
    const c = client();
    const err = await failure(c.repository(`${fake.host}/team/app`, { insecure: true }).listTags());
    assert.equal(err.kind, 'Unexpected');
    assert.match(err.message, /another host/);
  });

  it('follows blob redirects without the registry credentials, but not manifest redirects', async () => {
    const cdn = await startFakeRegistry();
    try {
      const img = testImage('amd64');
      serveManifest(fake, '/v2/team/app/manifests/v1', img.manifest, SCHEMA2, img.digest);
      fake.route('GET', `/v2/team/app/blobs/${img.configDigest}`, (_req, res) => {
        res.writeHead(307, { Location: `${cdn.url}/storage/config` });
        res.end();
      });
      let cdnAuth: string | undefined = 'unset';
      cdn.route('GET', '/storage/config', (req, res) => {
        cdnAuth = req.headers.authorization;
        res.writeHead(200);
        res.end(img.config);
      });
      const c = client();
      const repo = c.repository(`${fake.host}/team/app`, { insecure: true, credential: { username: 'u', password: 'p', server: fake.host } });
      fake.route('GET', '/v2/', (_req, res) => {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' });
        res.end();
      });
      const imported = await c.importImage(repo, 'v1');
      assert.equal(imported.image.dockerImageConfig, img.config);
      assert.equal(cdnAuth, undefined, 'no Authorization sent to the storage host');

      fake.route('HEAD', '/v2/team/app/manifests/moved', (_req, res) => {
        res.writeHead(302, { Location: `${cdn.url}/m` });
        res.end();
      });
      fake.route('GET', '/v2/team/app/manifests/moved', (_req, res) => {
        res.writeHead(302, { Location: `${cdn.url}/m` });
        res.end();
      });
      const err = await failure(c.importImage(repo, 'moved'));
      assert.equal(err.kind, 'Unexpected');
      assert.ok(!cdn.log.includes('GET /m'), 'manifest redirect not followed');
    } finally {
      await cdn.stop();
    }
  });

  it('imports a signed schema1 image, naming it by its payload and asking the registry for layer sizes', async () => {
    const payload = schema1Payload();
    const signed = signSchema1(payload);
    const digest = computeDigest(payload);
    serveManifest(fake, '/v2/team/old/manifests/latest', signed, 'application/vnd.docker.distribution.manifest.v1+prettyjws', digest);
    // Without sizes in the history, the client asks the registry for each layer's size.
    const blob = (c: string) => `sha256:${c.repeat(64)}`;
    const bare = JSON.stringify(
      {
        schemaVersion: 1,
        name: 'team/old',
        tag: 'nosizes',
        architecture: 'amd64',
        fsLayers: [{ blobSum: blob('c') }, { blobSum: blob('b') }, { blobSum: blob('b') }, { blobSum: blob('a') }],
        history: ['top', 'mid2', 'mid', 'base'].map((id) => ({ v1Compatibility: JSON.stringify({ id, created: '2016-02-15T07:30:37Z', architecture: 'amd64' }) })),
      },
      null,
      3,
    );
    const noSizesDigest = computeDigest(bare);
    serveManifest(fake, '/v2/team/old/manifests/nosizes', signSchema1(bare), 'application/vnd.docker.distribution.manifest.v1+prettyjws', noSizesDigest);
    for (const [c, size] of [['a', 1000], ['b', 200], ['c', 30]] as const) serveBlob(fake, `/v2/team/old/blobs/sha256:${c.repeat(64)}`, Buffer.alloc(size));
    const c = client();
    const repo = c.repository(`${fake.host}/team/old`, { insecure: true });
    const withSizes = await c.importImage(repo, 'latest');
    assert.equal(withSizes.image.metadata.name, digest);
    assert.equal(withSizes.image.dockerImageManifestMediaType, 'application/vnd.docker.distribution.manifest.v1+json');
    assert.equal(withSizes.image.dockerImageManifest, signed);
    assert.ok(!fake.log.some((l) => l.startsWith('HEAD /v2/team/old/blobs/')), 'sizes came from the manifest');

    const asked = await c.importImage(repo, 'nosizes');
    const meta = decodeDockerImageMetadata(asked.image.dockerImageMetadata, '1.0');
    assert.equal(meta.size, 1230, 'unique layers: a + b + c');
    assert.deepEqual(asked.image.dockerImageLayers?.map((l) => l.size), [1000, 200, 200, 30]);
  });

  it('rejects a manifest that does not match the digest the registry announced', async () => {
    const img = testImage('amd64');
    serveManifest(fake, '/v2/team/app/manifests/v1', img.manifest, SCHEMA2, computeDigest('something else'));
    const c = client();
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.equal(err.kind, 'DigestMismatch');
    assert.match(err.message, /^content integrity error: the manifest retrieved/);
  });

  it('rejects a config blob that does not match its digest, and oversized manifests', async () => {
    const img = testImage('amd64');
    serveManifest(fake, '/v2/team/app/manifests/v1', img.manifest, SCHEMA2, img.digest);
    serveBlob(fake, `/v2/team/app/blobs/${img.configDigest}`, `${img.config} `);
    const c = client();
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.equal(err.kind, 'DigestMismatch');
    assert.match(err.message, /image config retrieved/);
    const small = client({ maxManifestBytes: 64 });
    const big = await failure(small.importImage(small.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.match(big.message, /larger than 64 bytes/);
  });

  it('says a registry without /v2/ is not a v2 registry', async () => {
    fake.route('GET', '/v2/', (_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const c = client();
    const err = await failure(c.repository(`${fake.host}/team/app`, { insecure: true }).ping());
    assert.equal(err.kind, 'NotV2Registry');
  });

  it('says a plain-HTTP registry needs insecure, and uses it when allowed', async () => {
    const img = testImage('amd64');
    serveImage(fake, 'team/app', 'v1', img);
    const c = client();
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`), 'v1'));
    assert.equal(err.kind, 'InsecureRequired' satisfies RegistryErrorKind);
    assert.match(err.message, /speaks plain HTTP.*importPolicy\.insecure/);
    assert.equal((await c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1')).image.metadata.name, img.digest);
  });
});

describe('registry client: cache', () => {
  it('serves a manifest and config it has seen from the cache, after a HEAD that checks access', async () => {
    const img = testImage('amd64');
    serveImage(fake, 'team/app', 'v1', img);
    const c = client();
    await c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1');
    const firstGets = fake.log.filter((l) => l.startsWith('GET /v2/team/app/')).length;
    assert.equal(firstGets, 2, 'manifest and config');
    fake.log.length = 0;
    const again = await c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1');
    assert.equal(again.image.metadata.name, img.digest);
    assert.deepEqual(fake.log, ['HEAD /v2/team/app/manifests/v1']);
    fake.log.length = 0;
    await c.repository(`${fake.host}/team/app`, { insecure: true }).getManifest(img.digest);
    assert.deepEqual(fake.log, [`HEAD /v2/team/app/manifests/${img.digest}`], 'by digest: cached after an access check');
    // A digest nobody fetched yet goes straight to GET.
    const other = testImage('arm64');
    serveImage(fake, 'team/app', undefined, other);
    fake.log.length = 0;
    await c.repository(`${fake.host}/team/app`, { insecure: true }).getManifest(other.digest);
    assert.deepEqual(fake.log, [`GET /v2/team/app/manifests/${other.digest}`]);

    // A caller the registry turns away gets nothing from the cache.
    fake.route('HEAD', '/v2/team/app/manifests/v1', (_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' });
      res.end();
    });
    const err = await failure(c.importImage(c.repository(`${fake.host}/team/app`, { insecure: true }), 'v1'));
    assert.equal(err.kind, 'Unauthorized');
  });
});
