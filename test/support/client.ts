// A small client for tests: JSON in, status/headers/body out, plus a watch reader. It talks HTTPS
// to a listening server, or drives the Express app in-process through supertest (plain HTTP, no
// certificates), with the same requests and the same responses.

import { readFileSync } from 'node:fs';
import { request as httpsRequest, Agent } from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { IncomingHttpHeaders, IncomingMessage, RequestListener } from 'node:http';
import supertest from 'supertest';

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as received (protobuf responses). */
  bytes: Buffer;
  // Tests inspect arbitrary JSON shapes.
  json: <T = Record<string, unknown>>() => T;
}

export interface ClientOptions {
  /** An HTTPS server's URL; or, instead, `app` to call in-process. */
  baseURL?: string;
  app?: RequestListener;
  ca?: string;
  token?: string;
  cert?: string;
  key?: string;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string | Buffer;
  /** An array value is sent as one header line per element. */
  headers?: Record<string, string | string[]>;
  contentType?: string;
}

export class TestClient {
  private readonly agent: Agent;
  constructor(readonly opts: ClientOptions) {
    this.agent = new Agent({ ca: opts.ca, cert: opts.cert, key: opts.key, keepAlive: true, maxSockets: 64 });
  }

  /** The URL the requests go to; in-process clients have none. */
  get baseURL(): string {
    if (!this.opts.baseURL) throw new Error('an in-process client has no URL');
    return this.opts.baseURL;
  }

  withToken(token: string | undefined): TestClient {
    return new TestClient({ ...this.opts, token });
  }

  private open(method: string, path: string, o: RequestOptions = {}): Promise<IncomingMessage> {
    const headers: Record<string, string | string[]> = { Accept: 'application/json', ...o.headers };
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    let payload: Buffer | undefined;
    if (o.rawBody !== undefined) payload = Buffer.from(o.rawBody);
    else if (o.body !== undefined) payload = Buffer.from(JSON.stringify(o.body));
    if (payload) {
      headers['Content-Type'] = o.contentType ?? (headers['Content-Type'] as string | undefined) ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    if (this.opts.app) return openInProcess(this.opts.app, method, path, headers, payload);
    const url = new URL(path, this.opts.baseURL);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, agent: this.agent }, resolve);
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const res = await this.open(method, path, o);
    const chunks: Buffer[] = [];
    for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString('utf8');
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      text,
      bytes,
      json: <T,>() => JSON.parse(text) as T,
    };
  }

  get(path: string, headers?: Record<string, string | string[]>): Promise<Response> {
    return this.request('GET', path, { headers });
  }
  post(path: string, body: unknown, headers?: Record<string, string | string[]>): Promise<Response> {
    return this.request('POST', path, { body, headers });
  }
  put(path: string, body: unknown): Promise<Response> {
    return this.request('PUT', path, { body });
  }
  patch(path: string, body: unknown, contentType = 'application/merge-patch+json'): Promise<Response> {
    return this.request('PATCH', path, { body, contentType });
  }
  delete(path: string, body?: unknown): Promise<Response> {
    return this.request('DELETE', path, { body });
  }

  /** Opens a watch and yields parsed events until stopped or the server ends the stream. */
  /** The response of a request whose body is streamed (a watch), unread. */
  /** The raw response; an in-process one comes paused: read it, or resume after adding listeners. */
  stream(path: string, headers?: Record<string, string>): Promise<IncomingMessage> {
    return this.open('GET', path, { headers });
  }

  async watch(path: string, headers?: Record<string, string>): Promise<WatchReader> {
    const res = await this.open('GET', path, { headers });
    return new WatchReader(res);
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * One request through supertest, answered with the raw response stream as soon as its head
 * arrives (so watches stream): every status is accepted, redirects are not followed, and the body
 * is sent and left to read as bytes.
 */
function openInProcess(app: RequestListener, method: string, path: string, headers: Record<string, string | string[]>, payload: Buffer | undefined): Promise<IncomingMessage> {
  // supertest names its request builders by lower-cased method; any method node knows is there.
  const start = (supertest(app) as unknown as Record<string, (url: string) => supertest.Test>)[method.toLowerCase()];
  if (!start) return Promise.reject(new Error(`supertest cannot send ${method}`));
  return new Promise((resolve, reject) => {
    let answered = false;
    let test = start(path).redirects(0).ok(() => true);
    // superagent passes an array on to node's setHeader (one header line each); its types allow
    // arrays only for Cookie.
    for (const [name, value] of Object.entries(headers)) test = test.set(name, value as string);
    // The bytes go as they are: superagent would JSON-encode a Buffer sent as application/json
    // (its types say a serializer returns a string; node's request takes the Buffer as well).
    if (payload) test = test.serialize((body: Buffer) => body as unknown as string).send(payload);
    // Unbuffered, with a parser that only hands the stream over, paused: superagent's own 'data'
    // listener must not start the flow before the caller reads.
    test
      .buffer(false)
      .parse((res: supertest.Response, _done: (err: Error | null, body: unknown) => void) => {
        // In node, superagent hands its parsers the raw response stream (typed as its Response).
        const raw = res as unknown as IncomingMessage;
        raw.pause();
        answered = true;
        resolve(raw);
      })
      .end((err) => {
        if (err && !answered) reject(err);
      });
  });
}

export interface WatchEventJSON {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

export class WatchReader {
  private buffer = '';
  private readonly queue: WatchEventJSON[] = [];
  private waiters: ((e: WatchEventJSON | undefined) => void)[] = [];
  ended = false;

  constructor(readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim()) this.push(JSON.parse(line) as WatchEventJSON);
      }
    });
    res.on('end', () => this.finish());
    res.on('close', () => this.finish());
    res.on('error', () => this.finish());
    res.resume();
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  private push(e: WatchEventJSON): void {
    const w = this.waiters.shift();
    if (w) w(e);
    else this.queue.push(e);
  }

  private finish(): void {
    this.ended = true;
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  /** The next event, or undefined when the stream ended or the timeout passed. */
  next(timeoutMs = 5000): Promise<WatchEventJSON | undefined> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(undefined);
      }, timeoutMs);
      const done = (e: WatchEventJSON | undefined): void => {
        clearTimeout(t);
        resolve(e);
      };
      this.waiters.push(done);
    });
  }

  /** Collects events until `count` arrived (or timeout). */
  async take(count: number, timeoutMs = 5000): Promise<WatchEventJSON[]> {
    const out: WatchEventJSON[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < count) {
      const e = await this.next(Math.max(1, deadline - Date.now()));
      if (!e) break;
      out.push(e);
    }
    return out;
  }

  stop(): void {
    this.res.destroy();
  }
}

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

/** A client with the admin kubeconfig a local-mode server wrote into `dir`. */
export function clientForLocalDir(dir: string): TestClient {
  const kc = parseYaml(readFileSync(join(dir, 'kubeconfig'), 'utf8')) as Kubeconfig;
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  return new TestClient({ baseURL: kc.clusters[0].cluster.server, ca, token: kc.users[0].user.token });
}
