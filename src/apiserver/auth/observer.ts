// What the authenticators and authorizers report about their caches and remote calls. metrics/
// implements it; auth/ stays free of prom-client.

export type CacheStatus = 'hit' | 'miss';

export interface AuthObserver {
  /** A token lookup answered from the cache (hit) or by a TokenReview, own or shared (miss). */
  tokenCacheRequest?(status: CacheStatus, seconds: number): void;
  /** One TokenReview made for the cache: ok (answered), error (failed, not cached). */
  tokenCacheFetch?(status: 'ok' | 'error'): void;
  /** TokenReviews in flight (shared by all waiters for the same token). */
  tokenCacheActiveFetches?(count: number): void;
  /** A SubjectAccessReview lookup answered from the allow/deny cache or by the host. */
  authorizationCacheRequest?(status: CacheStatus): void;
  /** One SubjectAccessReview evaluation by the host: its outcome and latency. */
  webhookAuthorization?(result: 'allowed' | 'denied' | 'no-opinion' | 'error', seconds: number): void;
}
