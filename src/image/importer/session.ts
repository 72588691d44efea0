// A session with one repository of one registry: finds the endpoint (GET /v2/ over HTTPS, or
// over unverified TLS then plain HTTP when the import allows insecure access), answers auth
// challenges (Basic, Bearer tokens with caching), retries anonymously when the credentials are
// rejected, and runs every request under the registry's concurrency limit with retries.

import { basicAuthorization, credentialIdentity, parseTokenResponse, repositoryPullScope, tokenCacheKey, tokenRequestURL, type CachedToken } from './auth.js';
import { parseChallenges, preferredChallenge, type Challenge } from './challenge.js';
import type { KeyedLimiter } from './concurrency.js';
import type { Credential } from './credentials.js';
import { errorFromResponse, RegistryError, type CredentialUse, type RegistryErrorInit } from './errors.js';
import { NetworkError, type HttpResponse, type HttpTransport, type Method } from './http.js';
import type { SizedLRU } from './lru.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep, type RetryPolicy } from './retry.js';

export interface RequestEvent {
  method: Method;
  url: string;
  /** HTTP status, absent when the exchange failed. */
  status?: number;
  /** NetworkFailure when it failed. */
  failure?: string;
  attempt: number;
}

/** What every session of one RegistryClient shares. */
export interface ClientContext {
  transport: HttpTransport;
  limiter: KeyedLimiter;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  pingTTLms: number;
  tokens: SizedLRU<CachedToken>;
  pings: Map<string, { endpoint: Endpoint; expiresAt: number }>;
  maxTokenBytes: number;
  now(): number;
  observe?: (e: RequestEvent) => void;
}

export interface Endpoint {
  /** scheme://host[:port] */
  base: URL;
  insecureSkipVerify: boolean;
  /** The challenge /v2/ answered with; undefined for an anonymous registry. */
  challenge?: Challenge;
}

export interface SessionTarget {
  /** host[:port] to connect to (registry-1.docker.io for Docker Hub). */
  registry: string;
  repository: string;
  insecure: boolean;
  credential?: Credential;
}

export interface SessionRequest {
  method?: Method;
  /** Path under /v2/<repository>/, or a full URL (pagination links). */
  path: string | URL;
  accept?: string;
  maxBytes: number;
  followRedirects?: boolean;
  /** What is fetched, for messages ("manifest", "tag list"). */
  what: string;
  /** The image reference errors name. */
  reference: string;
  signal?: AbortSignal;
}

const PING_MAX_BYTES = 64 * 1024;

export class RegistrySession {
  private credential: Credential | undefined;
  private rejected = false;

  constructor(
    private readonly ctx: ClientContext,
    readonly target: SessionTarget,
  ) {
    this.credential = target.credential;
  }

  /** How this session's credentials fared so far (for Unauthorized messages). */
  get credentialUse(): CredentialUse {
    if (this.rejected) return 'rejected';
    if (!this.target.credential) return 'none';
    return 'accepted';
  }

  private errInit(reference: string): RegistryErrorInit {
    return { registry: this.target.registry, reference, repository: this.target.repository };
  }

  /** The registry's base URL and auth challenge, from a (cached) GET /v2/. */
  async endpoint(reference: string, signal?: AbortSignal): Promise<Endpoint> {
    const key = `${this.target.registry}|${this.target.insecure}`;
    const cached = this.ctx.pings.get(key);
    if (cached && cached.expiresAt > this.ctx.now()) return cached.endpoint;
    const endpoint = await this.ping(reference, signal);
    this.ctx.pings.set(key, { endpoint, expiresAt: this.ctx.now() + this.ctx.pingTTLms });
    return endpoint;
  }

  private async ping(reference: string, signal?: AbortSignal): Promise<Endpoint> {
    const { registry, insecure } = this.target;
    const candidates: Array<{ scheme: 'https:' | 'http:'; skipVerify: boolean }> = insecure
      ? [
          { scheme: 'https:', skipVerify: true },
          { scheme: 'http:', skipVerify: false },
        ]
      : [{ scheme: 'https:', skipVerify: false }];
    let lastError: unknown;
    for (const c of candidates) {
      const base = new URL(`${c.scheme}//${registry}`);
      let res: HttpResponse;
      try {
        res = await this.exchange({ method: 'GET', url: new URL('/v2/', base), headers: {}, skipVerify: c.skipVerify, maxBytes: PING_MAX_BYTES, signal });
      } catch (err) {
        lastError = err;
        // With insecure allowed, a TLS failure or a closed HTTPS port means: try plain HTTP.
        if (err instanceof NetworkError && insecure && c.scheme === 'https:' && ['plain-http', 'refused', 'reset', 'other'].includes(err.failure)) continue;
        throw this.networkError(err, reference);
      }
      if (res.status === 200 || res.status === 401) {
        const challenge = res.status === 401 ? preferredChallenge(parseChallenges(res.headers['www-authenticate'])) : undefined;
        return { base, insecureSkipVerify: c.skipVerify, ...(challenge ? { challenge } : {}) };
      }
      if (res.status === 404) {
        throw new RegistryError('NotV2Registry', `registry ${JSON.stringify(registry)} does not support the v2 Registry API`, { ...this.errInit(reference), httpStatus: 404 });
      }
      throw errorFromResponse(res.status, res.body, { ...this.errInit(reference), what: 'API version check', ...this.retryAfter(res) });
    }
    throw this.networkError(lastError, reference);
  }

  /**
   * GET/HEAD under /v2/<repository>/ with auth. Resolves with a 2xx response; throws a
   * RegistryError for everything else (a redirect the request may not follow included).
   */
  async request(req: SessionRequest): Promise<HttpResponse> {
    const ep = await this.endpoint(req.reference, req.signal);
    const url = req.path instanceof URL ? req.path : new URL(`/v2/${this.target.repository}/${req.path}`, ep.base);
    const method = req.method ?? 'GET';
    const send = (authorization: string | undefined) =>
      this.exchange({
        method,
        url,
        headers: { ...(req.accept ? { Accept: req.accept } : {}), ...(authorization ? { Authorization: authorization } : {}) },
        skipVerify: ep.insecureSkipVerify,
        maxBytes: req.maxBytes,
        followRedirects: req.followRedirects,
        signal: req.signal,
      }).catch((err: unknown) => {
        throw this.networkError(err, req.reference);
      });

    let challenge = ep.challenge;
    let authorization = challenge ? await this.authorization(challenge, undefined, false, req) : undefined;
    let res = await send(authorization);
    if (res.status === 401) {
      // The resource's own challenge may name a narrower scope, or a token may have been revoked.
      challenge = preferredChallenge(parseChallenges(res.headers['www-authenticate'])) ?? challenge;
      if (challenge) {
        const next = await this.authorization(challenge, challenge.params.scope, true, req);
        if (next !== undefined && next !== authorization) {
          authorization = next;
          res = await send(authorization);
        }
      }
      if (res.status === 401 && this.credential && challenge) {
        // Rejected with credentials: a public image may still be readable anonymously.
        this.dropCredentials(challenge.scheme === 'basic');
        authorization = await this.authorization(challenge, challenge.params.scope, true, req);
        res = await send(authorization);
      }
    }
    if (res.status >= 200 && res.status < 300) return res;
    const err = errorFromResponse(res.status, res.body, { ...this.errInit(req.reference), what: req.what, ...this.retryAfter(res) });
    if (err.kind === 'Unauthorized') {
      throw new RegistryError('Unauthorized', err.message, { ...this.errInit(req.reference), httpStatus: res.status, details: err.details, credentials: this.credentialUse });
    }
    throw err;
  }

  /**
   * Stops sending credentials. `rejected` when the registry refused them (Basic); with Bearer the
   * token service accepted them and only the token lacked access.
   */
  private dropCredentials(rejected: boolean): void {
    if (rejected) this.rejected = true;
    this.credential = undefined;
  }

  /** The Authorization header answering `challenge`, fetching a Bearer token when needed. */
  private async authorization(challenge: Challenge, scope: string | undefined, refresh: boolean, req: SessionRequest): Promise<string | undefined> {
    if (challenge.scheme === 'basic') return this.credential ? basicAuthorization(this.credential) : undefined;
    if (challenge.scheme !== 'bearer') return undefined;
    const wanted = scope || repositoryPullScope(this.target.repository);
    const key = tokenCacheKey(challenge, wanted, credentialIdentity(this.credential));
    if (!refresh) {
      const hit = this.ctx.tokens.get(key);
      if (hit && hit.expiresAt > this.ctx.now()) return `Bearer ${hit.token}`;
    }
    const url = tokenRequestURL(challenge, wanted);
    if (!url) {
      throw new RegistryError('Unexpected', `the registry ${this.target.registry} asked for a token from an unusable realm ${JSON.stringify(challenge.params.realm ?? '')}`, this.errInit(req.reference));
    }
    const requestedAt = this.ctx.now();
    let res: HttpResponse;
    try {
      res = await this.exchange({
        method: 'GET',
        url,
        headers: this.credential ? { Authorization: basicAuthorization(this.credential) } : {},
        skipVerify: this.target.insecure,
        maxBytes: this.ctx.maxTokenBytes,
        signal: req.signal,
      });
    } catch (err) {
      throw this.networkError(err, req.reference);
    }
    if ((res.status === 401 || res.status === 403) && this.credential) {
      // The token service refused the credentials: ask for an anonymous token instead.
      this.rejected = true;
      this.credential = undefined;
      return this.authorization(challenge, scope, true, req);
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError('Unauthorized', `the token service of ${this.target.registry} refused an anonymous token for ${req.reference}`, {
        ...this.errInit(req.reference),
        httpStatus: res.status,
        credentials: this.credentialUse,
      });
    }
    if (res.status !== 200) {
      throw errorFromResponse(res.status, res.body, { ...this.errInit(req.reference), what: 'token', ...this.retryAfter(res) });
    }
    const token = parseTokenResponse(res.body, requestedAt);
    if (!token) throw new RegistryError('Unexpected', `the token service of ${this.target.registry} answered without a token`, this.errInit(req.reference));
    this.ctx.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private retryAfter(res: HttpResponse): { retryAfterSeconds?: number } {
    const ms = parseRetryAfter(res.headers['retry-after'], this.ctx.now());
    return ms === undefined ? {} : { retryAfterSeconds: Math.ceil(ms / 1000) };
  }

  /** One logical exchange: concurrency slot per attempt, retries on 429/5xx and broken connections. */
  private async exchange(x: {
    method: Method;
    url: URL;
    headers: Record<string, string>;
    skipVerify: boolean;
    maxBytes: number;
    followRedirects?: boolean | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<HttpResponse> {
    const policy = this.ctx.retry;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.ctx.limiter.run(
          x.url.host,
          () =>
            this.ctx.transport.send({
              method: x.method,
              url: x.url,
              headers: x.headers,
              insecureSkipVerify: x.skipVerify,
              timeoutMs: this.ctx.requestTimeoutMs,
              maxBodyBytes: x.maxBytes,
              followRedirects: x.followRedirects ?? false,
              ...(x.signal ? { signal: x.signal } : {}),
            }),
          x.signal,
        );
      } catch (err) {
        this.ctx.observe?.({ method: x.method, url: x.url.href, failure: err instanceof NetworkError ? err.failure : 'other', attempt });
        if (err instanceof NetworkError && err.transient && attempt < policy.maxAttempts) {
          await sleep(backoffDelay(attempt, policy), x.signal);
          continue;
        }
        throw err;
      }
      this.ctx.observe?.({ method: x.method, url: x.url.href, status: res.status, attempt });
      if (!isRetryableStatus(res.status) || attempt >= policy.maxAttempts) return res;
      const retryAfter = parseRetryAfter(res.headers['retry-after'], this.ctx.now());
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return res;
      await sleep(retryAfter ?? backoffDelay(attempt, policy), x.signal);
    }
  }

  /** A transport failure as the RegistryError a user can act on (aborts pass through). */
  networkError(err: unknown, reference: string): unknown {
    if (!(err instanceof NetworkError)) return err;
    const init = { ...this.errInit(reference), cause: err };
    const host = this.target.registry;
    switch (err.failure) {
      case 'aborted':
        return err.cause ?? err;
      case 'plain-http':
        return new RegistryError(
          'InsecureRequired',
          `the registry ${host} speaks plain HTTP, not HTTPS; set importPolicy.insecure: true on the image stream tag (spec.images[].importPolicy.insecure or spec.repository.importPolicy.insecure on an ImageStreamImport) to import from it (each tag needs it: another tag of the same repository being insecure does not make this one so)`,
          init,
        );
      case 'certificate':
        return new RegistryError(
          'CertificateInvalid',
          `the TLS certificate of the registry ${err.url.host} cannot be verified (${err.code ?? err.message}); trust its CA, or set importPolicy.insecure: true to import without verifying it`,
          init,
        );
      case 'too-large':
        return new RegistryError('Unexpected', err.message, init);
      case 'dns':
        return new RegistryError('Unavailable', `the registry host ${err.url.hostname} cannot be resolved (${err.code ?? err.message})`, init);
      case 'refused':
        return new RegistryError('Unavailable', `the registry ${err.url.host} refused the connection`, init);
      case 'timeout':
        return new RegistryError('Unavailable', `the registry ${err.url.host} did not answer: ${err.message}`, init);
      default:
        return new RegistryError('Unavailable', `the connection to the registry ${err.url.host} failed: ${err.message}`, init);
    }
  }
}
