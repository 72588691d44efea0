// The host cluster through @kubernetes/client-node (its only importer): TokenReview and
// SubjectAccessReview (10 s deadline, webhook retries), the authentication ConfigMap and the
// namespaces as list+watch informers, secrets as raw JSON lists.

import {
  ApiException,
  AppsV1Api,
  AuthenticationV1Api,
  BatchV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  ServerConfiguration,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { deadlineHttpLibrary } from './http.js';
import { Reflector, type ListResult, type ReflectorSource, type WatchEventType } from './reflector.js';
import { WEBHOOK_BACKOFF, withRetry, type Backoff } from './retry.js';
import {
  HostClusterError,
  type ConfigMapData,
  type HostCallKind,
  type HostCallObserver,
  type HostCluster,
  type Informer,
  type LimitRangeLister,
  type NamespaceInfo,
  type NamespaceLister,
  type SecretList,
  type SecretListOptions,
  type SecretObject,
  type SubjectAccessReviewSpec,
  type SubjectAccessReviewStatus,
  type TokenReviewSpec,
  type TokenReviewStatus,
  type CollectionHandlers,
  type EventRecord,
  type JSONPatchOperation,
  type WorkloadResource,
  WORKLOAD_GROUP_VERSION,
} from './types.js';
import { LimitRangeCache, NamespaceCache, toLimitRange, toNamespace, type CacheSink } from './caches.js';

export interface KubeHostClusterOptions {
  /** --kubeconfig: namespaces, secrets; and the default for the two below. Empty = in-cluster. */
  kubeconfig?: string;
  /** --authentication-kubeconfig: TokenReview and the authentication ConfigMap. */
  authenticationKubeconfig?: string;
  /** --authorization-kubeconfig: SubjectAccessReview. */
  authorizationKubeconfig?: string;
  logger: Logger;
  /** Deadline of each request (default 10 s, as client-go's webhook clients). */
  timeoutMs?: number;
  backoff?: Backoff;
  observe?: HostCallObserver;
}

/** A kubeconfig file, or the pod's service account when no file is given. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) {
    kc.loadFromFile(path);
  } else {
    if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
      throw new Error('no --kubeconfig was given and this is not a pod (KUBERNETES_SERVICE_HOST is unset): cannot reach the host cluster');
    }
    kc.loadFromCluster();
  }
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${path ?? '(in-cluster)'} has no current cluster`);
  return kc;
}

function apiConfig(kc: KubeConfig, timeoutMs: number): ReturnType<typeof createConfiguration> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    httpApi: deadlineHttpLibrary(timeoutMs),
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns client-node's errors into HostClusterError with the HTTP code (if any) and the server's message. */
function hostError(what: string, err: unknown): HostClusterError {
  if (err instanceof HostClusterError) return err;
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    let detail = '';
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        detail = typeof parsed.message === 'string' ? parsed.message : body;
      } catch {
        detail = body;
      }
    } else if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
      detail = body.message;
    }
    return new HostClusterError(`${what}: ${err.code}${detail ? ` ${detail.trim().slice(0, 300)}` : ''}`, err.code);
  }
  return new HostClusterError(`${what}: ${messageOf(err)}`);
}

interface ConfigMapLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

function toConfigMap(obj: unknown): ConfigMapData | undefined {
  const cm = obj as ConfigMapLike | undefined;
  if (!cm?.metadata?.name) return undefined;
  return { name: cm.metadata.name, namespace: cm.metadata.namespace ?? '', resourceVersion: cm.metadata.resourceVersion ?? '', data: { ...(cm.data ?? {}) } };
}

export class KubeHostCluster implements HostCluster {
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly authnCore: CoreV1Api;
  private readonly watchCore: Watch;
  private readonly watchAuthn: Watch;
  private readonly backoff: Backoff;
  private readonly informers: Informer[] = [];
  private namespaceCache: NamespaceLister | undefined;
  private limitRangeCache: LimitRangeLister | undefined;

  constructor(private readonly o: KubeHostClusterOptions) {
    const timeout = o.timeoutMs ?? 10_000;
    const base = loadKubeConfig(o.kubeconfig);
    const authnKC = o.authenticationKubeconfig ? loadKubeConfig(o.authenticationKubeconfig) : base;
    const authzKC = o.authorizationKubeconfig ? loadKubeConfig(o.authorizationKubeconfig) : base;
    this.authn = new AuthenticationV1Api(apiConfig(authnKC, timeout));
    this.authnCore = new CoreV1Api(apiConfig(authnKC, timeout));
    this.authz = new AuthorizationV1Api(apiConfig(authzKC, timeout));
    this.core = new CoreV1Api(apiConfig(base, timeout));
    this.apps = new AppsV1Api(apiConfig(base, timeout));
    this.batch = new BatchV1Api(apiConfig(base, timeout));
    this.watchCore = new Watch(base);
    this.watchAuthn = new Watch(authnKC);
    this.backoff = o.backoff ?? WEBHOOK_BACKOFF;
  }

  /** Times one call and reports its HTTP code (or "<error>" when there was no response). */
  private async timed<T>(kind: HostCallKind, what: string, fn: () => Promise<T>, okCode = '200'): Promise<T> {
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const out = await fn();
      this.o.observe?.(kind, okCode, seconds());
      return out;
    } catch (err) {
      const e = hostError(what, err);
      this.o.observe?.(kind, e.code === undefined ? '<error>' : String(e.code), seconds());
      throw e;
    }
  }

  async createTokenReview(spec: TokenReviewSpec): Promise<TokenReviewStatus> {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: spec.audiences?.length ? spec : { token: spec.token } };
    const review = await withRetry(() => this.timed('tokenreview', 'TokenReview', () => this.authn.createTokenReview({ body }), '201'), this.backoff);
    const s = review.status ?? {};
    return { authenticated: s.authenticated, user: s.user, audiences: s.audiences, error: s.error };
  }

  async createSubjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus> {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
    const review = await withRetry(() => this.timed('subjectaccessreview', 'SubjectAccessReview', () => this.authz.createSubjectAccessReview({ body }), '201'), this.backoff);
    const s = review.status;
    if (!s) throw new HostClusterError('SubjectAccessReview: the response has no status');
    return { allowed: s.allowed, denied: s.denied, reason: s.reason, evaluationError: s.evaluationError };
  }

  watchConfigMap(namespace: string, name: string, onChange: (cm: ConfigMapData | undefined) => void): Informer {
    const fieldSelector = `metadata.name=${name}`;
    let current: ConfigMapData | undefined;
    let announced = false;
    const publish = (next: ConfigMapData | undefined): void => {
      if (announced && current?.resourceVersion === next?.resourceVersion && (current === undefined) === (next === undefined)) return;
      announced = true;
      current = next;
      onChange(next);
    };
    const source: ReflectorSource<ConfigMapData> = {
      list: () =>
        this.timed('configmap', `list configmaps in ${namespace}`, async () => {
          const list = await this.authnCore.listNamespacedConfigMap({ namespace, fieldSelector });
          const items = (list.items ?? []).map(toConfigMap).filter((c): c is ConfigMapData => c !== undefined && c.name === name);
          return { items, resourceVersion: list.metadata?.resourceVersion ?? '' } satisfies ListResult<ConfigMapData>;
        }),
      watch: (rv, onEvent, onDone) => this.startWatch(this.watchAuthn, `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`, { fieldSelector, resourceVersion: rv }, onEvent, onDone),
    };
    const reflector = new Reflector<ConfigMapData>({
      name: `configmap ${namespace}/${name}`,
      source,
      decode: toConfigMap,
      logger: this.o.logger,
      handlers: {
        replace: (items) => publish(items[0]),
        apply: (type, cm) => publish(type === 'DELETED' ? undefined : cm),
      },
    }).start();
    this.informers.push(reflector);
    return reflector;
  }

  async getNamespace(name: string): Promise<NamespaceInfo | undefined> {
    try {
      return await this.timed('namespace', `get namespace ${name}`, async () => toNamespace(await this.core.readNamespace({ name })));
    } catch (err) {
      if (err instanceof HostClusterError && err.code === 404) return undefined;
      throw err;
    }
  }

  namespaces(): NamespaceLister {
    this.namespaceCache ??= this.cluster('namespace', '/api/v1/namespaces', () => this.core.listNamespace(), toNamespace, new NamespaceCache());
    return this.namespaceCache;
  }

  limitRanges(): LimitRangeLister {
    this.limitRangeCache ??= this.cluster('limitrange', '/api/v1/limitranges', () => this.core.listLimitRangeForAllNamespaces(), toLimitRange, new LimitRangeCache());
    return this.limitRangeCache;
  }

  /** Keeps `cache` filled from a cluster-wide list+watch of `path` (started now, stopped on close). */
  private cluster<T, C extends CacheSink<T>>(
    kind: HostCallKind,
    path: string,
    listAll: () => Promise<{ items?: unknown[]; metadata?: { resourceVersion?: string } }>,
    decode: (obj: unknown) => T | undefined,
    cache: C,
  ): C {
    cache.informer = new Reflector<T>({
      name: path,
      source: {
        list: () =>
          this.timed(kind, `list ${path}`, async () => {
            const list = await listAll();
            const items = (list.items ?? []).map(decode).filter((x): x is T => x !== undefined);
            return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
          }),
        watch: (rv, onEvent, onDone) => this.startWatch(this.watchCore, path, { resourceVersion: rv }, onEvent, onDone),
      },
      decode,
      logger: this.o.logger,
      handlers: { replace: (items) => cache.replace(items), apply: (type, x) => cache.apply(type, x) },
    }).start();
    this.informers.push(cache);
    return cache;
  }

  async listSecrets(namespace: string, opts: SecretListOptions = {}): Promise<SecretList> {
    return this.timed('secret', `list secrets in ${namespace}`, async () => {
      const info = await this.core.listNamespacedSecretWithHttpInfo({
        namespace,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        _continue: opts.continue,
        resourceVersion: opts.resourceVersion,
      });
      // The raw JSON, not the typed objects: these go back to clients byte-for-byte in shape.
      const raw = JSON.parse(await info.body.text()) as { items?: SecretObject[]; metadata?: { resourceVersion?: string; continue?: string } };
      const list: SecretList = { items: (raw.items ?? []).map((s) => ({ ...s, apiVersion: 'v1', kind: 'Secret' })) };
      if (raw.metadata?.resourceVersion) list.resourceVersion = raw.metadata.resourceVersion;
      if (raw.metadata?.continue) list.continue = raw.metadata.continue;
      return list;
    });
  }

  watchWorkloads(resource: WorkloadResource, handlers: CollectionHandlers): Informer {
    const path = `/apis/${WORKLOAD_GROUP_VERSION[resource]}/${resource}`;
    const list = {
      deployments: () => this.apps.listDeploymentForAllNamespacesWithHttpInfo({}),
      statefulsets: () => this.apps.listStatefulSetForAllNamespacesWithHttpInfo({}),
      daemonsets: () => this.apps.listDaemonSetForAllNamespacesWithHttpInfo({}),
      cronjobs: () => this.batch.listCronJobForAllNamespacesWithHttpInfo({}),
    }[resource];
    const reflector = new Reflector<unknown>({
      name: path,
      source: {
        list: () =>
          this.timed('workload', `list ${path}`, async () => {
            // Raw JSON: the typed models would be converted back and forth for nothing.
            const raw = JSON.parse(await (await list()).body.text()) as { items?: unknown[]; metadata?: { resourceVersion?: string } };
            return { items: raw.items ?? [], resourceVersion: raw.metadata?.resourceVersion ?? '' };
          }),
        watch: (rv, onEvent, onDone) => this.startWatch(this.watchCore, path, { resourceVersion: rv }, onEvent, onDone),
      },
      decode: (obj) => obj,
      logger: this.o.logger,
      handlers,
    }).start();
    this.informers.push(reflector);
    return reflector;
  }

  async patchWorkload(resource: WorkloadResource, namespace: string, name: string, patch: JSONPatchOperation[]): Promise<void> {
    const args = { name, namespace, body: patch };
    const opts = setHeaderOptions('Content-Type', 'application/json-patch+json');
    await this.timed('workload', `patch ${resource} ${namespace}/${name}`, async () => {
      if (resource === 'deployments') await this.apps.patchNamespacedDeployment(args, opts);
      else if (resource === 'statefulsets') await this.apps.patchNamespacedStatefulSet(args, opts);
      else if (resource === 'daemonsets') await this.apps.patchNamespacedDaemonSet(args, opts);
      else await this.batch.patchNamespacedCronJob(args, opts);
    });
  }

  async createEvent(e: EventRecord): Promise<void> {
    const now = new Date();
    const namespace = e.involvedObject.namespace;
    const body = {
      metadata: { name: `${e.involvedObject.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`, namespace },
      involvedObject: e.involvedObject,
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component: e.component },
      reportingComponent: e.component,
      reportingInstance: '',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await this.timed('event', `create event in ${namespace}`, () => this.core.createNamespacedEvent({ namespace, body }), '201');
  }

  private async startWatch(
    w: Watch,
    path: string,
    params: Record<string, string>,
    onEvent: (type: WatchEventType, obj: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<() => void> {
    // A random server-side timeout spreads re-watches of many replicas, as client-go does.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const controller = await w.watch(
      path,
      { ...params, allowWatchBookmarks: true, timeoutSeconds },
      (type: string, obj: unknown) => onEvent(type as WatchEventType, obj),
      (err: unknown) => onDone(err),
    );
    return () => controller.abort();
  }

  async close(): Promise<void> {
    for (const i of this.informers.splice(0)) i.stop();
  }
}
