import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
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

export type RequestFinished = (state: RequestState, code: number, durationSeconds: number, req: IncomingMessage) => void;

/**
 * The request's info and audit ID, the default Cache-Control of kube-apiserver's WithCacheControl,
 * and (when asked) a report of every finished request with its code and duration.
 */
export function requestInfo(onFinished?: RequestFinished): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.setHeader('Cache-Control', 'no-cache, private');
    const state = attachRequestState(req, res);
    if (onFinished) res.once('close', () => onFinished(state, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9, req));
    next();
  };
}
