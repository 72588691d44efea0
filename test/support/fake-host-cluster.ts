// A fake host cluster (kube-apiserver) over HTTPS for tests: TokenReview from a token -> user map,
// SubjectAccessReview from RBAC-like rules, the extension-apiserver-authentication ConfigMap,
// namespaces (with phases) and secrets, each list watchable (?watch=true, JSON lines), in the
// exact wire formats of authentication.k8s.io/v1, authorization.k8s.io/v1 and core/v1. Pods and
// the workloads image triggers follow (apps/v1, batch/v1) can be created, read, JSON-patched,
// listed and watched; creates and patches go through the registered mutating webhooks as
// kube-apiserver sends them (fake-admission.ts); Events are stored. Every call is recorded so
// tests can assert what was asked and how often.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify as toYaml } from 'yaml';
import { jsonPatch } from '../../src/apiserver/endpoints/patch.js';
import { StatusError } from '../../src/apiserver/errors/index.js';
import { generateCA, issueCertificate, type CertKeyPair } from '../../src/apiserver/server/selfsigned.js';
import { AdmissionRejected, runMutatingWebhooks, type MutatingWebhook } from './fake-admission.js';

export interface FakeUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** One RBAC-like grant. Subjects: users and/or groups. No namespace = every namespace and cluster scope. */
export interface AccessRule {
  users?: string[];
  groups?: string[];
  namespace?: string;
  verbs: string[];
  apiGroups?: string[];
  /** "imagestreams", "imagestreams/status", "*". */
  resources?: string[];
  resourceNames?: string[];
  /** "/metrics", "/readyz/*". */
  nonResourceURLs?: string[];
}

// The SAR spec fields tests look at.
export interface RecordedSAR {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: Record<string, string | undefined>;
  nonResourceAttributes?: { path: string; verb: string };
}

export interface RecordedTokenReview {
  token: string;
  audiences?: string[];
}

export const AUTH_CONFIGMAP = 'extension-apiserver-authentication';

/** The verbs and resources an OpenShift "edit" role grants on image.openshift.io. */
export function editRules(subject: { users?: string[]; groups?: string[] }, namespace: string): AccessRule[] {
  return [
    {
      ...subject,
      namespace,
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
      apiGroups: ['image.openshift.io'],
      resources: ['*'],
    },
  ];
}

interface StoredObject {
  metadata: { name: string; namespace?: string; resourceVersion: string; uid: string; creationTimestamp: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** The namespaced collections clients may write, by resource: API group/version and kind. */
const WRITABLE: Record<string, { group: string; version: string; kind: string }> = {
  pods: { group: '', version: 'v1', kind: 'Pod' },
  events: { group: '', version: 'v1', kind: 'Event' },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment' },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
  daemonsets: { group: 'apps', version: 'v1', kind: 'DaemonSet' },
  cronjobs: { group: 'batch', version: 'v1', kind: 'CronJob' },
};
const groupVersion = (w: { group: string; version: string }): string => (w.group ? `${w.group}/${w.version}` : w.version);
const WRITABLE_PATH = /^\/(?:api\/v1|apis\/(apps|batch)\/v1)\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/;

interface LogEntry {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
}

interface Watcher {
  collection: string;
  filter: (o: StoredObject) => boolean;
  res: ServerResponse;
  kind: string;
  apiVersion: string;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export interface FakeHostClusterOptions {
  /** The token the image-apiserver presents; anything else gets 401. */
  clientToken?: string;
  /** Reuse certificates (RSA keys are slow to make): the CA and a serving cert for 127.0.0.1 it signed. */
  pki?: { ca: CertKeyPair; serving: CertKeyPair };
}

export class FakeHostCluster {
  readonly ca: CertKeyPair;
  readonly clientToken: string;
  readonly tokens = new Map<string, FakeUser>();
  rules: AccessRule[] = [];
  /** When set, every SubjectAccessReview is answered with this HTTP code and a Status. */
  sarFailure: { code: number; message: string } | undefined;
  /** Delay before answering reviews (to observe coalescing). */
  reviewDelayMs = 0;
  /** The webhooks of registered MutatingWebhookConfigurations, in the order kube-apiserver calls them. */
  readonly mutatingWebhooks: MutatingWebhook[] = [];
  readonly calls = {
    tokenReviews: [] as RecordedTokenReview[],
    subjectAccessReviews: [] as RecordedSAR[],
    configMapLists: 0,
    configMapWatches: 0,
    configMapGets: 0,
    namespaceLists: 0,
    namespaceWatches: 0,
    namespaceGets: 0,
    secretLists: 0,
    limitRangeLists: 0,
    limitRangeWatches: 0,
    unauthorized: 0,
    /** Every create and patch of a writable collection, as "<METHOD> <resource> <namespace>/<name>". */
    writes: [] as string[],
    /** The fieldSelector of every ConfigMap list and watch. */
    configMapSelectors: [] as string[],
  };
  private server: Server | undefined;
  private rv = 100;
  private readonly objects = new Map<string, Map<string, StoredObject>>();
  private readonly log = new Map<string, LogEntry[]>();
  private readonly watchers = new Set<Watcher>();
  url = '';

  private readonly serving: CertKeyPair;

  constructor(o: FakeHostClusterOptions = {}) {
    this.ca = o.pki?.ca ?? generateCA('fake-host-cluster-ca');
    this.serving = o.pki?.serving ?? issueCertificate(this.ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    this.clientToken = o.clientToken ?? randomBytes(16).toString('hex');
  }

  async start(): Promise<this> {
    const serving = this.serving;
    this.server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.json(res, 500, statusBody(500, 'InternalError', String(err)));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** A kubeconfig that reaches this fake as the image-apiserver's service account. */
  writeKubeconfig(path: string): string {
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'host', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca.cert).toString('base64') } }],
      users: [{ name: 'image-apiserver', user: { token: this.clientToken } }],
      contexts: [{ name: 'host', context: { cluster: 'host', user: 'image-apiserver' } }],
      'current-context': 'host',
    };
    writeFileSync(path, toYaml(doc));
    return path;
  }

  // ---- state the tests set --------------------------------------------------------------

  setConfigMap(namespace: string, name: string, data: Record<string, string>): void {
    this.put('configmaps', { metadata: this.meta(name, namespace), data });
  }

  deleteConfigMap(namespace: string, name: string): void {
    this.remove('configmaps', `${namespace}/${name}`);
  }

  setNamespace(name: string, phase: 'Active' | 'Terminating' = 'Active'): void {
    const obj: StoredObject = { metadata: this.meta(name), spec: { finalizers: ['kubernetes'] }, status: { phase } };
    if (phase === 'Terminating') (obj.metadata as Record<string, unknown>).deletionTimestamp = now();
    this.put('namespaces', obj);
  }

  deleteNamespace(name: string): void {
    this.remove('namespaces', name);
  }

  setSecret(namespace: string, name: string, type: string, data: Record<string, string>, labels?: Record<string, string>): void {
    const md = this.meta(name, namespace);
    if (labels) md.labels = labels;
    this.put('secrets', { metadata: md, type, data });
  }

  setLimitRange(namespace: string, name: string, spec: Record<string, unknown>): void {
    this.put('limitranges', { metadata: this.meta(name, namespace), spec });
  }

  deleteLimitRange(namespace: string, name: string): void {
    this.remove('limitranges', `${namespace}/${name}`);
  }

  /** Registers an admissionregistration.k8s.io/v1 MutatingWebhookConfiguration's webhooks. */
  registerMutatingWebhooks(config: { webhooks?: MutatingWebhook[] }): void {
    this.mutatingWebhooks.push(...structuredClone(config.webhooks ?? []));
  }

  /** A stored object of a writable collection (pods, deployments, events, ...), as served. */
  object(resource: string, namespace: string, name: string): Record<string, unknown> | undefined {
    const o = this.objects.get(resource)?.get(`${namespace}/${name}`);
    return o ? structuredClone(o) : undefined;
  }

  /** Every stored object of a writable collection in a namespace. */
  list(resource: string, namespace: string): Record<string, unknown>[] {
    return [...(this.objects.get(resource)?.values() ?? [])].filter((o) => o.metadata.namespace === namespace).map((o) => structuredClone(o));
  }

  /** Ends every open watch (clients must resume from their last resourceVersion). */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  resetCalls(): void {
    this.calls.tokenReviews = [];
    this.calls.subjectAccessReviews = [];
    this.calls.configMapSelectors = [];
    this.calls.writes = [];
    for (const k of ['configMapLists', 'configMapWatches', 'configMapGets', 'namespaceLists', 'namespaceWatches', 'namespaceGets', 'secretLists', 'limitRangeLists', 'limitRangeWatches', 'unauthorized'] as const) this.calls[k] = 0;
  }

  // ---- storage ----------------------------------------------------------------------------

  private meta(name: string, namespace?: string): StoredObject['metadata'] {
    return { name, ...(namespace ? { namespace } : {}), resourceVersion: '', uid: randomBytes(8).toString('hex'), creationTimestamp: now() };
  }

  private key(o: StoredObject): string {
    return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
  }

  private put(collection: string, obj: StoredObject): void {
    const m = this.objects.get(collection) ?? new Map<string, StoredObject>();
    this.objects.set(collection, m);
    const old = m.get(this.key(obj));
    if (old) {
      obj.metadata.uid = old.metadata.uid;
      obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    }
    obj.metadata.resourceVersion = String(++this.rv);
    m.set(this.key(obj), obj);
    this.record(collection, old ? 'MODIFIED' : 'ADDED', obj);
  }

  private remove(collection: string, key: string): void {
    const m = this.objects.get(collection);
    const old = m?.get(key);
    if (!m || !old) return;
    m.delete(key);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record(collection, 'DELETED', gone);
  }

  private record(collection: string, type: LogEntry['type'], object: StoredObject): void {
    const entries = this.log.get(collection) ?? [];
    this.log.set(collection, entries);
    const entry = { rv: Number(object.metadata.resourceVersion), type, object: structuredClone(object) };
    entries.push(entry);
    for (const w of this.watchers) if (w.collection === collection && w.filter(object)) this.send(w.res, { type, object: { kind: w.kind, apiVersion: w.apiVersion, ...entry.object } });
  }

  private send(res: ServerResponse, e: { type: string; object: unknown }): void {
    res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private json(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.headers.authorization !== `Bearer ${this.clientToken}`) {
      this.calls.unauthorized++;
      return this.json(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    }
    const p = url.pathname;
    const q = url.searchParams;
    if (req.method === 'POST' && p === '/apis/authentication.k8s.io/v1/tokenreviews') return this.tokenReview(req, res);
    if (req.method === 'POST' && p === '/apis/authorization.k8s.io/v1/subjectaccessreviews') return this.subjectAccessReview(req, res);
    const w = WRITABLE_PATH.exec(p);
    const writable = w ? WRITABLE[w[3] ?? ''] : undefined;
    if (w && writable && writable.group === (w[1] ?? '')) return this.serveWritable(req, res, q, w[3] ?? '', w[2], w[4]);
    if (req.method !== 'GET') return this.json(res, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));

    let m: RegExpExecArray | null;
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(p))) {
      if (this.isWatch(q)) this.calls.configMapWatches++;
      else this.calls.configMapLists++;
      this.calls.configMapSelectors.push(q.get('fieldSelector') ?? '');
      return this.listOrWatch(res, 'configmaps', q, m[1], 'ConfigMapList');
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(p))) {
      this.calls.configMapGets++;
      const cm = this.objects.get('configmaps')?.get(`${m[1]}/${m[2]}`);
      return cm ? this.json(res, 200, { kind: 'ConfigMap', apiVersion: 'v1', ...cm }) : this.json(res, 404, statusBody(404, 'NotFound', `configmaps "${m[2]}" not found`, { name: m[2], kind: 'configmaps' }));
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(p))) {
      this.calls.secretLists++;
      return this.listOrWatch(res, 'secrets', q, m[1], 'SecretList');
    }
    if (p === '/api/v1/limitranges') {
      if (this.isWatch(q)) this.calls.limitRangeWatches++;
      else this.calls.limitRangeLists++;
      return this.listOrWatch(res, 'limitranges', q, undefined, 'LimitRangeList');
    }
    if (p === '/api/v1/namespaces') {
      if (this.isWatch(q)) this.calls.namespaceWatches++;
      else this.calls.namespaceLists++;
      return this.listOrWatch(res, 'namespaces', q, undefined, 'NamespaceList');
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p))) {
      this.calls.namespaceGets++;
      const ns = this.objects.get('namespaces')?.get(m[1]);
      return ns ? this.json(res, 200, { kind: 'Namespace', apiVersion: 'v1', ...ns }) : this.json(res, 404, statusBody(404, 'NotFound', `namespaces "${m[1]}" not found`, { name: m[1], kind: 'namespaces' }));
    }
    return this.json(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
  }

  /** Create (POST), get, JSON patch (PATCH), and list or watch (GET) of a writable collection. */
  private async serveWritable(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, resource: string, namespace: string | undefined, name: string | undefined): Promise<void> {
    const w = WRITABLE[resource];
    if (!w) return;
    const apiVersion = groupVersion(w);
    const typed = (o: StoredObject): Record<string, unknown> => ({ kind: w.kind, apiVersion, ...o });
    const notFound = (): void => this.json(res, 404, statusBody(404, 'NotFound', `${resource}${w.group ? `.${w.group}` : ''} "${name}" not found`, { name, group: w.group, kind: resource }));
    if (req.method === 'GET' && !name) return this.listOrWatch(res, resource, q, namespace, `${w.kind}List`, apiVersion);
    if (!namespace) return this.json(res, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    const stored = name ? this.objects.get(resource)?.get(`${namespace}/${name}`) : undefined;
    if (req.method === 'GET') return stored ? this.json(res, 200, typed(stored)) : notFound();
    let next: Record<string, unknown>;
    let operation: 'CREATE' | 'UPDATE';
    if (req.method === 'POST' && !name) {
      next = await this.body(req);
      operation = 'CREATE';
      const md = (next.metadata ?? {}) as Record<string, unknown>;
      next.metadata = { ...md, namespace };
      if (typeof md.name !== 'string' || !md.name) return this.json(res, 422, statusBody(422, 'Invalid', `${w.kind} "" is invalid: metadata.name: Required value: name or generateName is required`));
      if (this.objects.get(resource)?.has(`${namespace}/${md.name}`)) return this.json(res, 409, statusBody(409, 'AlreadyExists', `${resource} "${md.name}" already exists`));
    } else if (req.method === 'PATCH' && name) {
      if (!stored) return notFound();
      if (req.headers['content-type'] !== 'application/json-patch+json') return this.json(res, 415, statusBody(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json`));
      try {
        next = jsonPatch(typed(stored), await this.body(req)) as Record<string, unknown>;
      } catch (err) {
        if (err instanceof StatusError) return this.json(res, err.status.code ?? 422, err.status);
        throw err;
      }
      operation = 'UPDATE';
    } else {
      return this.json(res, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    }
    const objName = String((next.metadata as Record<string, unknown>).name);
    this.calls.writes.push(`${req.method} ${resource} ${namespace}/${objName}`);
    let warnings: string[] = [];
    if (resource !== 'events') {
      try {
        const admitted = await runMutatingWebhooks(this.mutatingWebhooks, {
          ...w,
          resource,
          namespace,
          name: objName,
          operation,
          object: next,
          ...(stored ? { oldObject: typed(stored) } : {}),
          user: { username: 'system:serviceaccount:image-apiserver:image-apiserver', groups: ['system:serviceaccounts', 'system:authenticated'] },
        });
        next = admitted.object;
        warnings = admitted.warnings;
      } catch (err) {
        if (err instanceof AdmissionRejected) return this.json(res, err.code, statusBody(err.code, err.code === 500 ? 'InternalError' : 'BadRequest', err.message));
        throw err;
      }
    }
    const { kind: _k, apiVersion: _a, ...rest } = next;
    const md = rest.metadata as StoredObject['metadata'];
    const obj: StoredObject = { ...rest, metadata: { ...md, ...(stored ? {} : this.meta(objName, namespace)), resourceVersion: '' } };
    if (stored) obj.metadata.uid = stored.metadata.uid;
    this.put(resource, obj);
    const headers = warnings.length ? { Warning: warnings.map((x) => `299 - ${JSON.stringify(x)}`).join(', ') } : {};
    const text = JSON.stringify(typed(obj));
    res.writeHead(operation === 'CREATE' ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private isWatch(q: URLSearchParams): boolean {
    const w = q.get('watch');
    return w !== null && w !== 'false' && w !== '0';
  }

  private filterFor(q: URLSearchParams, namespace: string | undefined): (o: StoredObject) => boolean {
    const fs = q.get('fieldSelector');
    const name = fs ? /^metadata\.name==?(.*)$/.exec(fs)?.[1] : undefined;
    const ls = q.get('labelSelector');
    const labels = ls ? ls.split(',').map((kv) => kv.split('=') as [string, string]) : [];
    return (o) =>
      (namespace === undefined || o.metadata.namespace === namespace) &&
      (name === undefined || o.metadata.name === name) &&
      labels.every(([k, v]) => o.metadata.labels?.[k] === v);
  }

  private listOrWatch(res: ServerResponse, collection: string, q: URLSearchParams, namespace: string | undefined, listKind: string, apiVersion = 'v1'): void {
    const filter = this.filterFor(q, namespace);
    const kind = listKind.replace(/List$/, '');
    if (!this.isWatch(q)) {
      const items = [...(this.objects.get(collection)?.values() ?? [])].filter(filter).sort((a, b) => this.key(a).localeCompare(this.key(b)));
      return this.json(res, 200, { kind: listKind, apiVersion, metadata: { resourceVersion: String(this.rv) }, items: items.map((i) => ({ ...i })) });
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const from = Number(q.get('resourceVersion') || '0');
    const entries = this.log.get(collection) ?? [];
    if (from > 0 && entries.length && from < entries[0].rv - 1) {
      this.send(res, { type: 'ERROR', object: statusBody(410, 'Expired', `too old resource version: ${from} (${entries[0].rv})`) });
      res.end();
      return;
    }
    for (const e of entries) if (e.rv > from && filter(e.object)) this.send(res, { type: e.type, object: { kind, apiVersion, ...e.object } });
    const w: Watcher = { collection, filter, res, kind, apiVersion };
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') || '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }

  private async tokenReview(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const review = await this.body(req);
    const spec = (review.spec ?? {}) as { token?: string; audiences?: string[] };
    this.calls.tokenReviews.push({ token: spec.token ?? '', ...(spec.audiences ? { audiences: spec.audiences } : {}) });
    if (this.reviewDelayMs) await new Promise((r) => setTimeout(r, this.reviewDelayMs));
    const user = this.tokens.get(spec.token ?? '');
    const status = user
      ? { authenticated: true, user: { username: user.username, uid: user.uid ?? `uid-${user.username}`, groups: [...(user.groups ?? []), 'system:authenticated'], ...(user.extra ? { extra: user.extra } : {}) }, audiences: spec.audiences ?? ['https://kubernetes.default.svc'] }
      : { user: {}, error: 'invalid bearer token' };
    this.json(res, 201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status });
  }

  private async subjectAccessReview(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const review = await this.body(req);
    const spec = (review.spec ?? {}) as RecordedSAR;
    this.calls.subjectAccessReviews.push(spec);
    if (this.reviewDelayMs) await new Promise((r) => setTimeout(r, this.reviewDelayMs));
    if (this.sarFailure) return this.json(res, this.sarFailure.code, statusBody(this.sarFailure.code, this.sarFailure.code === 403 ? 'Forbidden' : 'InternalError', this.sarFailure.message));
    const index = this.rules.findIndex((r) => this.matches(r, spec));
    const status = index >= 0 ? { allowed: true, reason: `RBAC: allowed by RoleBinding "rule-${index}" of the fake host` } : { allowed: false };
    this.json(res, 201, { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status });
  }

  private matches(r: AccessRule, spec: RecordedSAR): boolean {
    const subject = (r.users ?? []).includes(spec.user ?? '') || (r.groups ?? []).some((g) => (spec.groups ?? []).includes(g));
    if (!subject) return false;
    const verbOk = (verb: string): boolean => r.verbs.includes('*') || r.verbs.includes(verb);
    if (spec.nonResourceAttributes) {
      const n = spec.nonResourceAttributes;
      return !!r.nonResourceURLs?.some((u) => (u.endsWith('*') ? n.path.startsWith(u.slice(0, -1)) : u === n.path)) && verbOk(n.verb);
    }
    const a = spec.resourceAttributes;
    if (!a || r.nonResourceURLs) return false;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? '');
    return (
      verbOk(a.verb ?? '') &&
      (r.apiGroups ?? []).some((g) => g === '*' || g === (a.group ?? '')) &&
      (r.resources ?? []).some((x) => x === '*' || x === res) &&
      (r.namespace === undefined || r.namespace === (a.namespace ?? '')) &&
      (!r.resourceNames?.length || r.resourceNames.includes(a.name ?? ''))
    );
  }
}

/** The ConfigMap kube-apiserver publishes, from CAs and front-proxy settings. */
export function authenticationConfigMapData(o: {
  clientCA?: string;
  requestHeaderCA?: string;
  allowedNames?: string[];
  usernameHeaders?: string[];
  groupHeaders?: string[];
  extraPrefixes?: string[];
  uidHeaders?: string[] | null;
}): Record<string, string> {
  const data: Record<string, string> = {};
  if (o.clientCA) data['client-ca-file'] = o.clientCA;
  if (o.requestHeaderCA) {
    data['requestheader-client-ca-file'] = o.requestHeaderCA;
    data['requestheader-allowed-names'] = JSON.stringify(o.allowedNames ?? []);
    data['requestheader-username-headers'] = JSON.stringify(o.usernameHeaders ?? ['X-Remote-User']);
    data['requestheader-group-headers'] = JSON.stringify(o.groupHeaders ?? ['X-Remote-Group']);
    data['requestheader-extra-headers-prefix'] = JSON.stringify(o.extraPrefixes ?? ['X-Remote-Extra-']);
    data['requestheader-uid-headers'] = o.uidHeaders === null ? 'null' : JSON.stringify(o.uidHeaders ?? ['X-Remote-Uid']);
  }
  return data;
}
