// A host cluster in memory: --local mode (the admin token is the only identity, every namespace
// exists) and unit tests (tokens, access rules, ConfigMaps, namespaces and workloads set by the
// test; patches applied, Events kept).

import { jsonPatch } from '../endpoints/patch.js';
import { StatusError } from '../errors/index.js';
import {
  HostClusterError,
  type CollectionHandlers,
  type ConfigMapData,
  type EventRecord,
  type HostCluster,
  type Informer,
  type JSONPatchOperation,
  type LimitRangeLister,
  type LimitRangeObject,
  type NamespaceInfo,
  type NamespaceLister,
  type SecretList,
  type SecretListOptions,
  type SecretObject,
  type SubjectAccessReviewSpec,
  type SubjectAccessReviewStatus,
  type TokenReviewSpec,
  type TokenReviewStatus,
  type WireUserInfo,
  type WorkloadResource,
} from './types.js';

export interface InMemoryHostClusterOptions {
  /** Bearer token -> user, answered by TokenReview. */
  tokens?: ReadonlyMap<string, WireUserInfo>;
  /** Decides SubjectAccessReviews; without it nothing is allowed. */
  authorize?: (spec: SubjectAccessReviewSpec) => SubjectAccessReviewStatus | Promise<SubjectAccessReviewStatus>;
  /** true: every namespace exists and is Active (local mode); false: only those set with setNamespace. */
  everyNamespaceExists?: boolean;
}

/** A workload as stored (JSON); the in-memory host keeps what it is given. */
export interface WorkloadObject {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const SYNCED: Informer = {
  hasSynced: () => true,
  waitForSync: () => Promise.resolve(true),
  stop: () => undefined,
};

export class InMemoryHostCluster implements HostCluster {
  readonly tokens: Map<string, WireUserInfo>;
  readonly calls = { tokenReviews: 0, subjectAccessReviews: 0, namespaceGets: 0 };
  private readonly configMaps = new Map<string, ConfigMapData>();
  private readonly cmListeners = new Map<string, Set<(cm: ConfigMapData | undefined) => void>>();
  private readonly ns = new Map<string, NamespaceInfo>();
  private readonly secrets = new Map<string, SecretObject[]>();
  private readonly limits = new Map<string, LimitRangeObject[]>();
  private readonly workloads = new Map<WorkloadResource, Map<string, WorkloadObject>>();
  private readonly workloadWatchers = new Map<WorkloadResource, Set<CollectionHandlers>>();
  /** Every Event created, oldest first. */
  readonly events: EventRecord[] = [];
  private revision = 1;

  constructor(private readonly o: InMemoryHostClusterOptions = {}) {
    this.tokens = new Map(o.tokens ?? []);
  }

  async createTokenReview(spec: TokenReviewSpec): Promise<TokenReviewStatus> {
    this.calls.tokenReviews++;
    const user = this.tokens.get(spec.token);
    return user ? { authenticated: true, user, audiences: spec.audiences } : { authenticated: false, error: 'token not found' };
  }

  async createSubjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus> {
    this.calls.subjectAccessReviews++;
    return this.o.authorize ? this.o.authorize(spec) : { allowed: false };
  }

  setConfigMap(namespace: string, name: string, data: Record<string, string> | undefined): void {
    const key = `${namespace}/${name}`;
    const cm = data ? { namespace, name, resourceVersion: String(++this.revision), data: { ...data } } : undefined;
    if (cm) this.configMaps.set(key, cm);
    else this.configMaps.delete(key);
    for (const l of this.cmListeners.get(key) ?? []) l(cm);
  }

  watchConfigMap(namespace: string, name: string, onChange: (cm: ConfigMapData | undefined) => void): Informer {
    const key = `${namespace}/${name}`;
    const set = this.cmListeners.get(key) ?? new Set();
    this.cmListeners.set(key, set);
    set.add(onChange);
    onChange(this.configMaps.get(key));
    return { ...SYNCED, stop: () => set.delete(onChange) };
  }

  setNamespace(name: string, phase: NamespaceInfo['phase'] | undefined): void {
    if (phase) this.ns.set(name, { name, phase });
    else this.ns.delete(name);
  }

  private lookup(name: string): NamespaceInfo | undefined {
    return this.ns.get(name) ?? (this.o.everyNamespaceExists ? { name, phase: 'Active' } : undefined);
  }

  async getNamespace(name: string): Promise<NamespaceInfo | undefined> {
    this.calls.namespaceGets++;
    return this.lookup(name);
  }

  namespaces(): NamespaceLister {
    return { ...SYNCED, get: (name) => this.lookup(name) };
  }

  setLimitRanges(namespace: string, items: LimitRangeObject[]): void {
    this.limits.set(namespace, structuredClone(items));
  }

  limitRanges(): LimitRangeLister {
    return { ...SYNCED, list: (namespace) => structuredClone(this.limits.get(namespace) ?? []) };
  }

  setSecrets(namespace: string, items: SecretObject[]): void {
    this.secrets.set(namespace, items);
  }

  /** Honours a metadata.name field selector; paging and label selectors are not simulated. */
  async listSecrets(namespace: string, opts: SecretListOptions = {}): Promise<SecretList> {
    const items = this.secrets.get(namespace) ?? [];
    const m = opts.fieldSelector ? /^metadata\.name==?(.*)$/.exec(opts.fieldSelector) : null;
    return { items: m ? items.filter((s) => s.metadata.name === m[1]) : items, resourceVersion: String(this.revision) };
  }

  /** Creates or replaces a workload (resourceVersion set here) and tells the watchers. */
  setWorkload(resource: WorkloadResource, obj: WorkloadObject): WorkloadObject {
    const m = this.workloads.get(resource) ?? new Map<string, WorkloadObject>();
    this.workloads.set(resource, m);
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const stored = structuredClone(obj);
    stored.metadata.uid ??= m.get(key)?.metadata.uid ?? `uid-${++this.revision}`;
    stored.metadata.resourceVersion = String(++this.revision);
    const type = m.has(key) ? 'MODIFIED' : 'ADDED';
    m.set(key, stored);
    for (const h of this.workloadWatchers.get(resource) ?? []) h.apply(type, structuredClone(stored));
    return structuredClone(stored);
  }

  deleteWorkload(resource: WorkloadResource, namespace: string, name: string): void {
    const m = this.workloads.get(resource);
    const old = m?.get(`${namespace}/${name}`);
    if (!m || !old) return;
    m.delete(`${namespace}/${name}`);
    for (const h of this.workloadWatchers.get(resource) ?? []) h.apply('DELETED', structuredClone(old));
  }

  getWorkload(resource: WorkloadResource, namespace: string, name: string): WorkloadObject | undefined {
    const w = this.workloads.get(resource)?.get(`${namespace}/${name}`);
    return w ? structuredClone(w) : undefined;
  }

  watchWorkloads(resource: WorkloadResource, handlers: CollectionHandlers): Informer {
    const set = this.workloadWatchers.get(resource) ?? new Set<CollectionHandlers>();
    this.workloadWatchers.set(resource, set);
    set.add(handlers);
    handlers.replace([...(this.workloads.get(resource)?.values() ?? [])].map((w) => structuredClone(w)));
    return { ...SYNCED, stop: () => set.delete(handlers) };
  }

  async patchWorkload(resource: WorkloadResource, namespace: string, name: string, patch: JSONPatchOperation[]): Promise<void> {
    const current = this.workloads.get(resource)?.get(`${namespace}/${name}`);
    if (!current) throw new HostClusterError(`patch ${resource} ${namespace}/${name}: 404 not found`, 404);
    let next: WorkloadObject;
    try {
      next = jsonPatch(current, patch) as WorkloadObject;
    } catch (err) {
      if (err instanceof StatusError) throw new HostClusterError(`patch ${resource} ${namespace}/${name}: ${err.status.code} ${err.message}`, err.status.code);
      throw err;
    }
    this.setWorkload(resource, next);
  }

  async createEvent(event: EventRecord): Promise<void> {
    this.events.push(structuredClone(event));
  }

  async close(): Promise<void> {
    this.cmListeners.clear();
    this.workloadWatchers.clear();
  }
}
