// A real registry behind TLS with a certificate from a CA nobody trusts: verification fails with
// a message that says what to do, a trusted CA or insecure makes it work, and insecure still uses
// HTTPS when the registry speaks it.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { importStatusFor, RegistryClient, RegistryError, type RequestEvent } from '../../../src/image/importer/index.js';
import { buildOCIImage } from '../../support/oci-image.js';
import { pushImage, startRegistry, type RegistryHandle } from '../../support/registry.js';

let reg: RegistryHandle;
let digest = '';
const clients: RegistryClient[] = [];
const client = (opts: ConstructorParameters<typeof RegistryClient>[0] = {}) => {
  const c = new RegistryClient({ retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, ...opts });
  clients.push(c);
  return c;
};

before(async () => {
  reg = await startRegistry({ tls: true });
  digest = (await pushImage(buildOCIImage().dir, `${reg.host}/team/app:v1`, { format: 'oci' })).digest;
});
after(async () => {
  for (const c of clients) c.close();
  await reg?.stop();
});

describe('a registry with an untrusted TLS certificate', () => {
  it('fails certificate verification without insecure, saying what to change', async () => {
    const c = client();
    let err: unknown;
    try {
      await c.importImage(c.repository(`${reg.host}/team/app`), 'v1');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof RegistryError, String(err));
    assert.equal(err.kind, 'CertificateInvalid');
    const status = importStatusFor(err);
    assert.deepEqual([status.code, status.reason], [500, 'InternalError']);
    assert.match(status.message ?? '', new RegExp(`^Internal error occurred: ${reg.host}/team/app:v1: the TLS certificate of the registry ${reg.host} cannot be verified \\(.+\\); trust its CA, or set importPolicy.insecure: true`));
  });

  it('works when the client trusts the CA', async () => {
    const c = client({ ca: reg.ca });
    assert.equal((await c.importImage(c.repository(`${reg.host}/team/app`), 'v1')).image.metadata.name, digest);
  });

  it('works with insecure, still over HTTPS', async () => {
    const events: RequestEvent[] = [];
    const c = client({ observe: (e) => events.push(e) });
    assert.equal((await c.importImage(c.repository(`${reg.host}/team/app`, { insecure: true }), 'v1')).image.metadata.name, digest);
    assert.ok(events.length > 0 && events.every((e) => e.url.startsWith('https://')), events.map((e) => e.url).join('\n'));
  });
});
