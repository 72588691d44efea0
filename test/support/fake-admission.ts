// Mutating admission webhooks called the way kube-apiserver calls them: for each registered
// admissionregistration.k8s.io/v1 webhook whose rules and namespaceSelector match, an
// admission.k8s.io/v1 AdmissionReview is POSTed over TLS (verified with the configuration's
// caBundle) to clientConfig.url with ?timeout=<timeoutSeconds>s; a JSONPatch response is applied;
// a failed call fails the request only with failurePolicy Fail.

import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { jsonPatch } from '../../src/apiserver/endpoints/patch.js';

interface Rule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
}

interface SelectorExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface MutatingWebhook {
  name: string;
  clientConfig: { url?: string; caBundle?: string; service?: unknown };
  rules: Rule[];
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: SelectorExpression[] };
  failurePolicy?: 'Ignore' | 'Fail';
  timeoutSeconds?: number;
  admissionReviewVersions: string[];
}

export interface AdmissionAttributes {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespace: string;
  name: string;
  operation: 'CREATE' | 'UPDATE';
  object: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  user: { username: string; groups: string[] };
}

export interface AdmissionOutcome {
  object: Record<string, unknown>;
  warnings: string[];
}

/** A request the webhooks refused, or a failed call under failurePolicy Fail. */
export class AdmissionRejected extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const matchesAny = (values: string[], v: string): boolean => values.includes('*') || values.includes(v);

function ruleMatches(w: MutatingWebhook, a: AdmissionAttributes): boolean {
  return w.rules.some((r) => matchesAny(r.apiGroups, a.group) && matchesAny(r.apiVersions, a.version) && matchesAny(r.resources, a.resource) && matchesAny(r.operations, a.operation));
}

/** Namespaces carry the kubernetes.io/metadata.name label, which kube-apiserver sets on every one. */
function namespaceMatches(w: MutatingWebhook, namespace: string): boolean {
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': namespace };
  const s = w.namespaceSelector ?? {};
  if (!Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v)) return false;
  return (s.matchExpressions ?? []).every((e) => {
    const v = labels[e.key];
    if (e.operator === 'In') return v !== undefined && (e.values ?? []).includes(v);
    if (e.operator === 'NotIn') return v === undefined || !(e.values ?? []).includes(v);
    if (e.operator === 'Exists') return v !== undefined;
    return v === undefined;
  });
}

function post(url: URL, ca: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', reject);
    req.end(body);
  });
}

interface ReviewResponse {
  response?: { uid?: string; allowed?: boolean; patchType?: string; patch?: string; warnings?: string[]; status?: { code?: number; message?: string } };
}

async function callOne(w: MutatingWebhook, a: AdmissionAttributes, object: Record<string, unknown>): Promise<{ object: Record<string, unknown>; warnings: string[] }> {
  if (!w.clientConfig.url) throw new Error('only clientConfig.url is supported by the fake (there are no Services)');
  const timeout = w.timeoutSeconds ?? 10;
  const url = new URL(w.clientConfig.url);
  url.searchParams.set('timeout', `${timeout}s`);
  const uid = randomUUID();
  const gvk = { group: a.group, version: a.version, kind: a.kind };
  const gvr = { group: a.group, version: a.version, resource: a.resource };
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: a.name,
      namespace: a.namespace,
      operation: a.operation,
      userInfo: a.user,
      object,
      oldObject: a.oldObject ?? null,
      dryRun: false,
      options: a.operation === 'CREATE' ? { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' } : { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
  const ca = Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  const res = await post(url, ca, JSON.stringify(review), timeout * 1000);
  if (res.status !== 200) throw new Error(`the server responded with status ${res.status}: ${res.text.slice(0, 200)}`);
  const body = JSON.parse(res.text) as ReviewResponse;
  const r = body.response;
  if (!r || r.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r?.uid)}`);
  if (!r.allowed) throw new AdmissionRejected(r.status?.code ?? 400, `admission webhook "${w.name}" denied the request: ${r.status?.message ?? ''}`);
  if (!r.patch) return { object, warnings: r.warnings ?? [] };
  if (r.patchType !== 'JSONPatch') throw new Error(`unsupported patchType ${JSON.stringify(r.patchType)}`);
  const patched = jsonPatch(object, JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8'))) as Record<string, unknown>;
  return { object: patched, warnings: r.warnings ?? [] };
}

/** Runs the matching webhooks in order, as kube-apiserver's mutating admission does. */
export async function runMutatingWebhooks(webhooks: readonly MutatingWebhook[], a: AdmissionAttributes): Promise<AdmissionOutcome> {
  let object = a.object;
  const warnings: string[] = [];
  for (const w of webhooks) {
    if (!ruleMatches(w, a) || !namespaceMatches(w, a.namespace)) continue;
    if (!w.admissionReviewVersions.includes('v1')) continue;
    try {
      const out = await callOne(w, a, object);
      object = out.object;
      warnings.push(...out.warnings);
    } catch (err) {
      if (err instanceof AdmissionRejected) throw err;
      if (w.failurePolicy === 'Ignore') continue;
      throw new AdmissionRejected(500, `Internal error occurred: failed calling webhook "${w.name}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { object, warnings };
}
