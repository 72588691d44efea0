// The server's metrics, under kube-apiserver's names and labels so existing dashboards and alerts
// work: requests, in-flight and long-running requests, terminations, authentication and
// authorization (latency, cache hits, calls to the host), etcd requests and stored objects.
// Everything registers in the injected Registry; nothing here is global.

import type { IncomingMessage } from 'node:http';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AuthObserver } from '../auth/observer.js';
import type { RequestState } from '../endpoints/request-state.js';
import type { HostCallObserver } from '../hostcluster/types.js';
import { requestLabels, type RequestLabels } from './request-labels.js';

/** kube-apiserver's request latency buckets (also used for etcd). */
export const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const AUTH_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const LONGRUNNING_LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

/** Usernames are compressed like kube-apiserver does, to keep the label space small. */
function compressUsername(username: string): string {
  if (['admin', 'client', 'kube_proxy', 'kubelet', 'system:serviceaccount:kube-system:default'].includes(username)) return username;
  if (username.includes('@')) return 'email_id';
  return 'other';
}

export type AuthenticationOutcome = 'success' | 'failure' | 'error';

export class APIServerMetrics {
  readonly requests: Counter<string>;
  readonly requestDuration: Histogram<string>;
  readonly inflight: Gauge<string>;
  readonly longrunning: Gauge<string>;
  readonly terminations: Counter<string>;
  readonly authenticationDuration: Histogram<string>;
  readonly authenticationAttempts: Counter<string>;
  readonly authenticatedUsers: Counter<string>;
  readonly tokenCacheRequests: Counter<string>;
  readonly tokenCacheRequestDuration: Histogram<string>;
  readonly tokenCacheFetches: Counter<string>;
  readonly tokenCacheActiveFetches: Gauge<string>;
  readonly authorizationDecisions: Counter<string>;
  readonly authorizationCacheRequests: Counter<string>;
  readonly webhookEvaluations: Counter<string>;
  readonly webhookDuration: Histogram<string>;
  readonly delegatedAuthnRequests: Counter<string>;
  readonly delegatedAuthnDuration: Histogram<string>;
  readonly delegatedAuthzRequests: Counter<string>;
  readonly delegatedAuthzDuration: Histogram<string>;
  readonly hostRequests: Counter<string>;
  readonly etcdRequestDuration: Histogram<string>;
  readonly etcdRequests: Counter<string>;
  readonly etcdRequestErrors: Counter<string>;
  readonly storageObjects: Gauge<string>;
  readonly resourceObjects: Gauge<string>;

  /** `known` holds "group/version/resource[/subresource]" of the installed resources. */
  constructor(
    readonly registry: Registry,
    private readonly known: ReadonlySet<string> = new Set(),
  ) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...REQUEST_LABELS, 'code'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: [...REQUEST_LABELS],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.inflight = new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Number of requests currently being served, per request kind (readOnly or mutating).',
      labelNames: ['request_kind'],
      registers,
    });
    for (const kind of ['readOnly', 'mutating']) this.inflight.set({ request_kind: kind }, 0);
    this.longrunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests (watches) broken out by verb, group, version, resource, scope and component.',
      labelNames: [...LONGRUNNING_LABELS],
      registers,
    });
    this.terminations = new Counter({
      name: 'apiserver_request_terminations_total',
      help: 'Number of requests which apiserver terminated in self-defense (in-flight limit, timeout).',
      labelNames: [...LONGRUNNING_LABELS, 'code'],
      registers,
    });
    this.authenticationDuration = new Histogram({
      name: 'authentication_duration_seconds',
      help: 'Authentication duration in seconds broken out by result.',
      labelNames: ['result'],
      buckets: AUTH_BUCKETS,
      registers,
    });
    this.authenticationAttempts = new Counter({ name: 'authentication_attempts', help: 'Counter of authenticated attempts.', labelNames: ['result'], registers });
    this.authenticatedUsers = new Counter({ name: 'authenticated_user_requests', help: 'Counter of authenticated requests broken out by username.', labelNames: ['username'], registers });
    this.tokenCacheRequests = new Counter({ name: 'authentication_token_cache_request_total', help: 'Token cache lookups by status (hit, miss).', labelNames: ['status'], registers });
    this.tokenCacheRequestDuration = new Histogram({
      name: 'authentication_token_cache_request_duration_seconds',
      help: 'Token cache lookup latency by status.',
      labelNames: ['status'],
      buckets: AUTH_BUCKETS,
      registers,
    });
    this.tokenCacheFetches = new Counter({ name: 'authentication_token_cache_fetch_total', help: 'TokenReviews made for the token cache, by status (ok, error).', labelNames: ['status'], registers });
    this.tokenCacheActiveFetches = new Gauge({ name: 'authentication_token_cache_active_fetch_count', help: 'TokenReviews in flight for the token cache.', labelNames: ['status'], registers });
    this.tokenCacheActiveFetches.set({ status: 'in_flight' }, 0);
    this.authorizationDecisions = new Counter({
      name: 'apiserver_authorization_decisions_total',
      help: 'Total number of terminal decisions made by an authorizer split by authorizer type, name, and decision.',
      labelNames: ['type', 'name', 'decision'],
      registers,
    });
    // No kube-apiserver equivalent: its delegated authorizer keeps the same caches without counting them.
    this.authorizationCacheRequests = new Counter({
      name: 'apiserver_delegated_authz_cache_request_total',
      help: 'SubjectAccessReview cache lookups by status (hit, miss).',
      labelNames: ['status'],
      registers,
    });
    this.webhookEvaluations = new Counter({
      name: 'apiserver_authorization_webhook_evaluations_total',
      help: 'Round-trips to authorization webhooks (SubjectAccessReview), by result.',
      labelNames: ['name', 'result'],
      registers,
    });
    this.webhookDuration = new Histogram({
      name: 'apiserver_authorization_webhook_duration_seconds',
      help: 'Request latency in seconds of authorization webhooks (SubjectAccessReview), by result.',
      labelNames: ['name', 'result'],
      buckets: WEBHOOK_BUCKETS,
      registers,
    });
    this.delegatedAuthnRequests = new Counter({ name: 'apiserver_delegated_authn_request_total', help: 'Number of HTTP requests partitioned by status code.', labelNames: ['code'], registers });
    this.delegatedAuthnDuration = new Histogram({
      name: 'apiserver_delegated_authn_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by status code.',
      labelNames: ['code'],
      buckets: [0.25, 0.5, 0.7, 1, 1.5, 3, 5, 10],
      registers,
    });
    this.delegatedAuthzRequests = new Counter({ name: 'apiserver_delegated_authz_request_total', help: 'Number of HTTP requests partitioned by status code.', labelNames: ['code'], registers });
    this.delegatedAuthzDuration = new Histogram({
      name: 'apiserver_delegated_authz_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by status code.',
      labelNames: ['code'],
      buckets: [0.25, 0.5, 0.7, 1, 1.5, 3, 5, 10],
      registers,
    });
    this.hostRequests = new Counter({
      name: 'image_apiserver_host_cluster_requests_total',
      help: 'Requests to the host cluster other than reviews (ConfigMap, namespace and secret reads), by kind and status code.',
      labelNames: ['kind', 'code'],
      registers,
    });
    this.etcdRequestDuration = new Histogram({
      name: 'etcd_request_duration_seconds',
      help: 'Etcd request latency in seconds for each operation and object type.',
      labelNames: ['operation', 'group', 'resource'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.etcdRequests = new Counter({ name: 'etcd_requests_total', help: 'Etcd request counts for each operation and object type.', labelNames: ['operation', 'group', 'resource'], registers });
    this.etcdRequestErrors = new Counter({ name: 'etcd_request_errors_total', help: 'Etcd failed request counts for each operation and object type.', labelNames: ['operation', 'group', 'resource'], registers });
    this.storageObjects = new Gauge({ name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind.', labelNames: ['resource'], registers });
    this.resourceObjects = new Gauge({ name: 'apiserver_resource_objects', help: 'Number of stored objects at the time of last check split by group and resource.', labelNames: ['group', 'resource'], registers });
  }

  labels(state: RequestState, req: IncomingMessage): RequestLabels {
    return requestLabels(state.info, state.query, req, this.known);
  }

  /** One finished request (the server's observe hook). */
  observeRequest(state: RequestState, code: number, seconds: number, req: IncomingMessage): void {
    const l = this.labels(state, req);
    this.requests.inc({ ...l, code: String(code) });
    this.requestDuration.observe({ ...l }, seconds);
  }

  /** A request answered 429 or 504 by the server itself. */
  inflightChanged(kind: string, current: number): void {
    this.inflight.set({ request_kind: kind }, current);
  }

  terminated(state: RequestState, req: IncomingMessage, code: number): void {
    const { dry_run: _dryRun, ...l } = this.labels(state, req);
    this.terminations.inc({ ...l, code: String(code) });
  }

  /** Marks a long-running request (a watch) as open; returns the call that closes it. */
  longrunningStarted(state: RequestState, req: IncomingMessage): () => void {
    const { dry_run: _dryRun, ...l } = this.labels(state, req);
    this.longrunning.inc(l);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.longrunning.dec(l);
    };
  }

  authentication(outcome: AuthenticationOutcome, seconds: number, username?: string): void {
    this.authenticationDuration.observe({ result: outcome }, seconds);
    this.authenticationAttempts.inc({ result: outcome });
    if (outcome === 'success' && username !== undefined) this.authenticatedUsers.inc({ username: compressUsername(username) });
  }

  authorizationDecision(type: string, name: string, decision: 'allowed' | 'denied'): void {
    this.authorizationDecisions.inc({ type, name, decision });
  }

  etcdRequest(operation: string, group: string, resource: string, seconds: number, failed: boolean): void {
    const l = { operation, group, resource };
    this.etcdRequestDuration.observe(l, seconds);
    this.etcdRequests.inc(l);
    if (failed) this.etcdRequestErrors.inc(l);
  }

  setObjectCount(group: string, resource: string, count: number): void {
    this.storageObjects.set({ resource: group ? `${resource}.${group}` : resource }, count);
    this.resourceObjects.set({ group, resource }, count);
  }

  /** The hooks the authenticators and authorizers report to. */
  authObserver(): AuthObserver {
    return {
      tokenCacheRequest: (status, seconds) => {
        this.tokenCacheRequests.inc({ status });
        this.tokenCacheRequestDuration.observe({ status }, seconds);
      },
      tokenCacheFetch: (status) => this.tokenCacheFetches.inc({ status }),
      tokenCacheActiveFetches: (count) => this.tokenCacheActiveFetches.set({ status: 'in_flight' }, count),
      authorizationCacheRequest: (status) => this.authorizationCacheRequests.inc({ status }),
      webhookAuthorization: (result, seconds) => {
        const r = result === 'error' ? 'error' : 'success';
        this.webhookEvaluations.inc({ name: 'webhook', result: r });
        this.webhookDuration.observe({ name: 'webhook', result: r }, seconds);
      },
    };
  }

  /** The hook the host cluster client reports each call to. */
  hostCallObserver(): HostCallObserver {
    return (kind, code, seconds) => {
      if (kind === 'tokenreview') {
        this.delegatedAuthnRequests.inc({ code });
        this.delegatedAuthnDuration.observe({ code }, seconds);
      } else if (kind === 'subjectaccessreview') {
        this.delegatedAuthzRequests.inc({ code });
        this.delegatedAuthzDuration.observe({ code }, seconds);
      } else {
        this.hostRequests.inc({ kind, code });
      }
    };
  }
}
