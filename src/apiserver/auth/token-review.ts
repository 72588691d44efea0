// Bearer tokens checked by the host cluster's TokenReview, with a TTL cache (answers, good or bad;
// never transport errors) and one review in flight per token however many requests carry it.

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TokenReviewSpec, TokenReviewStatus } from '../hostcluster/types.js';
import type { UserInfo } from '../registry/strategy.js';
import type { AuthObserver } from './observer.js';
import { bearerToken } from './token.js';
import { Coalescer, TTLCache, type Clock } from './ttl-cache.js';
import type { AuthenticationResult, Authenticator } from './types.js';

export interface TokenReviewAuthenticatorOptions {
  review: (spec: TokenReviewSpec) => Promise<TokenReviewStatus>;
  /** --authentication-token-webhook-cache-ttl, seconds (default 10). */
  cacheTTLSeconds?: number;
  /** --authentication-audiences: sent in the review and required in its answer. */
  audiences?: readonly string[];
  observer?: AuthObserver;
  clock?: Clock;
}

type Answer = { kind: 'authenticated'; user: UserInfo } | { kind: 'error'; error: string };

export class TokenReviewAuthenticator implements Authenticator {
  private readonly cache: TTLCache<Answer>;
  private readonly inflight = new Coalescer<Answer>();
  private readonly ttlMs: number;
  private readonly audiences: string[];

  constructor(private readonly o: TokenReviewAuthenticatorOptions) {
    this.ttlMs = (o.cacheTTLSeconds ?? 10) * 1000;
    this.audiences = [...(o.audiences ?? [])];
    this.cache = new TTLCache<Answer>(10_000, o.clock);
  }

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const token = bearerToken(req);
    if (token === undefined) return { kind: 'not-handled' };
    return this.authenticateToken(token);
  }

  async authenticateToken(token: string): Promise<AuthenticationResult> {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    // Keyed by a hash: raw tokens are not kept in memory longer than the request.
    const key = createHash('sha256').update(token).update('\0').update(this.audiences.join(',')).digest('base64');
    const cached = this.cache.get(key);
    if (cached) {
      this.o.observer?.tokenCacheRequest?.('hit', elapsed());
      return cached;
    }
    const { promise } = this.inflight.run(key, () => this.fetch(key, token));
    this.o.observer?.tokenCacheActiveFetches?.(this.inflight.active);
    try {
      return await promise;
    } finally {
      this.o.observer?.tokenCacheRequest?.('miss', elapsed());
      this.o.observer?.tokenCacheActiveFetches?.(this.inflight.active);
    }
  }

  private async fetch(key: string, token: string): Promise<Answer> {
    const spec: TokenReviewSpec = { token };
    if (this.audiences.length) spec.audiences = this.audiences;
    let status: TokenReviewStatus;
    try {
      status = await this.o.review(spec);
    } catch (err) {
      this.o.observer?.tokenCacheFetch?.('error');
      return { kind: 'error', error: `token review failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    this.o.observer?.tokenCacheFetch?.('ok');
    const answer = this.interpret(status);
    this.cache.set(key, answer, this.ttlMs);
    return answer;
  }

  private interpret(s: TokenReviewStatus): Answer {
    if (!s.authenticated) return { kind: 'error', error: s.error || 'token is not authenticated' };
    if (this.audiences.length) {
      // Without audiences in the answer the host validated against exactly what we asked for.
      const granted = s.audiences?.length ? this.audiences.filter((a) => s.audiences?.includes(a)) : this.audiences;
      if (granted.length === 0) return { kind: 'error', error: `token audiences ${JSON.stringify(s.audiences)} are invalid for the target audiences ${JSON.stringify(this.audiences)}` };
    }
    const u = s.user ?? {};
    if (!u.username) return { kind: 'error', error: 'token review answered without a username' };
    const user: UserInfo = { username: u.username, groups: [...(u.groups ?? [])] };
    if (u.uid) user.uid = u.uid;
    if (u.extra && Object.keys(u.extra).length) user.extra = u.extra;
    return { kind: 'authenticated', user };
  }
}
