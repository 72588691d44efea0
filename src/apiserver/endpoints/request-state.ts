// Per-request state that filters compute once and handlers read: request info and the user.

import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/strategy.js';
import type { RequestInfo } from './request-info.js';

export interface RequestState {
  info: RequestInfo;
  query: URLSearchParams;
  user?: UserInfo;
  auditID: string;
  receivedAt: Date;
}

const states = new WeakMap<IncomingMessage, RequestState>();

export function setRequestState(req: IncomingMessage, state: RequestState): void {
  states.set(req, state);
}

export function requestStateIfAny(req: IncomingMessage): RequestState | undefined {
  return states.get(req);
}

export function requestState(req: IncomingMessage): RequestState {
  const s = states.get(req);
  if (!s) throw new Error('request state missing: the request-info filter must run first');
  return s;
}
