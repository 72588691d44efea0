// Wiring of everything around the handlers: the host cluster (or the in-memory one in --local),
// authentication (front proxy -> client certificate -> TokenReview -> anonymous), authorization
// (system:masters -> always-allowed paths -> SubjectAccessReview), namespace lifecycle admission,
// metrics, the audit log, and the limits (in-flight, request timeout) the server's chain applies.

import type { Logger } from 'pino';
import { AuthorizerAccessChecker, type AccessChecker } from '../apiserver/auth/access.js';
import { DelegatedAuthenticationConfig } from '../apiserver/auth/authentication-config.js';
import { RequestHeaderAuthenticator } from '../apiserver/auth/request-header.js';
import { SubjectAccessReviewAuthorizer } from '../apiserver/auth/subject-access-review.js';
import { TokenReviewAuthenticator } from '../apiserver/auth/token-review.js';
import type { Authenticator, Authorizer } from '../apiserver/auth/types.js';
import { AlwaysAllowPathsAuthorizer, PrivilegedGroupAuthorizer, UnionAuthenticator, UnionAuthorizer } from '../apiserver/auth/union.js';
import { ClientCertificateAuthenticator } from '../apiserver/auth/x509.js';
import { AuditLogger, fileAuditSink, loadPolicyFile, PolicyEvaluator, type ClosableAuditSink } from '../apiserver/audit/index.js';
import type { DiscoveryGroup } from '../apiserver/discovery/discovery.js';
import { InMemoryHostCluster, KubeHostCluster, type HostCluster } from '../apiserver/hostcluster/index.js';
import {
  APIServerMetrics,
  InstrumentedAuthenticator,
  InstrumentedAuthorizer,
  InstrumentedStorage,
  metricsHandler,
  newRegistry,
  type MetricsRegistry,
  StorageObjectCounter,
} from '../apiserver/metrics/index.js';
import type { AdmissionPlugin } from '../apiserver/registry/admission.js';
import { NamespaceLifecycle } from '../apiserver/registry/namespace-lifecycle.js';
import type { UserInfo } from '../apiserver/registry/strategy.js';
import type { HealthChecks } from '../apiserver/server/health.js';
import type { RequestLimits, RouteHandler } from '../apiserver/server/server.js';
import type { Storage } from '../apiserver/storage/interfaces.js';
import type { Options } from './options.js';

export interface RequestPipelineDeps {
  options: Options;
  logger: Logger;
  health: HealthChecks;
  /** --local: the admin token and who it is. */
  localAdmin?: { token: string; user: UserInfo };
  /** Injected for tests; by default one is made (with the process metrics). */
  registry?: MetricsRegistry;
  /** Injected for tests; by default built from the flags (in-memory in --local). */
  host?: HostCluster;
}

export interface RequestPipeline {
  registry: MetricsRegistry;
  metrics: APIServerMetrics;
  host: HostCluster;
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** For access checks inside resources (e.g. get imagestreams/layers in another namespace). */
  accessChecker: AccessChecker;
  /** Admission plugins every store runs on create and update. */
  admission: AdmissionPlugin[];
  /** The audit log, when --audit-log-path is set. */
  audit?: AuditLogger;
  limits: RequestLimits;
  routes: Map<string, RouteHandler>;
  /** Wraps the etcd storage so every operation is timed. */
  instrumentStorage(storage: Storage): Storage;
  /** Tells metrics what is installed, and starts counting the stored objects. */
  installed(groups: readonly DiscoveryGroup[], storage: Storage): void;
  close(): Promise<void>;
}

/** How long startup waits for the authentication ConfigMap. */
const AUTH_CONFIG_WAIT_MS = 10_000;

export async function buildRequestPipeline(deps: RequestPipelineDeps): Promise<RequestPipeline> {
  const o = deps.options;
  const logger = deps.logger;
  const closers: (() => Promise<void> | void)[] = [];
  const registry = deps.registry ?? newRegistry();
  const known = new Set<string>();
  const groupOf = new Map<string, string>();
  const metrics = new APIServerMetrics(registry, known);
  const authObserver = metrics.authObserver();

  let host: HostCluster;
  if (deps.host) host = deps.host;
  else if (o.local) {
    const tokens = new Map(deps.localAdmin ? [[deps.localAdmin.token, deps.localAdmin.user]] : []);
    host = new InMemoryHostCluster({ tokens, everyNamespaceExists: true });
  } else {
    host = new KubeHostCluster({
      kubeconfig: o.kubeconfig || undefined,
      authenticationKubeconfig: o.authenticationKubeconfig || undefined,
      authorizationKubeconfig: o.authorizationKubeconfig || undefined,
      logger,
      observe: metrics.hostCallObserver(),
    });
  }
  closers.push(() => host.close());

  try {
    // Authentication.
    const authConfig = new DelegatedAuthenticationConfig({
      flags: {
        clientCAFile: o.clientCAFile,
        requestHeaderClientCAFile: o.requestheaderClientCAFile,
        requestHeaderAllowedNames: o.requestheaderAllowedNames,
        requestHeaderUsernameHeaders: o.requestheaderUsernameHeaders,
        requestHeaderGroupHeaders: o.requestheaderGroupHeaders,
        requestHeaderExtraHeadersPrefix: o.requestheaderExtraHeadersPrefix,
        requestHeaderUIDHeaders: o.requestheaderUIDHeaders,
      },
      host: o.local ? undefined : host,
      logger,
    });
    closers.push(() => authConfig.stop());
    if (!(await authConfig.waitForLoad(AUTH_CONFIG_WAIT_MS))) {
      const msg =
        'unable to read kube-system/extension-apiserver-authentication from the host cluster (see the warnings above); ' +
        "the server's service account needs the extension-apiserver-authentication-reader role in kube-system";
      if (!o.authenticationTolerateLookupFailure) throw new Error(`${msg} (or start with --authentication-tolerate-lookup-failure)`);
      logger.warn(msg);
    }
    const tokenReview = new TokenReviewAuthenticator({
      review: (spec) => host.createTokenReview(spec),
      cacheTTLSeconds: o.authenticationTokenWebhookCacheTTL,
      audiences: o.authenticationAudiences,
      observer: authObserver,
    });
    const authenticator = new InstrumentedAuthenticator(
      new UnionAuthenticator(
        [new RequestHeaderAuthenticator(() => authConfig.requestHeader()), new ClientCertificateAuthenticator(() => authConfig.clientCA()), tokenReview],
        o.anonymousAuth,
      ),
      metrics,
    );

    // Authorization.
    const sar = new SubjectAccessReviewAuthorizer({
      review: (spec) => host.createSubjectAccessReview(spec),
      allowedTTLSeconds: o.authorizationWebhookCacheAuthorizedTTL,
      deniedTTLSeconds: o.authorizationWebhookCacheUnauthorizedTTL,
      observer: authObserver,
    });
    const authorizer = new UnionAuthorizer([
      new InstrumentedAuthorizer(new PrivilegedGroupAuthorizer(['system:masters']), metrics, 'AlwaysAllowGroups', 'system:masters'),
      new InstrumentedAuthorizer(new AlwaysAllowPathsAuthorizer(o.authorizationAlwaysAllowPaths), metrics, 'AlwaysAllowPaths', 'always-allow-paths'),
      new InstrumentedAuthorizer(sar, metrics, 'Webhook', 'webhook'),
    ]);

    // Namespace lifecycle, from the watched namespaces of the host (all of them exist in --local).
    const namespaces = host.namespaces();
    const lifecycle = new NamespaceLifecycle({ namespaces, lookup: (name) => host.getNamespace(name) });
    // Image stream limits read the host's LimitRanges; the replica is ready once they are listed.
    const limitRanges = o.enableImageStreamLimits ? host.limitRanges() : undefined;

    deps.health.add(['readyz'], {
      name: 'informer-sync',
      check: async () => {
        if (!authConfig.isLoaded()) throw new Error('the authentication ConfigMap has not been loaded');
        if (!namespaces.hasSynced()) throw new Error('the namespaces of the host cluster have not been listed');
        if (limitRanges && !limitRanges.hasSynced()) throw new Error('the LimitRanges of the host cluster have not been listed');
      },
    });

    // Audit.
    let audit: AuditLogger | undefined;
    if (o.auditLogPath) {
      const policy = o.auditPolicyFile ? loadPolicyFile(o.auditPolicyFile) : { rules: [{ level: 'Metadata' as const }] };
      const sink: ClosableAuditSink = fileAuditSink(o.auditLogPath);
      closers.push(() => sink.close());
      audit = new AuditLogger({ policy: new PolicyEvaluator(policy), sink });
    }

    let counter: StorageObjectCounter | undefined;
    closers.push(() => counter?.stop());

    return {
      registry,
      metrics,
      host,
      authenticator,
      authorizer,
      accessChecker: new AuthorizerAccessChecker(authorizer),
      admission: [lifecycle],
      audit,
      limits: { maxReadOnly: o.maxRequestsInflight, maxMutating: o.maxMutatingRequestsInflight, timeoutSeconds: o.requestTimeout },
      routes: new Map<string, RouteHandler>([['/metrics', metricsHandler(registry)]]),
      instrumentStorage: (storage) => new InstrumentedStorage(storage, metrics, (resource) => groupOf.get(resource) ?? ''),
      installed: (groups, storage) => {
        const stored: { group: string; resource: string }[] = [];
        for (const g of groups) {
          for (const name of g.resources.keys()) {
            known.add(`${g.group}/${g.version}/${name}`);
            if (!name.includes('/')) groupOf.set(name, g.group);
          }
          for (const r of g.storedKinds ?? []) stored.push({ group: g.group, resource: r });
        }
        counter = new StorageObjectCounter(storage, metrics, stored, logger);
        counter.start();
      },
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}
