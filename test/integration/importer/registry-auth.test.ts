// Registry credentials against real registries: htpasswd Basic auth, and Bearer tokens from a
// token service (the Docker Hub / quay.io flow) with a public and a private repository.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { importStatusFor, Keyring, RegistryClient, RegistryError, type PullSecret } from '../../../src/image/importer/index.js';
import { buildOCIImage } from '../../support/oci-image.js';
import { pushImage, startRegistry, type RegistryHandle } from '../../support/registry.js';
import { startTokenServer, type TokenServerHandle } from '../../support/token-server.js';

const USER = { user: 'alice', pass: 's3cret' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

function dockerConfigSecret(server: string, user: string, pass: string): PullSecret {
  return {
    metadata: { name: 'pull' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { [server]: { auth: b64(`${user}:${pass}`) } } })) },
  };
}

function dockercfgSecret(server: string, user: string, pass: string): PullSecret {
  return { metadata: { name: 'legacy' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ [server]: { username: user, password: pass } })) } };
}

const keyring = (...secrets: PullSecret[]) => {
  const { keyring: k, problems } = Keyring.fromSecrets(secrets);
  assert.deepEqual(problems, []);
  return k;
};

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  return assert.fail('expected a RegistryError');
}

const clients: RegistryClient[] = [];
const client = () => {
  const c = new RegistryClient({ retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
  clients.push(c);
  return c;
};
after(() => {
  for (const c of clients) c.close();
});

describe('a registry with htpasswd (Basic) auth', () => {
  let reg: RegistryHandle;
  let digest = '';
  before(async () => {
    reg = await startRegistry({ htpasswd: USER });
    digest = (await pushImage(buildOCIImage().dir, `${reg.host}/team/app:v1`, { format: 'v2s2', creds: USER })).digest;
  });
  after(async () => {
    await reg?.stop();
  });

  it('fails without a pull secret, saying there were no credentials', async () => {
    const c = client();
    const err = await failure(c.importImage(c.repository(`${reg.host}/team/app`, { insecure: true, keyring: new Keyring() }), 'v1'));
    assert.equal(err.kind, 'Unauthorized');
    assert.equal(err.credentials, 'none');
    assert.deepEqual(importStatusFor(err), {
      metadata: {},
      status: 'Failure',
      message: `you may not have access to the container image "${reg.host}/team/app:v1" and did not have credentials to the repository`,
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('succeeds with a matching dockerconfigjson or dockercfg pull secret', async () => {
    const c = client();
    for (const k of [
      keyring(dockerConfigSecret(reg.host, USER.user, USER.pass)),
      keyring(dockercfgSecret(`http://${reg.host}/team`, USER.user, USER.pass)),
      // Another registry's secret next to the right one does not get in the way.
      keyring(dockerConfigSecret('quay.io', 'someone', 'else'), dockerConfigSecret(reg.host, USER.user, USER.pass)),
    ]) {
      const { image } = await c.importImage(c.repository(`${reg.host}/team/app`, { insecure: true, keyring: k }), 'v1');
      assert.equal(image.metadata.name, digest);
    }
  });

  it('a secret for another path or host is not used', async () => {
    const c = client();
    const k = keyring(dockerConfigSecret(`${reg.host}/other-team`, USER.user, USER.pass), dockerConfigSecret('127.0.0.2', USER.user, USER.pass));
    const err = await failure(c.importImage(c.repository(`${reg.host}/team/app`, { insecure: true, keyring: k }), 'v1'));
    assert.equal(err.credentials, 'none');
  });

  it('a wrong password is reported as such', async () => {
    const c = client();
    const k = keyring(dockerConfigSecret(reg.host, USER.user, 'wrong'));
    const err = await failure(c.importImage(c.repository(`${reg.host}/team/app`, { insecure: true, keyring: k }), 'v1'));
    assert.equal(err.kind, 'Unauthorized');
    assert.equal(err.credentials, 'rejected');
    assert.equal(importStatusFor(err).message, `incorrect username or password for image "${reg.host}/team/app:v1"`);
  });
});

describe('a registry with a Bearer token service', () => {
  let tokens: TokenServerHandle;
  let reg: RegistryHandle;
  const digests: Record<string, string> = {};
  before(async () => {
    tokens = await startTokenServer({ user: USER, publicRepositories: ['public/app'] });
    reg = await startRegistry({ token: tokens.auth });
    const layout = buildOCIImage().dir;
    for (const name of ['public/app', 'private/app']) {
      digests[name] = (await pushImage(layout, `${reg.host}/${name}:v1`, { format: 'oci', creds: USER })).digest;
    }
    tokens.requests.length = 0;
  });
  after(async () => {
    await reg?.stop();
    await tokens?.stop();
  });

  it('imports a public image anonymously', async () => {
    const c = client();
    const { image } = await c.importImage(c.repository(`${reg.host}/public/app`, { insecure: true }), 'v1');
    assert.equal(image.metadata.name, digests['public/app']);
    assert.ok(tokens.requests.includes('anonymous repository:public/app:pull'), tokens.requests.join('\n'));
  });

  it('retries anonymously when the token service rejects the credentials of a public image', async () => {
    tokens.requests.length = 0;
    const c = client();
    const repo = c.repository(`${reg.host}/public/app`, { insecure: true, keyring: keyring(dockerConfigSecret(reg.host, USER.user, 'expired')) });
    const { image } = await c.importImage(repo, 'v1');
    assert.equal(image.metadata.name, digests['public/app']);
    assert.deepEqual(tokens.requests, ['rejected repository:public/app:pull', 'anonymous repository:public/app:pull']);
    assert.equal(repo.credentialUse, 'rejected');
  });

  it('a private image with wrong credentials is "incorrect username or password"; without any, "no credentials"', async () => {
    const c = client();
    const wrong = await failure(c.importImage(c.repository(`${reg.host}/private/app`, { insecure: true, keyring: keyring(dockerConfigSecret(reg.host, USER.user, 'nope')) }), 'v1'));
    assert.equal(wrong.kind, 'Unauthorized');
    assert.equal(importStatusFor(wrong).message, `incorrect username or password for image "${reg.host}/private/app:v1"`);
    const none = await failure(c.importImage(c.repository(`${reg.host}/private/app`, { insecure: true }), 'v1'));
    assert.equal(none.kind, 'Unauthorized');
    assert.equal(none.credentials, 'none');
  });

  it('a private image with the right credentials imports, and the token is reused', async () => {
    tokens.requests.length = 0;
    const c = client();
    const k = keyring(dockerConfigSecret(reg.host, USER.user, USER.pass));
    const { image } = await c.importImage(c.repository(`${reg.host}/private/app`, { insecure: true, keyring: k }), 'v1');
    assert.equal(image.metadata.name, digests['private/app']);
    assert.deepEqual(tokens.requests, ['alice repository:private/app:pull']);
    await c.repository(`${reg.host}/private/app`, { insecure: true, keyring: k }).getManifest('v1');
    assert.equal(tokens.requests.length, 1, 'the cached token served the second session');
  });
});
