// --max-requests-inflight and --max-mutating-requests-inflight: past the limit a request gets 429
// with Retry-After (client-go waits and retries). Watches, health probes and system:masters (the
// aggregator's availability probe) are not limited, so overload never takes the API offline.
// As in kube-apiserver, the limit is checked before authorization: an overloaded server does not
// spend a SubjectAccessReview on a request it will refuse.

import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { requestState, type RequestState } from '../endpoints/request-state.js';
import { errors } from '../errors/index.js';
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
const READ_ONLY_VERBS = new Set(['get', 'list', 'watch', 'head', 'options']);

export function isMutatingRequest(state: RequestState): boolean {
  return !READ_ONLY_VERBS.has(state.info.verb);
}

function exempt(state: RequestState): boolean {
  if (isLongRunning(state.info)) return true;
  if (!state.info.isResourceRequest && PROBES.has(state.info.path.replace(/\/+$/, ''))) return true;
  return state.user?.groups.includes('system:masters') === true;
}

export function maxInFlight(o: MaxInFlightOptions): RequestHandler {
  const current: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };
  const limit: Record<RequestKind, number> = { readOnly: o.maxReadOnly, mutating: o.maxMutating };
  return (req, res, next) => {
    const state = requestState(req);
    if (exempt(state)) return next();
    const kind: RequestKind = isMutatingRequest(state) ? 'mutating' : 'readOnly';
    if (limit[kind] > 0 && current[kind] >= limit[kind]) {
      o.onReject?.(state, req);
      throw errors.tooManyRequests('please try again later', 1);
    }
    current[kind]++;
    o.onChange?.(kind, current[kind]);
    res.once('close', () => {
      current[kind]--;
      o.onChange?.(kind, current[kind]);
    });
    next();
  };
}
