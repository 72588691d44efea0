// --max-requests-inflight and --max-mutating-requests-inflight: past the limit a request gets 429
// with Retry-After (client-go waits and retries). Watches, health probes and system:masters (the
// aggregator's availability probe) are not limited, so overload never takes the API offline.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestState } from '../endpoints/request-state.js';
import { writeStatusError } from '../endpoints/response.js';
import { errors } from '../errors/index.js';
import type { RequestHooks } from '../server/server.js';
import { isLongRunning } from './long-running.js';

export type RequestKind = 'readOnly' | 'mutating';

export interface MaxInFlightOptions {
  /** 0 = unlimited. */
  maxReadOnly: number;
  /** 0 = unlimited. */
  maxMutating: number;
  /** Current counts, for apiserver_current_inflight_requests. */
  onChange?(kind: RequestKind, current: number): void;
  /** A request refused with 429. */
  onReject?(state: RequestState, req: IncomingMessage): void;
}

const PROBES = new Set(['/healthz', '/livez', '/readyz']);

export function isMutatingRequest(state: RequestState): boolean {
  return !['get', 'list', 'watch', 'head', 'options'].includes(state.info.verb);
}

export function maxInFlightHook(o: MaxInFlightOptions): RequestHooks {
  const current: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };
  const limit: Record<RequestKind, number> = { readOnly: o.maxReadOnly, mutating: o.maxMutating };
  return {
    admit(req: IncomingMessage, res: ServerResponse, state: RequestState): (() => void) | undefined {
      if (isLongRunning(state.info)) return undefined;
      if (!state.info.isResourceRequest && PROBES.has(state.info.path.replace(/\/+$/, ''))) return undefined;
      if (state.user?.groups.includes('system:masters')) return undefined;
      const kind: RequestKind = isMutatingRequest(state) ? 'mutating' : 'readOnly';
      if (limit[kind] > 0 && current[kind] >= limit[kind]) {
        o.onReject?.(state, req);
        writeStatusError(res, errors.tooManyRequests('please try again later', 1));
        return undefined;
      }
      current[kind]++;
      o.onChange?.(kind, current[kind]);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        current[kind]--;
        o.onChange?.(kind, current[kind]);
      };
    },
  };
}
