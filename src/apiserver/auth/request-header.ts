// The front proxy (kube-apiserver's aggregator): a client certificate from the request-header CA
// with an allowed common name vouches for the identity in the X-Remote-* headers. From anyone
// else those headers mean nothing.

import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/strategy.js';
import { peerCertificate, verifyClientCertificate, type CABundle } from './certificates.js';
import type { AuthenticationResult, Authenticator } from './types.js';

export interface RequestHeaderConfig {
  ca: CABundle;
  /** Allowed common names of the proxy's certificate; empty = any certificate from the CA. */
  allowedNames: readonly string[];
  usernameHeaders: readonly string[];
  uidHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
}

/**
 * Every value of a header, one per header line, in order. Node joins repeated lines with ", " in
 * req.headers, and group names may contain commas, so the lines are read separately.
 */
function headerValues(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name.toLowerCase()] ?? [];
}

function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** The identity in the request headers (undefined without a username), consuming those headers. */
export function identityFromHeaders(req: IncomingMessage, c: RequestHeaderConfig): UserInfo | undefined {
  let username = '';
  for (const h of c.usernameHeaders) {
    const v = headerValues(req, h).find((x) => x.length > 0);
    if (v) {
      username = v;
      break;
    }
  }
  if (!username) return undefined;
  let uid = '';
  for (const h of c.uidHeaders) {
    const v = headerValues(req, h).find((x) => x.length > 0);
    if (v) {
      uid = v;
      break;
    }
  }
  const groups: string[] = [];
  for (const h of c.groupHeaders) for (const v of headerValues(req, h)) if (v) groups.push(v);
  const extra: Record<string, string[]> = {};
  const names = new Set(Object.keys(req.headers));
  for (const prefix of c.extraHeaderPrefixes) {
    const p = prefix.toLowerCase();
    for (const name of names) {
      if (!name.startsWith(p) || name.length === p.length) continue;
      const key = unescapeExtraKey(name.slice(p.length).toLowerCase());
      (extra[key] ??= []).push(...headerValues(req, name));
    }
  }
  // Consumed: nothing later in the chain should see them.
  for (const h of [...c.usernameHeaders, ...c.uidHeaders, ...c.groupHeaders]) delete req.headers[h.toLowerCase()];
  for (const prefix of c.extraHeaderPrefixes) for (const name of names) if (name.startsWith(prefix.toLowerCase())) delete req.headers[name];

  const user: UserInfo = { username, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

export class RequestHeaderAuthenticator implements Authenticator {
  /** `config` returns the current configuration (it changes when the CA rotates); undefined = off. */
  constructor(private readonly config: () => RequestHeaderConfig | undefined) {}

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const c = this.config();
    if (!c) return { kind: 'not-handled' };
    const cert = peerCertificate(req);
    if (!cert) return { kind: 'not-handled' };
    const invalid = verifyClientCertificate(cert, c.ca);
    if (invalid) return { kind: 'error', error: `unable to verify the front-proxy client certificate: ${invalid}` };
    if (c.allowedNames.length && !c.allowedNames.includes(cert.commonName)) {
      return { kind: 'error', error: `x509: subject with cn=${cert.commonName} is not in the allowed list` };
    }
    const user = identityFromHeaders(req, c);
    return user ? { kind: 'authenticated', user } : { kind: 'not-handled' };
  }
}
