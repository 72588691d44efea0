// The transport under client-node's generated API clients: node:http(s) with a hard deadline (the
// default fetch-based one has none, and a hung host call must not hang requests), and a body that
// can be read more than once (so raw JSON is available next to the typed result).

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ResponseContext, wrapHttpLibrary, type HttpLibrary, type PromiseHttpLibrary, type RequestContext } from '@kubernetes/client-node';

function flatHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

class DeadlineHttpLibrary implements PromiseHttpLibrary {
  constructor(private readonly timeoutMs: number) {}

  send(ctx: RequestContext): Promise<ResponseContext> {
    const url = new URL(ctx.getUrl());
    const body = ctx.getBody();
    if (body !== undefined && typeof body !== 'string') {
      return Promise.reject(new Error('only JSON request bodies are supported'));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: ctx.getHttpMethod(), headers: ctx.getHeaders(), agent: ctx.getAgent() }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const buf = Buffer.concat(chunks);
          resolve(
            new ResponseContext(res.statusCode ?? 0, flatHeaders(res.headers), {
              text: () => Promise.resolve(buf.toString('utf8')),
              binary: () => Promise.resolve(buf),
            }),
          );
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`${ctx.getHttpMethod()} ${url.pathname}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }
}

export function deadlineHttpLibrary(timeoutMs: number): HttpLibrary {
  return wrapHttpLibrary(new DeadlineHttpLibrary(timeoutMs));
}
