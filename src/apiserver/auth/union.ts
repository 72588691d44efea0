// Union authenticator and the built-in authorizers, with the semantics of k8s.io/apiserver:
// first success wins; errors with no success are 401; nothing presented is anonymous.

import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/strategy.js';
import { ANONYMOUS, type AuthenticationResult, type Authenticator, type AuthorizationAttributes, type AuthorizationResult, type Authorizer } from './types.js';

export class UnionAuthenticator implements Authenticator {
  constructor(private readonly chain: Authenticator[], private readonly allowAnonymous: boolean) {}

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const errs: string[] = [];
    for (const a of this.chain) {
      const r = await a.authenticate(req);
      if (r.kind === 'authenticated') return { kind: 'authenticated', user: withAuthenticatedGroup(r.user) };
      if (r.kind === 'error') errs.push(r.error);
    }
    if (errs.length) return { kind: 'error', error: errs.join(', ') };
    if (this.allowAnonymous) return { kind: 'authenticated', user: ANONYMOUS };
    return { kind: 'error', error: 'anonymous requests are not allowed' };
  }
}

export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === 'system:anonymous') return user;
  if (user.groups.includes('system:authenticated') || user.groups.includes('system:unauthenticated')) return user;
  return { ...user, groups: [...user.groups, 'system:authenticated'] };
}

/** system:masters may do anything without asking anyone. */
export class PrivilegedGroupAuthorizer implements Authorizer {
  constructor(private readonly groups: readonly string[] = ['system:masters']) {}
  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    return attrs.user.groups.some((g) => this.groups.includes(g)) ? { decision: 'allow' } : { decision: 'no-opinion' };
  }
}

/** Exact non-resource paths anyone may read (health probes); a trailing `*` makes a prefix. */
export class AlwaysAllowPathsAuthorizer implements Authorizer {
  constructor(private readonly paths: readonly string[]) {}
  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    if (!('nonResource' in attrs)) return { decision: 'no-opinion' };
    const p = attrs.nonResource.path;
    const ok = this.paths.some((allowed) => (allowed.endsWith('*') ? p.startsWith(allowed.slice(0, -1)) : p === allowed));
    return ok ? { decision: 'allow' } : { decision: 'no-opinion' };
  }
}

export class UnionAuthorizer implements Authorizer {
  constructor(private readonly chain: Authorizer[]) {}
  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    const errs: string[] = [];
    const reasons: string[] = [];
    for (const a of this.chain) {
      const r = await a.authorize(attrs);
      if (r.error) errs.push(r.error);
      if (r.decision !== 'no-opinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    const result: AuthorizationResult = { decision: 'no-opinion' };
    if (reasons.length) result.reason = reasons.join('\n');
    if (errs.length) result.error = errs.join(', ');
    return result;
  }
}
