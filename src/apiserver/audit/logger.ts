// The audit log: one audit.k8s.io/v1 Event per finished request (stage ResponseComplete), as a
// JSON line, at the level the policy picks. Request and response bodies are copied only when the
// level asks for them; credentials never reach the log (no headers are recorded, and Secrets are
// never logged beyond Metadata).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { RequestState } from '../endpoints/request-state.js';
import type { RequestAuditor } from '../filters/audit.js';
import { LEVELS, type AuditAttributes, type AuditLevel, type PolicyDecision, type PolicyEvaluator } from './policy.js';

/** Where events go: one JSON document per call. */
export interface AuditSink {
  write(line: string): void;
}

export interface AuditLoggerOptions {
  policy: PolicyEvaluator;
  sink: AuditSink;
  /** Bodies larger than this are not copied into events (default 3 MiB, the request limit). */
  maxBodyBytes?: number;
  clock?: () => Date;
}

interface Capture {
  receivedAt: Date;
  decision?: PolicyDecision;
  authorized: boolean;
  /** Copy the whole response body (RequestResponse); otherwise only error Status bodies. */
  wantResponse: boolean;
  response: Buffer[];
  responseBytes: number;
  request: Buffer[];
  requestBytes: number;
  overflow: boolean;
}

const rank = (l: AuditLevel): number => LEVELS.indexOf(l);

/** metav1.MicroTime: RFC 3339 with 6 fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function sourceIPs(req: IncomingMessage): string[] {
  const ips: string[] = [];
  const xff = req.headers['x-forwarded-for'];
  for (const v of (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',')) if (v.trim()) ips.push(v.trim());
  const real = req.headers['x-real-ip'];
  if (typeof real === 'string' && real.trim() && !ips.includes(real.trim())) ips.push(real.trim());
  const remote = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  if (remote && !ips.includes(remote)) ips.push(remote);
  return ips;
}

function isSecretKind(v: unknown): boolean {
  return !!v && typeof v === 'object' && ((v as { kind?: unknown }).kind === 'Secret' || (v as { kind?: unknown }).kind === 'SecretList');
}

function withoutManagedFields(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const o = { ...(v as Record<string, unknown>) };
  if (o.metadata && typeof o.metadata === 'object') {
    const { managedFields: _mf, ...md } = o.metadata as Record<string, unknown>;
    o.metadata = md;
  }
  if (Array.isArray(o.items)) o.items = o.items.map(withoutManagedFields);
  return o;
}

function decode(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    if (!(contentType ?? '').includes('yaml')) return undefined;
    try {
      return parseYaml(text);
    } catch {
      return undefined;
    }
  }
}

export function auditAttributes(state: RequestState): AuditAttributes {
  const i = state.info;
  return {
    user: state.user,
    verb: i.verb,
    isResourceRequest: i.isResourceRequest,
    path: i.path,
    apiGroup: i.apiGroup,
    namespace: i.namespace,
    resource: i.resource,
    subresource: i.subresource,
    name: i.name,
  };
}

export class AuditLogger implements RequestAuditor {
  private readonly captures = new WeakMap<IncomingMessage, Capture>();
  private readonly maxBody: number;
  private readonly now: () => Date;

  constructor(private readonly o: AuditLoggerOptions) {
    this.maxBody = o.maxBodyBytes ?? 3 * 1024 * 1024;
    this.now = o.clock ?? (() => new Date());
  }

  private decide(state: RequestState): PolicyDecision {
    const d = this.o.policy.evaluate(auditAttributes(state));
    // Secrets (imagestreams/<name>/secrets) never go past Metadata: their data are credentials.
    if (rank(d.level) > rank('Metadata') && (state.info.resource === 'secrets' || state.info.subresource === 'secrets')) {
      return { ...d, level: 'Metadata' };
    }
    return d;
  }

  received(req: IncomingMessage, res: ServerResponse): void {
    const c: Capture = { receivedAt: this.now(), authorized: false, wantResponse: false, response: [], responseBytes: 0, request: [], requestBytes: 0, overflow: false };
    this.captures.set(req, c);
    const keep = (chunk: unknown, encoding: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (!c.wantResponse && res.statusCode < 400) return;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      c.responseBytes += buf.length;
      if (c.responseBytes > this.maxBody) {
        c.overflow = true;
        c.response = [];
        return;
      }
      if (!c.overflow) c.response.push(buf);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const target = res as unknown as { write: (...args: unknown[]) => boolean; end: (...args: unknown[]) => ServerResponse };
    target.write = (...args: unknown[]): boolean => {
      keep(args[0], args[1]);
      return write(...args);
    };
    target.end = (...args: unknown[]): ServerResponse => {
      keep(args[0], args[1]);
      return end(...args);
    };
  }

  authorized(req: IncomingMessage, state: RequestState): void {
    const c = this.captures.get(req);
    if (!c) return;
    c.authorized = true;
    c.decision = this.decide(state);
    c.wantResponse = c.decision.level === 'RequestResponse' && state.info.verb !== 'watch';
    if (rank(c.decision.level) >= rank('Request') && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '')) {
      // Paused first, a 'data' listener sees every chunk the handler later reads, without
      // starting the flow before the handler is ready.
      req.pause();
      req.on('data', (chunk: Buffer) => {
        c.requestBytes += chunk.length;
        if (c.requestBytes > this.maxBody) {
          c.overflow = true;
          c.request = [];
        } else c.request.push(chunk);
      });
    }
  }

  completed(state: RequestState, code: number, req: IncomingMessage): void {
    const c = this.captures.get(req);
    const decision = c?.decision ?? this.decide(state);
    if (decision.level === 'None' || decision.omitStages.includes('ResponseComplete')) return;
    const i = state.info;
    const user = state.user;
    const event: Record<string, unknown> = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: decision.level,
      auditID: state.auditID,
      stage: 'ResponseComplete',
      requestURI: req.url ?? '',
      verb: i.verb,
      user: user ? { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } : {},
      sourceIPs: sourceIPs(req),
    };
    if (req.headers['user-agent']) event.userAgent = req.headers['user-agent'];
    if (i.isResourceRequest) {
      const ref: Record<string, string> = { resource: i.resource };
      if (i.namespace) ref.namespace = i.namespace;
      if (i.name) ref.name = i.name;
      ref.apiGroup = i.apiGroup;
      ref.apiVersion = i.apiVersion;
      if (i.subresource) ref.subresource = i.subresource;
      event.objectRef = ref;
    }
    const responseBody = c && !c.overflow ? Buffer.concat(c.response) : Buffer.alloc(0);
    const response = responseBody.length ? decode(responseBody, undefined) : undefined;
    const status: Record<string, unknown> = { metadata: {}, code };
    if (response && typeof response === 'object' && (response as { kind?: unknown }).kind === 'Status') {
      const s = response as { status?: string; message?: string; reason?: string };
      if (s.status) status.status = s.status;
      if (s.message) status.message = s.message;
      if (s.reason) status.reason = s.reason;
    }
    event.responseStatus = status;
    if (c && rank(decision.level) >= rank('Request') && !c.overflow && c.request.length) {
      const obj = decode(Buffer.concat(c.request), req.headers['content-type']);
      if (obj !== undefined && !isSecretKind(obj)) event.requestObject = decision.omitManagedFields ? withoutManagedFields(obj) : obj;
    }
    if (decision.level === 'RequestResponse' && c?.wantResponse && response !== undefined && !isSecretKind(response)) {
      event.responseObject = decision.omitManagedFields ? withoutManagedFields(response) : response;
    }
    event.requestReceivedTimestamp = microTime(c?.receivedAt ?? state.receivedAt);
    event.stageTimestamp = microTime(this.now());
    if (c?.authorized) event.annotations = { 'authorization.k8s.io/decision': 'allow' };
    else if (code === 403 && user) event.annotations = { 'authorization.k8s.io/decision': 'forbid' };
    this.o.sink.write(`${JSON.stringify(event)}\n`);
  }
}
