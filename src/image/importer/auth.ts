// The pieces of registry authentication that do not talk to the network: Basic headers, Bearer
// token requests (realm, service, scope) and responses, and the token cache key. A cache key
// includes a hash of the credentials, so a token earned with one password is never handed to a
// request carrying another.

import { createHash } from 'node:crypto';
import type { Challenge } from './challenge.js';
import type { Credential } from './credentials.js';

export interface CachedToken {
  token: string;
  /** Epoch ms after which the token is not used any more. */
  expiresAt: number;
}

/** Tokens without expires_in live 60 s (the distribution token spec's default). */
const DEFAULT_TOKEN_LIFETIME_S = 60;

export function basicAuthorization(cred: Credential): string {
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`, 'utf8').toString('base64')}`;
}

export function repositoryPullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** The realm URL with service and scope added; undefined when the realm is not an http(s) URL. */
export function tokenRequestURL(challenge: Challenge, scope: string): URL | undefined {
  const realm = challenge.params.realm;
  if (!realm) return undefined;
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  // A challenge may name several scopes separated by spaces; each is its own parameter.
  for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
  return url;
}

/** Reads a token endpoint's JSON answer; expiry counts from `requestedAt` (our clock, not theirs). */
export function parseTokenResponse(body: Buffer, requestedAt: number): CachedToken | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { token, access_token: accessToken, expires_in: expiresIn } = doc as { token?: unknown; access_token?: unknown; expires_in?: unknown };
  const value = typeof token === 'string' && token ? token : typeof accessToken === 'string' ? accessToken : '';
  if (!value) return undefined;
  const lifetime = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_LIFETIME_S;
  // Stop using a token a little before it expires: a request in flight must not carry a dead one.
  const margin = Math.min(10, lifetime / 10);
  return { token: value, expiresAt: requestedAt + (lifetime - margin) * 1000 };
}

/** Who a token was issued to: "" for anonymous, else a hash of the credentials. */
export function credentialIdentity(cred: Credential | undefined): string {
  if (!cred) return '';
  return createHash('sha256').update(`${cred.username}\0${cred.password}`).digest('hex').slice(0, 32);
}

export function tokenCacheKey(challenge: Challenge, scope: string, identity: string): string {
  return [challenge.params.realm ?? '', challenge.params.service ?? '', scope, identity].join('\n');
}
