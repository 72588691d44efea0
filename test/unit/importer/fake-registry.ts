// An in-process HTTP server that plays a registry for behaviour a real one cannot be made to show
// on demand: rate limits, outages, Link pagination, redirects, schema1, wrong digests.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface Route {
  method: string;
  path: RegExp;
  handler: Handler;
}

export interface FakeRegistry {
  host: string;
  url: string;
  /** Requests seen, as "METHOD /path?query". */
  log: string[];
  /** Most requests that were being answered at once. */
  maxConcurrent: number;
  route(method: string, path: RegExp | string, handler: Handler): void;
  stop(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const routes: Route[] = [];
  let active = 0;
  const fake: FakeRegistry = {
    host: '',
    url: '',
    log: [],
    maxConcurrent: 0,
    route(method, path, handler) {
      routes.unshift({ method, path: typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path, handler });
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', fake.url);
    fake.log.push(`${req.method} ${url.pathname}${url.search}`);
    active++;
    fake.maxConcurrent = Math.max(fake.maxConcurrent, active);
    res.on('close', () => active--);
    const route = routes.find((r) => r.method === req.method && r.path.test(url.pathname));
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
      return;
    }
    try {
      await route.handler(req, res, url);
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  fake.host = `127.0.0.1:${addr.port}`;
  fake.url = `http://${fake.host}`;
  // An anonymous v2 registry unless a test says otherwise.
  fake.route('GET', '/v2/', (_req, res) => {
    res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0' });
    res.end('{}');
  });
  return fake;
}

/** Serves `body` as a manifest (GET and HEAD) with a Docker-Content-Digest header. */
export function serveManifest(fake: FakeRegistry, path: string, body: string, mediaType: string, digest?: string): void {
  const headers = { 'Content-Type': mediaType, ...(digest ? { 'Docker-Content-Digest': digest } : {}), 'Content-Length': String(Buffer.byteLength(body)) };
  fake.route('HEAD', path, (_req, res) => {
    res.writeHead(200, headers);
    res.end();
  });
  fake.route('GET', path, (_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
}

export function serveBlob(fake: FakeRegistry, path: string, body: string | Buffer): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  fake.route('HEAD', path, (_req, res) => {
    res.writeHead(200, { 'Content-Length': String(buf.length), 'Content-Type': 'application/octet-stream' });
    res.end();
  });
  fake.route('GET', path, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.end(buf);
  });
}
