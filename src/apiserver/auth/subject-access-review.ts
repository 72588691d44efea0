// Authorization delegated to the host cluster's SubjectAccessReview, with separate TTL caches for
// allowed and not-allowed answers. A failed review is an error (the request gets a 500), never an
// allow and never cached.

import type { SARResourceAttributes, SubjectAccessReviewSpec, SubjectAccessReviewStatus } from '../hostcluster/types.js';
import type { AuthObserver } from './observer.js';
import { Coalescer, TTLCache, type Clock } from './ttl-cache.js';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from './types.js';

export interface SubjectAccessReviewAuthorizerOptions {
  review: (spec: SubjectAccessReviewSpec) => Promise<SubjectAccessReviewStatus>;
  /** --authorization-webhook-cache-authorized-ttl, seconds (default 10). */
  allowedTTLSeconds?: number;
  /** --authorization-webhook-cache-unauthorized-ttl, seconds (default 10). */
  deniedTTLSeconds?: number;
  observer?: AuthObserver;
  clock?: Clock;
}

/** Like k8s.io/apiserver: reviews whose attributes add up to this many bytes are not cached. */
const MAX_CACHEABLE_ATTRIBUTE_BYTES = 10_000;

/** The review's spec as client-go's webhook sends it: empty fields are left out (omitempty). */
export function subjectAccessReviewSpec(attrs: AuthorizationAttributes): SubjectAccessReviewSpec {
  const u = attrs.user;
  const spec: SubjectAccessReviewSpec = {};
  if ('resource' in attrs) {
    const r = attrs.resource;
    const ra: SARResourceAttributes = { verb: r.verb, resource: r.resource };
    if (r.namespace) ra.namespace = r.namespace;
    if (r.group) ra.group = r.group;
    if (r.version) ra.version = r.version;
    if (r.subresource) ra.subresource = r.subresource;
    if (r.name) ra.name = r.name;
    spec.resourceAttributes = ra;
  } else {
    spec.nonResourceAttributes = { path: attrs.nonResource.path, verb: attrs.nonResource.verb };
  }
  if (u.username) spec.user = u.username;
  if (u.groups.length) spec.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) spec.extra = u.extra;
  if (u.uid) spec.uid = u.uid;
  return spec;
}

function attributeBytes(spec: SubjectAccessReviewSpec): number {
  let n = (spec.user ?? '').length + (spec.uid ?? '').length;
  for (const g of spec.groups ?? []) n += g.length;
  for (const [k, vs] of Object.entries(spec.extra ?? {})) for (const v of vs) n += k.length + v.length;
  for (const v of Object.values(spec.resourceAttributes ?? {})) n += String(v ?? '').length;
  for (const v of Object.values(spec.nonResourceAttributes ?? {})) n += String(v ?? '').length;
  return n;
}

export class SubjectAccessReviewAuthorizer implements Authorizer {
  private readonly cache: TTLCache<AuthorizationResult>;
  private readonly inflight = new Coalescer<AuthorizationResult>();
  private readonly allowedTTLms: number;
  private readonly deniedTTLms: number;

  constructor(private readonly o: SubjectAccessReviewAuthorizerOptions) {
    this.allowedTTLms = (o.allowedTTLSeconds ?? 10) * 1000;
    this.deniedTTLms = (o.deniedTTLSeconds ?? 10) * 1000;
    this.cache = new TTLCache<AuthorizationResult>(10_000, o.clock);
  }

  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    const spec = subjectAccessReviewSpec(attrs);
    const cacheable = attributeBytes(spec) < MAX_CACHEABLE_ATTRIBUTE_BYTES;
    const key = JSON.stringify(spec);
    if (cacheable) {
      const hit = this.cache.get(key);
      if (hit) {
        this.o.observer?.authorizationCacheRequest?.('hit');
        return hit;
      }
    }
    this.o.observer?.authorizationCacheRequest?.('miss');
    return this.inflight.run(key, () => this.review(key, spec, cacheable)).promise;
  }

  private async review(key: string, spec: SubjectAccessReviewSpec, cacheable: boolean): Promise<AuthorizationResult> {
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    let s: SubjectAccessReviewStatus;
    try {
      s = await this.o.review(spec);
    } catch (err) {
      this.o.observer?.webhookAuthorization?.('error', seconds());
      return { decision: 'no-opinion', error: err instanceof Error ? err.message : String(err) };
    }
    let result: AuthorizationResult;
    if (s.allowed && s.denied) {
      result = { decision: 'deny', reason: s.reason, error: 'webhook subject access review returned both allow and deny response' };
    } else if (s.denied) {
      result = { decision: 'deny', reason: s.reason };
    } else if (s.allowed) {
      result = { decision: 'allow', reason: s.reason };
    } else {
      result = { decision: 'no-opinion', reason: s.reason };
    }
    if (!result.reason) delete result.reason;
    this.o.observer?.webhookAuthorization?.(result.decision === 'allow' ? 'allowed' : result.decision === 'deny' ? 'denied' : 'no-opinion', seconds());
    if (cacheable && !result.error) this.cache.set(key, result, result.decision === 'allow' ? this.allowedTTLms : this.deniedTTLms);
    return result;
  }
}
