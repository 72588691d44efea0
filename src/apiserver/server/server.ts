// The HTTP shell: one ordered filter chain (recovery, request info, authentication, authorization)
// in front of health, version, discovery, extra non-resource routes and the resource handler.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { qualifiedResource } from '../api/types.js';
import { forbiddenError } from '../auth/forbidden.js';
import type { AuthorizationAttributes, Authenticator, Authorizer } from '../auth/types.js';
import { aggregatedDocument, apiGroup, apiGroupList, apiResourceList, type AggregatedDocument, type DiscoveryGroup } from '../discovery/discovery.js';
import { parseAccept } from '../endpoints/negotiation.js';
import { ResourceHandler } from '../endpoints/resource-handler.js';
import type { RequestState } from '../endpoints/request-state.js';
import { writeJSON, writeNegotiated, writeStatusError } from '../endpoints/response.js';
import { errors, StatusError } from '../errors/index.js';
import { attachRequestState } from '../filters/request-info.js';
import type { UserInfo } from '../registry/strategy.js';
import { OpenAPIService } from '../openapi/service.js';
import type { OpenAPIInfo } from '../openapi/documents.js';
import { HealthChecks, type HealthEndpoint } from './health.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, state: RequestState) => Promise<void> | void;

/** A filter may answer the request itself (return true) or let it continue. */
export interface RequestHooks {
  /** Runs first, before anything is read or written (e.g. the audit log starts recording). */
  received?(req: IncomingMessage, res: ServerResponse): void;
  /** Runs after authentication and authorization, before the handler; returns a release callback. */
  admit?(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<(() => void) | undefined> | (() => void) | undefined;
  /** Called once per finished request with its outcome. */
  observe?(state: RequestState, code: number, durationSeconds: number, req: IncomingMessage): void;
}

export interface APIServerConfig {
  groups: DiscoveryGroup[];
  authenticator: Authenticator;
  authorizer: Authorizer;
  health: HealthChecks;
  logger: Logger;
  version: Record<string, string>;
  /** Extra routes by exact path (e.g. /metrics), looked up before everything else. */
  routes?: ReadonlyMap<string, RouteHandler>;
  /** Extra routes by prefix, after the exact ones; they may also serve resource paths. */
  prefixRoutes?: ReadonlyArray<[string, RouteHandler]>;
  hooks?: RequestHooks;
  clock?: () => Date;
  minWatchTimeoutSeconds?: number;
  /** Title and version of the OpenAPI documents (/openapi/v2, /openapi/v3) built from the groups. */
  openapi?: OpenAPIInfo;
}

const HEALTH = new Set<HealthEndpoint>(['healthz', 'livez', 'readyz']);

export class APIServer {
  /** The request listener for node's http(s) server: the whole filter chain and every route. */
  readonly handler: RequestListener;
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
    // A plain listener: routing is by RequestInfo, so a framework router would only add cost.
    this.handler = (req, res) => {
      void this.serve(req, res);
    };
  }

  /** Readiness fails from now on, so load balancers drain this replica. */
  startShutdown(): void {
    this.shuttingDown = true;
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

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let state: RequestState | undefined;
    let release: (() => void) | undefined;
    this.cfg.hooks?.received?.(req, res);
    res.setHeader('Cache-Control', 'no-cache, private');
    res.once('close', () => {
      release?.();
      if (state) this.cfg.hooks?.observe?.(state, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9, req);
    });
    try {
      state = attachRequestState(req, res);
      const authn = await this.cfg.authenticator.authenticate(req);
      if (authn.kind !== 'authenticated') {
        this.cfg.logger.debug({ auditID: state.auditID, reason: authn.kind === 'error' ? authn.error : 'none' }, 'unauthorized');
        throw errors.unauthorized();
      }
      state.user = authn.user;
      await this.authorize(req, res, state, authn.user);
      if (res.writableEnded) return;
      release = (await this.cfg.hooks?.admit?.(req, res, state)) ?? undefined;
      if (res.writableEnded) return;
      await this.route(req, res, state);
    } catch (err) {
      this.writeError(res, err, state);
    }
  }

  private async authorize(req: IncomingMessage, res: ServerResponse, state: RequestState, user: UserInfo): Promise<void> {
    const i = state.info;
    const attrs: AuthorizationAttributes = i.isResourceRequest
      ? { user, resource: { verb: i.verb, group: i.apiGroup, version: i.apiVersion, resource: i.resource, subresource: i.subresource, name: i.name, namespace: i.namespace } }
      : { user, nonResource: { verb: i.verb, path: i.path } };
    const result = await this.cfg.authorizer.authorize(attrs);
    if (result.decision === 'allow') return;
    if (result.error) {
      // A failed authorization check is an error, never an allow and not a plain 403.
      this.cfg.logger.error({ auditID: state.auditID, err: result.error }, 'authorization failed');
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(`Internal Server Error: ${JSON.stringify(req.url ?? '')}: ${result.error}`);
      return;
    }
    throw forbiddenError(attrs, result.reason);
  }

  private async route(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const info = state.info;
    const path = info.path.length > 1 ? info.path.replace(/\/+$/, '') : info.path;
    // Extra routes first: they may serve resource paths this server does not own (e.g. /api/v1/...).
    const exact = this.cfg.routes?.get(path);
    if (exact) return exact(req, res, state);
    for (const [prefix, handler] of this.cfg.prefixRoutes ?? []) {
      if (path.startsWith(prefix)) return handler(req, res, state);
    }
    if (info.isResourceRequest) {
      if (!state.user) throw errors.unauthorized();
      res.setHeader('Cache-Control', 'no-store');
      await this.resources.handle(req, res, info, state.query, state.user);
      return;
    }
    const segs = path.split('/').filter(Boolean);
    const method = req.method ?? 'GET';

    if (segs.length >= 1 && HEALTH.has(segs[0] as HealthEndpoint) && (method === 'GET' || method === 'HEAD')) {
      await this.cfg.health.serve(res, segs[0] as HealthEndpoint, segs.slice(1).join('/'), state.query, (name, err) =>
        this.cfg.logger.warn({ check: name, err: err instanceof Error ? err.message : String(err) }, 'health check failed'),
      );
      return;
    }
    if (this.openapi.handle(path, state.query, req, res)) return;
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed();
    res.setHeader('Cache-Control', 'no-store');
    if (path === '/' || path === '') return writeJSON(res, 200, { paths: this.pathIndex });
    if (path === '/version') return writeJSON(res, 200, this.cfg.version);
    if (path === '/api') return writeJSON(res, 404, { paths: this.pathIndex });
    if (segs[0] === 'apis') {
      if (segs.length === 1) return this.serveApis(req, res);
      const gvs = this.cfg.groups;
      if (segs.length === 2) {
        const g = apiGroup(gvs, segs[1]);
        if (g) return writeNegotiated(res, 200, g);
      }
      if (segs.length === 3) {
        const g = gvs.find((x) => x.group === segs[1] && x.version === segs[2]);
        if (g) return writeNegotiated(res, 200, apiResourceList(g));
      }
    }
    throw errors.notFoundPath();
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
    writeNegotiated(res, 200, apiGroupList(this.cfg.groups));
  }

  private writeError(res: ServerResponse, err: unknown, state: RequestState | undefined): void {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    if (err instanceof StatusError) {
      writeStatusError(res, err);
      return;
    }
    this.cfg.logger.error({ err, auditID: state?.auditID, path: state?.info.path }, 'unhandled error');
    writeStatusError(res, errors.internal(err instanceof Error ? err.message : String(err)));
  }
}

export { qualifiedResource };
