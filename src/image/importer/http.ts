// One HTTP exchange with a registry (node:http/https, no dependencies): keep-alive agents for
// verified TLS, unverified TLS (insecure registries) and plain HTTP; a deadline per exchange
// including the body; a cap on body size; redirects only when the caller allows them (blobs);
// and network failures sorted into what the client must tell apart.

import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export type Method = 'GET' | 'HEAD';

export interface HttpRequest {
  method: Method;
  url: URL;
  headers?: Record<string, string>;
  /** Skip TLS certificate verification (insecure registries only). */
  insecureSkipVerify?: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Follow up to 5 redirects (blob downloads); Authorization is dropped when the host changes. */
  followRedirects?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
}

export type NetworkFailure =
  /** The server answered a TLS handshake with plain HTTP. */
  | 'plain-http'
  /** Certificate verification failed. */
  | 'certificate'
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'dns'
  | 'too-large'
  | 'aborted'
  | 'other';

export class NetworkError extends Error {
  constructor(
    readonly failure: NetworkFailure,
    message: string,
    readonly url: URL,
    readonly code?: string,
    cause?: unknown,
  ) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'NetworkError';
  }

  /** Worth another attempt for an idempotent request. */
  get transient(): boolean {
    return this.failure === 'reset' || this.failure === 'timeout' || this.failure === 'refused';
  }
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** Sorts a socket/TLS error into a NetworkFailure. */
export function classifyNetworkError(err: unknown): { failure: NetworkFailure; code: string; message: string } {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = err instanceof Error ? err.message : String(err);
  if (CERT_CODES.has(code)) return { failure: 'certificate', code, message };
  // OpenSSL reading an HTTP response as a TLS record: "wrong version number", "packet length too long".
  if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    code === 'ERR_SSL_HTTP_REQUEST' ||
    (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message))
  ) {
    return { failure: 'plain-http', code, message };
  }
  if (code === 'ECONNREFUSED') return { failure: 'refused', code, message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { failure: 'dns', code, message };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || message === 'socket hang up') {
    return { failure: 'reset', code, message };
  }
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { failure: 'timeout', code, message };
  return { failure: 'other', code, message };
}

export interface TransportOptions {
  /** Extra CAs trusted for registries (in addition to the system roots). */
  ca?: string | Buffer | Array<string | Buffer>;
  userAgent?: string;
  /** Sockets per host kept open and used at once (the per-registry limiter is the real bound). */
  maxSockets?: number;
}

export class HttpTransport {
  private readonly verified: https.Agent;
  private readonly unverified: https.Agent;
  private readonly plain: http.Agent;
  private readonly userAgent: string;

  constructor(opts: TransportOptions = {}) {
    const common = { keepAlive: true, maxSockets: opts.maxSockets ?? 16, maxFreeSockets: 4 };
    // A `ca` option replaces Node's roots for the agent, so extra CAs are added to them.
    const extra = opts.ca === undefined ? [] : Array.isArray(opts.ca) ? opts.ca : [opts.ca];
    this.verified = new https.Agent({ ...common, ...(extra.length ? { ca: [...rootCertificates, ...extra] } : {}) });
    this.unverified = new https.Agent({ ...common, rejectUnauthorized: false });
    this.plain = new http.Agent(common);
    this.userAgent = opts.userAgent ?? 'image-apiserver';
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...req.headers };
    for (let hop = 0; ; hop++) {
      const res = await this.once({ ...req, url, headers });
      const location = res.headers.location;
      if (!req.followRedirects || res.status < 300 || res.status >= 400 || res.status === 304 || !location) return res;
      if (hop >= 5) throw new NetworkError('other', `too many redirects fetching ${req.url.href}`, req.url);
      const next = new URL(location, url);
      if (next.host !== url.host || next.protocol !== url.protocol) {
        // Credentials for the registry must not leak to a CDN or storage host.
        const { Authorization: _a, authorization: _b, ...rest } = headers;
        headers = rest;
      }
      url = next;
    }
  }

  close(): void {
    this.verified.destroy();
    this.unverified.destroy();
    this.plain.destroy();
  }

  private once(req: HttpRequest & { url: URL }): Promise<HttpResponse> {
    const { url } = req;
    const isHTTPS = url.protocol === 'https:';
    const agent = isHTTPS ? (req.insecureSkipVerify ? this.unverified : this.verified) : this.plain;
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const lib = isHTTPS ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        if (req.signal?.aborted) {
          reject(new NetworkError('aborted', `request to ${url.host} aborted`, url, 'ABORT_ERR', req.signal.reason));
        } else if (timeout.aborted) {
          reject(new NetworkError('timeout', `no answer from ${url.host} within ${req.timeoutMs / 1000}s`, url, 'ETIMEDOUT'));
        } else if (err instanceof NetworkError) {
          reject(err);
        } else {
          const c = classifyNetworkError(err);
          reject(new NetworkError(c.failure, c.message, url, c.code, err));
        }
      };
      const request = lib.request(
        url,
        { method: req.method, agent, signal, headers: { 'User-Agent': this.userAgent, ...req.headers } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > req.maxBodyBytes) {
              // Settle first: destroying the response emits its own (misleading) errors.
              fail(new NetworkError('too-large', `the answer from ${url.host} is larger than ${req.maxBodyBytes} bytes`, url));
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete) fail(new NetworkError('reset', `the connection to ${url.host} closed mid-answer`, url, 'ECONNRESET'));
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url });
          });
        },
      );
      request.on('error', fail);
      request.end();
    });
  }
}
