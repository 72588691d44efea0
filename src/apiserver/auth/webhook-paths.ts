// Paths kube-apiserver calls as a webhook client. It sends no user credentials, so these paths
// skip the authentication chain: anyone may call them (the endpoint itself accepts only a
// well-formed review), or, given a CA, only a caller presenting a client certificate it signed.

import type { IncomingMessage } from 'node:http';
import type { CABundle } from './certificates.js';
import { ANONYMOUS, type AuthenticationResult, type Authenticator } from './types.js';
import { AlwaysAllowPathsAuthorizer } from './union.js';
import { ClientCertificateAuthenticator } from './x509.js';

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export class WebhookPathsAuthenticator implements Authenticator {
  private readonly certificates: ClientCertificateAuthenticator | undefined;

  /** `clientCA` returns the CA callers must present a certificate from; absent: no credentials needed. */
  constructor(
    private readonly paths: ReadonlySet<string>,
    private readonly next: Authenticator,
    clientCA?: () => CABundle | undefined,
  ) {
    this.certificates = clientCA ? new ClientCertificateAuthenticator(clientCA) : undefined;
  }

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    if (!this.paths.has(pathOf(req))) return this.next.authenticate(req);
    if (!this.certificates) return { kind: 'authenticated', user: ANONYMOUS };
    const r = await this.certificates.authenticate(req);
    return r.kind === 'not-handled' ? { kind: 'error', error: 'a client certificate signed by the webhook client CA is required' } : r;
  }
}

/** Whoever got through WebhookPathsAuthenticator may call these paths. */
export function webhookPathsAuthorizer(paths: ReadonlySet<string>): AlwaysAllowPathsAuthorizer {
  return new AlwaysAllowPathsAuthorizer([...paths]);
}
