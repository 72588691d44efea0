// Which requests are long-running: watches. They are exempt from the in-flight limits and the
// request timeout (they end on their own timeoutSeconds) and are counted as open watches.

import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { RequestInfo } from '../endpoints/request-info.js';
import { requestState, type RequestState } from '../endpoints/request-state.js';

export function isLongRunning(info: RequestInfo): boolean {
  return info.isResourceRequest && info.verb === 'watch';
}

/** Reports each admitted long-running request; the returned callback runs when it ends. */
export function trackLongRunning(started: (state: RequestState, req: IncomingMessage) => () => void): RequestHandler {
  return (req, res, next) => {
    const state = requestState(req);
    if (isLongRunning(state.info)) res.once('close', started(state, req));
    next();
  };
}
