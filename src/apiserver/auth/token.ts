// Static bearer tokens (the local mode's admin token). Compared in constant time.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/strategy.js';
import type { AuthenticationResult, Authenticator } from './types.js';

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

export class StaticTokenAuthenticator implements Authenticator {
  private readonly entries: { token: Buffer; user: UserInfo }[];
  constructor(tokens: ReadonlyMap<string, UserInfo>) {
    this.entries = [...tokens].map(([t, user]) => ({ token: Buffer.from(t), user }));
  }
  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const raw = bearerToken(req);
    if (raw === undefined) return { kind: 'not-handled' };
    const given = Buffer.from(raw);
    for (const e of this.entries) {
      if (e.token.length === given.length && timingSafeEqual(e.token, given)) return { kind: 'authenticated', user: e.user };
    }
    return { kind: 'error', error: 'invalid bearer token' };
  }
}
