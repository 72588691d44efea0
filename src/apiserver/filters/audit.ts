// The audit log's two points in the chain: it starts recording before authentication (so 401s are
// logged too), learns the authorizer's allow just before the handler runs (to pick its level and
// copy the request body), and writes its event when the response is complete.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { requestState, type RequestState } from '../endpoints/request-state.js';

export interface RequestAuditor {
  received(req: IncomingMessage, res: ServerResponse): void;
  authorized(req: IncomingMessage, state: RequestState): void;
  completed(state: RequestState, code: number, req: IncomingMessage): void;
}

export function auditStart(auditor: RequestAuditor): RequestHandler {
  return (req, res, next) => {
    auditor.received(req, res);
    const state = requestState(req);
    res.once('close', () => auditor.completed(state, res.statusCode, req));
    next();
  };
}
