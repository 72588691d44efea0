// A mutating admission webhook endpoint (admission.k8s.io/v1) as a route of this server. The
// mutation gets until shortly before the deadline kube-apiserver gives the call (its ?timeout=,
// capped by our own); when it is not done by then, or fails, the object is allowed unchanged with a
// warning, so a slow backend never blocks what the webhook would only have rewritten.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../endpoints/body.js';
import { parseContentType } from '../endpoints/negotiation.js';
import { writeJSON } from '../endpoints/response.js';
import { errors } from '../errors/index.js';
import { admissionResponse, parseAdmissionReview, type AdmissionRequest, type JSONPatchOp } from './review.js';

export type AdmissionMutator = (request: AdmissionRequest, signal: AbortSignal) => Promise<JSONPatchOp[]>;

export interface WebhookOptions {
  mutate: AdmissionMutator;
  /** Longest the mutation may take (default 8 s: kube-apiserver's default timeout is 10 s). */
  maxWaitMs?: number;
  /** Said to the client when the object is let through unchanged. */
  unchangedWarning: (why: 'timeout' | 'error') => string;
  onError?: (err: unknown, request: AdmissionRequest) => void;
}

/** Time kept back from kube-apiserver's deadline for our answer to reach it. */
const DEADLINE_MARGIN_MS = 1000;
const MIN_WAIT_MS = 100;

/** kube-apiserver's ?timeout= (a Go duration such as "10s" or "2500ms") in ms; undefined if absent or odd. */
export function timeoutParam(url: string | undefined): number | undefined {
  const raw = new URL(url ?? '/', 'https://x').searchParams.get('timeout');
  const m = raw ? /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(raw) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function waitFor(o: WebhookOptions, url: string | undefined): number {
  const max = o.maxWaitMs ?? 8000;
  const given = timeoutParam(url);
  return given === undefined ? max : Math.max(MIN_WAIT_MS, Math.min(max, given - DEADLINE_MARGIN_MS));
}

async function mutateWithin(o: WebhookOptions, request: AdmissionRequest, ms: number): Promise<{ patch: JSONPatchOp[]; warnings: string[] }> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    const outcome = await Promise.race([o.mutate(request, ac.signal), timedOut]);
    if (outcome === 'timeout') return { patch: [], warnings: [o.unchangedWarning('timeout')] };
    return { patch: outcome, warnings: [] };
  } catch (err) {
    o.onError?.(err, request);
    return { patch: [], warnings: [o.unchangedWarning('error')] };
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

export function admissionWebhook(o: WebhookOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'POST') throw errors.methodNotAllowed();
    const { mediaType } = parseContentType(req.headers['content-type']);
    if (mediaType !== 'application/json') throw errors.unsupportedMediaType('application/json');
    const raw = await readBody(req);
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      throw errors.badRequest('the body is not valid JSON');
    }
    const request = parseAdmissionReview(doc);
    const { patch, warnings } = await mutateWithin(o, request, waitFor(o, req.url));
    writeJSON(res, 200, admissionResponse(request.uid, patch, warnings));
  };
}
