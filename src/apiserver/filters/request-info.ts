import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRequestInfo } from '../endpoints/request-info.js';
import { setRequestState, type RequestState } from '../endpoints/request-state.js';

/** Computes request info once, and reuses kube-apiserver's Audit-ID (echoed back) or makes one. */
export function attachRequestState(req: IncomingMessage, res: ServerResponse): RequestState {
  const url = new URL(req.url ?? '/', 'https://placeholder');
  const header = req.headers['audit-id'];
  const auditID = (Array.isArray(header) ? header[0] : header) || randomUUID();
  res.setHeader('Audit-Id', auditID);
  const state: RequestState = {
    info: parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams),
    query: url.searchParams,
    auditID,
    receivedAt: new Date(),
  };
  setRequestState(req, state);
  return state;
}
