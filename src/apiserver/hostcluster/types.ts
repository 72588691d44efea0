// What this server asks of the host cluster, in wire shapes of our own so that nothing outside
// hostcluster/ depends on @kubernetes/client-node. Two implementations: the client-node one
// (client.ts) and an in-memory one (in-memory.ts) for --local and unit tests.

/** authentication.k8s.io/v1 UserInfo / authorization.k8s.io/v1 SubjectAccessReviewSpec user fields. */
export interface WireUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface TokenReviewSpec {
  token: string;
  /** Sent only when the server was configured with API audiences. */
  audiences?: string[];
}

export interface TokenReviewStatus {
  authenticated?: boolean;
  user?: WireUserInfo;
  audiences?: string[];
  error?: string;
}

export interface SARResourceAttributes {
  namespace?: string;
  verb: string;
  group?: string;
  version?: string;
  resource: string;
  subresource?: string;
  name?: string;
}

export interface SARNonResourceAttributes {
  path: string;
  verb: string;
}

export interface SubjectAccessReviewSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: SARResourceAttributes;
  nonResourceAttributes?: SARNonResourceAttributes;
}

export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface ConfigMapData {
  namespace: string;
  name: string;
  resourceVersion: string;
  data: Record<string, string>;
}

export type NamespacePhase = 'Active' | 'Terminating';

export interface NamespaceInfo {
  name: string;
  phase: NamespacePhase;
}

/** A core/v1 Secret exactly as the host served it (JSON), for handing back to clients. */
export interface SecretObject {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string };
  type?: string;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface SecretListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface SecretList {
  items: SecretObject[];
  resourceVersion?: string;
  continue?: string;
}

/** A watched object or collection kept current in the background. */
export interface Informer {
  /** True once the first full state has been received. */
  hasSynced(): boolean;
  /** Resolves true once synced, false when the timeout passed first. */
  waitForSync(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

/** The cached view of the host's namespaces that namespace lifecycle admission reads. */
export interface NamespaceLister extends Informer {
  /** The cached namespace, or undefined when the cache has not seen it. */
  get(name: string): NamespaceInfo | undefined;
}

/** The parts of a core/v1 LimitRange that admission reads (as the host served them). */
export interface LimitRangeObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { limits?: { type?: string; max?: Record<string, string | number>; [k: string]: unknown }[] };
}

/** The informer-backed cache of every namespace's LimitRanges. */
export interface LimitRangeLister extends Informer {
  list(namespace: string): LimitRangeObject[];
}

/** Outcome of one call to the host, for metrics (code is the HTTP status, or "<error>"). */
export type HostCallKind = 'tokenreview' | 'subjectaccessreview' | 'configmap' | 'namespace' | 'secret' | 'limitrange' | 'workload' | 'event';
export type HostCallObserver = (kind: HostCallKind, code: string, seconds: number) => void;

/** The workload collections this server may watch and patch (apps/v1 and batch/v1). */
export type WorkloadResource = 'deployments' | 'statefulsets' | 'daemonsets' | 'cronjobs';

export const WORKLOAD_GROUP_VERSION: Readonly<Record<WorkloadResource, string>> = {
  deployments: 'apps/v1',
  statefulsets: 'apps/v1',
  daemonsets: 'apps/v1',
  cronjobs: 'batch/v1',
};

/** Receives a watched collection's objects as the host served them (JSON). */
export interface CollectionHandlers {
  /** The full state after a list. */
  replace(items: unknown[]): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: unknown): void;
}

/** One RFC 6902 operation. */
export interface JSONPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** A core/v1 Event about one object, as a controller reports it. */
export interface EventRecord {
  involvedObject: { apiVersion: string; kind: string; namespace: string; name: string; uid: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** source.component and reportingController. */
  component: string;
}

export interface HostCluster {
  createTokenReview(spec: TokenReviewSpec): Promise<TokenReviewStatus>;
  createSubjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus>;
  /**
   * Keeps one ConfigMap current (list with a metadata.name field selector, then watch) and calls
   * onChange with every new state, undefined while it does not exist.
   */
  watchConfigMap(namespace: string, name: string, onChange: (cm: ConfigMapData | undefined) => void): Informer;
  /** A live read of one namespace (undefined when it does not exist). */
  getNamespace(name: string): Promise<NamespaceInfo | undefined>;
  /** The informer-backed namespace cache (one per host cluster, started on first use). */
  namespaces(): NamespaceLister;
  /** The informer-backed LimitRange cache (cluster-wide list+watch, started on first use). */
  limitRanges(): LimitRangeLister;
  /** One page of a namespace's Secrets; the options go to the host as given. */
  listSecrets(namespace: string, opts?: SecretListOptions): Promise<SecretList>;
  /** A cluster-wide list+watch of a workload collection, started now; stop() ends it. */
  watchWorkloads(resource: WorkloadResource, handlers: CollectionHandlers): Informer;
  /** A JSON Patch of one workload (a failed `test` operation is a 422 HostClusterError). */
  patchWorkload(resource: WorkloadResource, namespace: string, name: string, patch: JSONPatchOperation[]): Promise<void>;
  createEvent(event: EventRecord): Promise<void>;
  close(): Promise<void>;
}

/** A failed call to the host: `code` is the HTTP status when there was a response. */
export class HostClusterError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'HostClusterError';
  }
}
