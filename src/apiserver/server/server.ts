// The Express app: one ordered filter chain (recovery, request info, audit, authentication,
// in-flight limit, authorization, request timeout) in front of the routes (the resource handler,
// extra routes from the config, health, version, discovery, OpenAPI), and the one error-handling
// middleware that writes every Status.

import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Authenticator, Authorizer } from '../auth/types.js';
import { aggregatedDocument, apiGroup, apiGroupList, apiResourceList, type AggregatedDocument, type DiscoveryGroup } from '../discovery/discovery.js';
import { parseAccept } from '../endpoints/negotiation.js';
import { ResourceHandler } from '../endpoints/resource-handler.js';
import { requestState, type RequestState } from '../endpoints/request-state.js';
import { writeJSON, writeNegotiated } from '../endpoints/response.js';
import { errors } from '../errors/index.js';
import { auditStart, type RequestAuditor } from '../filters/audit.js';
import { authentication } from '../filters/authentication.js';
import { authorization } from '../filters/authorization.js';
import { trackLongRunning } from '../filters/long-running.js';
import { maxInFlight, type RequestKind } from '../filters/max-inflight.js';
import { errorWriter, recovery } from '../filters/recovery.js';
import { requestInfo } from '../filters/request-info.js';
import { requestTimeout } from '../filters/request-timeout.js';
import { OpenAPIService } from '../openapi/service.js';
import type { OpenAPIInfo } from '../openapi/documents.js';
import { HealthChecks, type HealthEndpoint } from './health.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, state: RequestState) => Promise<void> | void;

/** What the chain reports to the metrics (apiserver_request_total and friends). */
export interface RequestMetrics {
  observeRequest(state: RequestState, code: number, durationSeconds: number, req: IncomingMessage): void;
  /** A watch started; the returned callback runs when it ends. */
  longrunningStarted(state: RequestState, req: IncomingMessage): () => void;
  /** A request the server refused in self-defense (429, 504). */
  terminated(state: RequestState, req: IncomingMessage, code: number): void;
  inflightChanged(kind: RequestKind, current: number): void;
}

export interface RequestLimits {
  /** --max-requests-inflight, --max-mutating-requests-inflight; 0 = unlimited. */
  maxReadOnly: number;
  maxMutating: number;
  /** --request-timeout in seconds; 0 disables. */
  timeoutSeconds: number;
}

export interface APIServerConfig {
  groups: DiscoveryGroup[];
  authenticator: Authenticator;
  authorizer: Authorizer;
  health: HealthChecks;
  logger: Logger;
  version: Record<string, string>;
  /** Extra routes by Express path (e.g. /metrics), any method, looked up before all but the installed resources. */
  routes?: ReadonlyMap<string, RouteHandler>;
  /** Extra routes by prefix, after the exact ones; they may also serve resource paths. */
  prefixRoutes?: ReadonlyArray<[string, RouteHandler]>;
  audit?: RequestAuditor;
  metrics?: RequestMetrics;
  limits?: RequestLimits;
  clock?: () => Date;
  minWatchTimeoutSeconds?: number;
  /** Title and version of the OpenAPI documents (/openapi/v2, /openapi/v3) built from the groups. */
  openapi?: OpenAPIInfo;
}

const HEALTH: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];

export class APIServer {
  /** The Express app: served by node's https server, or driven in-process by tests (supertest). */
  readonly app: Express;
  readonly resources: ResourceHandler;
  private readonly aggregated: Record<'v2' | 'v2beta1', AggregatedDocument>;
  private readonly pathIndex: string[];
  private readonly openapi: OpenAPIService;
  private shuttingDown = false;

  constructor(private readonly cfg: APIServerConfig) {
    this.resources = new ResourceHandler({ groups: cfg.groups, clock: cfg.clock, minWatchTimeoutSeconds: cfg.minWatchTimeoutSeconds });
    this.aggregated = { v2: aggregatedDocument(cfg.groups, 'v2'), v2beta1: aggregatedDocument(cfg.groups, 'v2beta1') };
    this.openapi = new OpenAPIService(cfg.groups, cfg.openapi ?? { title: 'Kubernetes', version: cfg.version.gitVersion ?? 'unversioned' }, cfg.clock);
    cfg.health.add(['readyz'], {
      name: 'shutdown',
      check: async () => {
        if (this.shuttingDown) throw new Error('server is shutting down');
      },
    });
    this.pathIndex = this.buildPathIndex();
    this.app = this.buildApp();
  }

  /** Readiness fails from now on, so load balancers drain this replica. */
  startShutdown(): void {
    this.shuttingDown = true;
  }

  private buildApp(): Express {
    const { cfg } = this;
    const app = express();
    // Nothing Express adds may reach the wire: no X-Powered-By, no ETags of its own, no query
    // parsing (request info parses the query once); paths match as kube-apiserver's mux does.
    app.disable('x-powered-by');
    app.set('etag', false);
    app.set('query parser', false);
    app.set('case sensitive routing', true);

    const writeError = errorWriter(cfg.logger);
    const metrics = cfg.metrics;
    const limits = cfg.limits ?? { maxReadOnly: 0, maxMutating: 0, timeoutSeconds: 0 };
    // The chain, in kube-apiserver's order. Recovery wraps it all; Express runs error-handling
    // middleware after the routes, so it is registered last (below).
    const chain: RequestHandler[] = [requestInfo(metrics ? (s, code, seconds, req) => metrics.observeRequest(s, code, seconds, req) : undefined)];
    if (cfg.audit) chain.push(auditStart(cfg.audit));
    chain.push(authentication(cfg.authenticator, cfg.logger));
    chain.push(
      maxInFlight({
        maxReadOnly: limits.maxReadOnly,
        maxMutating: limits.maxMutating,
        onChange: metrics ? (kind, n) => metrics.inflightChanged(kind, n) : undefined,
        onReject: metrics ? (s, req) => metrics.terminated(s, req, 429) : undefined,
      }),
    );
    const audit = cfg.audit;
    chain.push(authorization(cfg.authorizer, cfg.logger, audit ? (req, s) => audit.authorized(req, s) : undefined));
    if (metrics) chain.push(trackLongRunning((s, req) => metrics.longrunningStarted(s, req)));
    chain.push(requestTimeout({ timeoutSeconds: limits.timeoutSeconds, onTimeout: metrics ? (s, req) => metrics.terminated(s, req, 504) : undefined, writeError }));
    app.use(chain);

    // Resources of installed group versions first: they pass no route pattern. The extra routes
    // come next; they may serve resource paths this server does not own (/api/v1/...).
    app.use(this.resourceRequests());
    for (const [path, handler] of cfg.routes ?? []) app.all(path, (req, res) => handler(req, res, requestState(req)));
    const prefixes = cfg.prefixRoutes ?? [];
    if (prefixes.length) {
      app.use((req, res, next) => {
        const s = requestState(req);
        const path = trimSlashes(s.info.path);
        for (const [prefix, handler] of prefixes) if (path.startsWith(prefix)) return handler(req, res, s);
        next();
      });
    }
    for (const e of HEALTH) app.use(`/${e}`, this.healthRoute(e));
    app.use('/openapi', (req, res, next) => {
      const s = requestState(req);
      if (!this.openapi.handle(trimSlashes(s.info.path), s.query, req, res)) next();
    });
    app.get('/', (_req, res) => writeJSON(res, 200, { paths: this.pathIndex }, NO_STORE));
    app.get('/version', (_req, res) => writeJSON(res, 200, cfg.version, NO_STORE));
    app.get('/api', (_req, res) => writeJSON(res, 404, { paths: this.pathIndex }, NO_STORE));
    app.get('/apis', (req, res) => this.serveApis(req, res));
    for (const name of new Set(cfg.groups.map((g) => g.group))) {
      const group = apiGroup(cfg.groups, name);
      if (group) app.get(`/apis/${name}`, (_req, res) => writeNegotiated(res, 200, group, NO_STORE));
    }
    for (const g of cfg.groups) {
      const resources = apiResourceList(g);
      app.get(`/apis/${g.group}/${g.version}`, (_req, res) => writeNegotiated(res, 200, resources, NO_STORE));
    }
    app.use((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && !requestState(req).info.isResourceRequest) throw errors.methodNotAllowed();
      res.setHeader('Cache-Control', 'no-store');
      throw errors.notFoundPath();
    });
    app.use(recovery(writeError));
    return app;
  }

  private buildPathIndex(): string[] {
    const paths = new Set<string>(['/apis', '/version', '/healthz', '/livez', '/readyz']);
    for (const g of this.cfg.groups) {
      paths.add(`/apis/${g.group}`);
      paths.add(`/apis/${g.group}/${g.version}`);
    }
    for (const e of HEALTH) for (const n of this.cfg.health.names(e)) paths.add(`/${e}/${n}`);
    for (const p of this.cfg.routes?.keys() ?? []) paths.add(p);
    for (const p of OpenAPIService.PATHS) paths.add(p);
    return [...paths].sort();
  }

  /**
   * Resource requests (by RequestInfo) of an installed group version go to the resource handler,
   * first, so they pass no route patterns; the rest go on to the routes.
   */
  private resourceRequests(): RequestHandler {
    return (req, res, next) => {
      const state = requestState(req);
      if (!state.info.isResourceRequest || !this.resources.serves(state.info)) return next();
      if (!state.user) throw errors.unauthorized();
      res.setHeader('Cache-Control', 'no-store');
      return this.resources.handle(req, res, state.info, state.query, state.user);
    };
  }

  /** /<endpoint> and /<endpoint>/<check>, GET or HEAD. */
  private healthRoute(endpoint: HealthEndpoint): RequestHandler {
    const prefix = `/${endpoint}`;
    return (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const s = requestState(req);
      const sub = trimSlashes(s.info.path).slice(prefix.length + 1);
      return this.cfg.health.serve(res, endpoint, sub, s.query, (name, err) =>
        this.cfg.logger.warn({ check: name, err: err instanceof Error ? err.message : String(err) }, 'health check failed'),
      );
    };
  }

  /** /apis: aggregated discovery when asked for by Accept, else the plain group list. */
  private serveApis(req: IncomingMessage, res: ServerResponse): void {
    for (const m of parseAccept(req.headers.accept)) {
      if (m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList' && (m.params.v === 'v2' || m.params.v === 'v2beta1')) {
        const v = m.params.v;
        const doc = this.aggregated[v];
        const headers = {
          'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
          ETag: doc.etag,
          Vary: 'Accept',
          'Cache-Control': 'public',
        };
        if (req.headers['if-none-match'] === doc.etag) {
          res.writeHead(304, headers);
          res.end();
          return;
        }
        res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(doc.body) });
        res.end(doc.body);
        return;
      }
      if (m.params.as) continue;
      break;
    }
    writeNegotiated(res, 200, apiGroupList(this.cfg.groups), NO_STORE);
  }
}

const NO_STORE = { 'Cache-Control': 'no-store' };

function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47) end--;
  return end === path.length ? path : path.slice(0, end);
}
