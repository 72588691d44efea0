// Ordinary client certificates from the client CA: user = CN, groups = O.

import type { IncomingMessage } from 'node:http';
import { peerCertificate, verifyClientCertificate, type CABundle } from './certificates.js';
import type { AuthenticationResult, Authenticator } from './types.js';

export class ClientCertificateAuthenticator implements Authenticator {
  /** `ca` returns the current client CA (it changes when the CA rotates); undefined = off. */
  constructor(private readonly ca: () => CABundle | undefined) {}

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const bundle = this.ca();
    if (!bundle) return { kind: 'not-handled' };
    const cert = peerCertificate(req);
    if (!cert) return { kind: 'not-handled' };
    const invalid = verifyClientCertificate(cert, bundle);
    if (invalid) return { kind: 'error', error: `verifying certificate failed: ${invalid}` };
    if (!cert.commonName) return { kind: 'error', error: 'client certificate has no common name' };
    return {
      kind: 'authenticated',
      user: {
        username: cert.commonName,
        groups: [...cert.organizations],
        extra: { 'authentication.kubernetes.io/credential-id': [cert.credentialID] },
      },
    };
  }
}
