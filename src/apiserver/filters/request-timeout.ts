// --request-timeout: a non-long-running request that has not answered in time gets 504 and the
// handler's late writes are dropped. A shorter ?timeout= on the request wins.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { requestState, type RequestState } from '../endpoints/request-state.js';
import { errors } from '../errors/index.js';
import { isLongRunning } from './long-running.js';
import type { ErrorWriter } from './recovery.js';

export interface RequestTimeoutOptions {
  /** Seconds; 0 disables. */
  timeoutSeconds: number;
  onTimeout?(state: RequestState, req: IncomingMessage): void;
  /** The chain's error writer: the 504 fires from a timer, outside Express's error path. */
  writeError: ErrorWriter;
}

/** A Go duration as clients send it in ?timeout= ("30s", "1m30s", "500ms"), in seconds. */
export function parseGoDuration(text: string): number | undefined {
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    const n = Number(m[1]);
    const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    total += n * unit[m[2]];
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/** After the 504 is out, the handler may still try to answer: its writes go nowhere. */
function silence(res: ServerResponse): void {
  const target = res as unknown as Record<string, unknown>;
  const noop = (): ServerResponse => res;
  for (const m of ['writeHead', 'setHeader', 'removeHeader', 'write', 'flushHeaders']) target[m] = noop;
  target.end = (...args: unknown[]): ServerResponse => {
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    cb?.();
    return res;
  };
}

export function requestTimeout(o: RequestTimeoutOptions): RequestHandler {
  return (req, res, next) => {
    const state = requestState(req);
    if (isLongRunning(state.info)) return next();
    let seconds = o.timeoutSeconds;
    const asked = state.query.get('timeout');
    if (asked) {
      const s = parseGoDuration(asked);
      if (s !== undefined && s > 0 && (seconds <= 0 || s < seconds)) seconds = s;
    }
    if (seconds <= 0) return next();
    const timer = setTimeout(() => {
      if (res.writableEnded) return;
      o.onTimeout?.(state, req);
      if (!res.headersSent) {
        o.writeError(req, res, errors.timeout('request did not complete within requested timeout - context deadline exceeded', {}));
        silence(res);
      } else {
        // Already streaming: all that can be done is to cut it off.
        res.destroy();
      }
    }, seconds * 1000);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
