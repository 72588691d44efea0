// /healthz, /livez and /readyz with named checks, `?verbose`, `?exclude=<name>` and per-check
// subpaths, in the text format of k8s.io/apiserver's healthz package. Failures are thrown as
// TextErrors (Go's http.Error) for the chain's error middleware to write.

import type { ServerResponse } from 'node:http';
import { TextError } from '../errors/index.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

const HEADERS = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache, private' };

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export class HealthChecks {
  private readonly checks: Record<HealthEndpoint, HealthCheck[]> = { healthz: [], livez: [], readyz: [] };

  add(endpoints: HealthEndpoint[], check: HealthCheck): void {
    for (const e of endpoints) this.checks[e].push(check);
  }

  names(endpoint: HealthEndpoint): string[] {
    return this.checks[endpoint].map((c) => c.name);
  }

  /** Serves `/<endpoint>` (all checks) or `/<endpoint>/<name>` (one check). */
  async serve(res: ServerResponse, endpoint: HealthEndpoint, sub: string, query: URLSearchParams, onFailure: (name: string, err: unknown) => void): Promise<void> {
    const checks = this.checks[endpoint];
    if (sub) {
      const c = checks.find((x) => x.name === sub);
      if (!c) throw new TextError(404, '404 page not found\n');
      try {
        await c.check();
      } catch (err) {
        onFailure(c.name, err);
        throw new TextError(500, `internal server error: ${c.name} check failed\n`);
      }
      res.writeHead(200, HEADERS);
      res.end('ok');
      return;
    }
    const excluded = new Set(query.getAll('exclude'));
    const verbose = query.has('verbose');
    const lines: string[] = [];
    let failed = false;
    const results = await Promise.all(
      checks.map(async (c) => {
        if (excluded.has(c.name)) return { c, state: 'excluded' as const };
        try {
          await c.check();
          return { c, state: 'ok' as const };
        } catch (err) {
          onFailure(c.name, err);
          return { c, state: 'failed' as const };
        }
      }),
    );
    for (const r of results) {
      if (r.state === 'excluded') lines.push(`[+]${r.c.name} excluded: ok`);
      else if (r.state === 'ok') lines.push(`[+]${r.c.name} ok`);
      else {
        failed = true;
        lines.push(`[-]${r.c.name} failed: reason withheld`);
      }
    }
    if (failed) throw new TextError(500, `${lines.join('\n')}\n${endpoint} check failed\n`);
    res.writeHead(200, HEADERS);
    res.end(verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok');
  }
}
