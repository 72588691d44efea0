// Server options: the flag table, parsing, and validation that reports every problem at once.

import { existsSync, readFileSync } from 'node:fs';
import { parseAllowedRegistries } from '../image/api/validation/registry-allowlist.js';
import { parseFlags, usage, type FlagSpec } from './flags.js';

export interface Options {
  etcdServers: string[];
  etcdPrefix: string;
  etcdCAFile: string;
  etcdCertFile: string;
  etcdKeyFile: string;
  securePort: number;
  bindAddress: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  certDir: string;
  internalRegistryHostname: string;
  externalRegistryHostname: string;
  local: boolean;
  localDir: string;
  kubeconfigOut: string;
  logLevel: string;
  // Host cluster, delegated authentication and authorization.
  kubeconfig: string;
  authenticationKubeconfig: string;
  authorizationKubeconfig: string;
  authenticationTolerateLookupFailure: boolean;
  anonymousAuth: boolean;
  clientCAFile: string;
  requestheaderClientCAFile: string;
  requestheaderAllowedNames: string[];
  requestheaderUsernameHeaders: string[];
  requestheaderGroupHeaders: string[];
  requestheaderExtraHeadersPrefix: string[];
  requestheaderUIDHeaders: string[];
  /** Seconds. */
  authenticationTokenWebhookCacheTTL: number;
  authenticationAudiences: string[];
  /** Seconds. */
  authorizationWebhookCacheAuthorizedTTL: number;
  /** Seconds. */
  authorizationWebhookCacheUnauthorizedTTL: number;
  authorizationAlwaysAllowPaths: string[];
  // Audit, overload and slow requests.
  auditLogPath: string;
  auditPolicyFile: string;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  /** Seconds. */
  requestTimeout: number;
  // Image policy.
  allowedRegistriesForImport: string[];
  allowedRegistriesForImportFile: string;
  maxImageTagHistory: number;
  imageStreamImportMode: string;
  enableImageStreamLimits: boolean;
  // Imports from registries.
  /** Seconds. */
  imageImportTimeout: number;
  imageImportRegistryConcurrency: number;
  imageImportCAFile: string;
  maxImagesBulkImportedPerRepository: number;
  imageImportController: boolean;
  /** Seconds. */
  scheduledImageImportInterval: number;
  disableScheduledImageImport: boolean;
  maxImageImportsPerMinute: number;
  /** Seconds. */
  leaderElectionLeaseDuration: number;
  leaderElectionIdentity: string;
  // Workloads that follow image streams.
  imageTriggerController: boolean;
  admissionClientCAFile: string;
  /** Serve lists and watches of images and image streams from memory. */
  watchCache: boolean;
  /** Serve gets from the watch cache too (else from etcd). */
  watchCacheGets: boolean;
}

export const FLAGS: readonly FlagSpec[] = [
  { name: 'etcd-servers', type: 'list', default: [], help: 'Comma-separated etcd client URLs. Required unless --local (which then starts its own etcd).' },
  { name: 'etcd-prefix', type: 'string', default: '/openshift.io', help: 'Key prefix for every object in etcd (keys are <prefix>/<resource>/[<namespace>/]<name>).' },
  { name: 'etcd-cafile', type: 'string', default: '', help: 'CA bundle that verifies the etcd servers.' },
  { name: 'etcd-certfile', type: 'string', default: '', help: 'Client certificate for etcd (with --etcd-keyfile).' },
  { name: 'etcd-keyfile', type: 'string', default: '', help: 'Client key for etcd (with --etcd-certfile).' },
  { name: 'secure-port', type: 'int', default: 8443, help: 'HTTPS port to serve on (0 picks a free port).' },
  { name: 'bind-address', type: 'string', default: '', help: 'Address to listen on (default 0.0.0.0; with --local 127.0.0.1, since the local admin token can do everything).' },
  { name: 'tls-cert-file', type: 'string', default: '', help: 'Serving certificate (PEM). Without it a self-signed one is generated into --cert-dir.' },
  { name: 'tls-private-key-file', type: 'string', default: '', help: 'Private key of --tls-cert-file.' },
  { name: 'cert-dir', type: 'string', default: '', help: 'Directory for generated certificates (default: <local dir>/certs in local mode, else a temporary directory).' },
  { name: 'internal-registry-hostname', type: 'string', default: '', help: 'Internal registry host[:port], used for status.dockerImageRepository.' },
  { name: 'external-registry-hostname', type: 'string', default: '', help: 'Public registry host[:port], used for status.publicDockerImageRepository.' },
  { name: 'local', type: 'bool', default: false, help: 'Run without a cluster: start an etcd child process (unless --etcd-servers), generate certificates and an admin kubeconfig.' },
  { name: 'local-dir', type: 'string', default: '.local', help: 'Where local mode keeps etcd data, certificates and the kubeconfig.' },
  { name: 'kubeconfig-out', type: 'string', default: '', help: 'Where local mode writes the admin kubeconfig (default <local dir>/kubeconfig).' },
  { name: 'log-level', type: 'string', default: 'info', help: 'One of trace, debug, info, warn, error, fatal.' },
  { name: 'kubeconfig', type: 'string', default: '', help: 'Kubeconfig of the host cluster (namespaces, secrets; default for the two below). Empty: the pod\'s service account (in-cluster). Not with --local.' },
  { name: 'authentication-kubeconfig', type: 'string', default: '', help: 'Kubeconfig for TokenReview and the kube-system/extension-apiserver-authentication ConfigMap (default --kubeconfig).' },
  { name: 'authorization-kubeconfig', type: 'string', default: '', help: 'Kubeconfig for SubjectAccessReview (default --kubeconfig).' },
  { name: 'authentication-tolerate-lookup-failure', type: 'bool', default: false, help: 'Start even if the authentication ConfigMap cannot be read (until it can, only bearer tokens and anonymous requests work).' },
  { name: 'anonymous-auth', type: 'bool', default: true, help: 'Requests without credentials are system:anonymous (then authorized like anyone else); false answers them 401.' },
  { name: 'client-ca-file', type: 'string', default: '', help: 'CA bundle for client certificates (user = CN, groups = O). Default: client-ca-file of the authentication ConfigMap.' },
  { name: 'requestheader-client-ca-file', type: 'string', default: '', help: 'CA bundle of the front proxy\'s client certificate. When set, the requestheader-* flags replace the authentication ConfigMap\'s front-proxy settings.' },
  { name: 'requestheader-allowed-names', type: 'list', default: [], help: 'Common names allowed for the front proxy\'s certificate (empty: any certificate from the CA).' },
  { name: 'requestheader-username-headers', type: 'list', default: ['X-Remote-User'], help: 'Headers carrying the user name from the front proxy; the first non-empty wins.' },
  { name: 'requestheader-group-headers', type: 'list', default: ['X-Remote-Group'], help: 'Headers carrying the groups from the front proxy (one header line per group).' },
  { name: 'requestheader-extra-headers-prefix', type: 'list', default: ['X-Remote-Extra-'], help: 'Header prefixes carrying extra user attributes from the front proxy.' },
  { name: 'requestheader-uid-headers', type: 'list', default: [], help: 'Headers carrying the user\'s UID from the front proxy (e.g. X-Remote-Uid; only if the proxy strips it from clients).' },
  { name: 'authentication-token-webhook-cache-ttl', type: 'duration', default: 10, help: 'How long TokenReview answers are cached, e.g. 10s.' },
  { name: 'authentication-audiences', type: 'list', default: [], help: 'API audiences sent in TokenReviews and required in their answers (default: none, the host\'s own).' },
  { name: 'authorization-webhook-cache-authorized-ttl', type: 'duration', default: 10, help: 'How long allowed SubjectAccessReview answers are cached.' },
  { name: 'authorization-webhook-cache-unauthorized-ttl', type: 'duration', default: 10, help: 'How long not-allowed SubjectAccessReview answers are cached.' },
  { name: 'authorization-always-allow-paths', type: 'list', default: ['/healthz', '/readyz', '/livez'], help: 'Non-resource paths anyone may request without a SubjectAccessReview (exact; a trailing * makes a prefix).' },
  { name: 'audit-log-path', type: 'string', default: '', help: 'Append audit.k8s.io/v1 events (JSON lines) to this file; "-" for stdout.' },
  { name: 'audit-policy-file', type: 'string', default: '', help: 'audit.k8s.io/v1 Policy choosing each request\'s level (None, Metadata, Request, RequestResponse). Default with --audit-log-path: Metadata for every request.' },
  { name: 'max-requests-inflight', type: 'int', default: 400, help: 'Concurrent read-only requests (watches excluded) before answering 429; 0 = no limit.' },
  { name: 'max-mutating-requests-inflight', type: 'int', default: 200, help: 'Concurrent mutating requests before answering 429; 0 = no limit.' },
  { name: 'request-timeout', type: 'duration', default: 60, help: 'Longest a non-watch request may take before it is answered 504, e.g. 60s; 0 = none.' },
  { name: 'allowed-registries-for-import', type: 'list', default: [], help: 'Registries image streams may reference and import from (host[:port], * and ? wildcards; prefix insecure:// to allow plain HTTP). Empty: every registry. The internal registry is always allowed.' },
  { name: 'allowed-registries-for-import-file', type: 'string', default: '', help: 'YAML or JSON with allowedRegistriesForImport ([{domainName, insecure}], or an image.config.openshift.io object); adds to --allowed-registries-for-import.' },
  { name: 'max-image-tag-history', type: 'int', default: 0, help: 'Keep at most this many events in each status tag history (0 = unbounded, as OpenShift).' },
  { name: 'image-stream-import-mode', type: 'string', default: 'Legacy', help: 'importPolicy.importMode for tags that do not set one: Legacy (one image per tag) or PreserveOriginal (manifest lists kept whole).' },
  { name: 'enable-image-stream-limits', type: 'bool', default: true, help: 'Enforce openshift.io/ImageStream and openshift.io/Image limits of the namespaces\' LimitRanges (watches LimitRanges in the host cluster).' },
  { name: 'image-import-timeout', type: 'duration', default: 50, help: 'How long one import may spend reading registries; images not read by then fail with a Timeout status. Keep it below --request-timeout.' },
  { name: 'image-import-registry-concurrency', type: 'int', default: 5, help: 'Requests in flight to one registry host, across all imports of this replica.' },
  { name: 'image-import-ca-file', type: 'string', default: '', help: 'Extra CA certificates (PEM) trusted for registries, besides the system roots.' },
  { name: 'max-images-bulk-imported-per-repository', type: 'int', default: 50, help: 'Tags one repository import (spec.repository) takes; the rest are listed in status.repository.additionalTags. -1 = all.' },
  { name: 'image-import-controller', type: 'bool', default: true, help: 'Run background imports (one replica at a time, elected on an etcd lease): tags whose spec asks for an import, and scheduled tags. false: images are imported only by requests to imagestreamimports.' },
  { name: 'scheduled-image-import-interval', type: 'duration', default: 900, help: 'How often tags with importPolicy.scheduled are imported again (by the leader replica).' },
  { name: 'disable-scheduled-image-import', type: 'bool', default: false, help: 'Do not re-import scheduled tags. Tags whose spec asks for an import are still imported.' },
  { name: 'max-image-imports-per-minute', type: 'int', default: 60, help: 'Background imports (scheduled and newly specified tags) started per minute across the cluster, in bursts of up to twice that; 0 = unlimited. Requests to imagestreamimports are not limited.' },
  { name: 'leader-election-lease-duration', type: 'duration', default: 15, help: 'How long a leader\'s etcd lease lives: after a leader dies, another replica takes over background imports within this time. Whole seconds.' },
  { name: 'image-trigger-controller', type: 'bool', default: true, help: 'Keep the images of host-cluster Deployments, StatefulSets, DaemonSets and CronJobs annotated image.openshift.io/triggers on their image stream tags (one replica at a time, elected on an etcd lease). Always off with --local (there are no workloads).' },
  { name: 'admission-client-ca-file', type: 'string', default: '', help: 'CA bundle of kube-apiserver\'s client certificate: the image-lookup admission webhook (/admission/image-lookup) then answers only callers presenting a certificate it signed. Empty: any caller (the endpoint reveals only the images of the review it is sent).' },
  { name: 'watch-cache', type: 'bool', default: true, help: 'Serve lists and watches of images and image streams from an in-memory watch cache (fed by one etcd watch); false reads etcd for every request.' },
  { name: 'watch-cache-gets', type: 'bool', default: true, help: 'With --watch-cache, serve gets from the cache too, after confirming with a value-less read that the cached version is current.' },
  { name: 'leader-election-identity', type: 'string', default: '', help: 'This replica\'s name in the leader election (default: $POD_NAME, else <hostname>_<pid>).' },
];

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export type OptionsResult = { ok: true; options: Options } | { ok: false; help: boolean; errors: string[]; usage: string };

export function parseOptions(argv: readonly string[]): OptionsResult {
  const parsed = parseFlags(argv, FLAGS);
  const text = usage('image-apiserver', FLAGS);
  if (parsed.help) return { ok: false, help: true, errors: [], usage: text };
  const v = parsed.values;
  const o: Options = {
    etcdServers: v['etcd-servers'] as string[],
    etcdPrefix: v['etcd-prefix'] as string,
    etcdCAFile: v['etcd-cafile'] as string,
    etcdCertFile: v['etcd-certfile'] as string,
    etcdKeyFile: v['etcd-keyfile'] as string,
    securePort: v['secure-port'] as number,
    bindAddress: (v['bind-address'] as string) || (v.local ? '127.0.0.1' : '0.0.0.0'),
    tlsCertFile: v['tls-cert-file'] as string,
    tlsPrivateKeyFile: v['tls-private-key-file'] as string,
    certDir: v['cert-dir'] as string,
    internalRegistryHostname: v['internal-registry-hostname'] as string,
    externalRegistryHostname: v['external-registry-hostname'] as string,
    local: v.local as boolean,
    localDir: v['local-dir'] as string,
    kubeconfigOut: v['kubeconfig-out'] as string,
    logLevel: v['log-level'] as string,
    kubeconfig: v.kubeconfig as string,
    authenticationKubeconfig: v['authentication-kubeconfig'] as string,
    authorizationKubeconfig: v['authorization-kubeconfig'] as string,
    authenticationTolerateLookupFailure: v['authentication-tolerate-lookup-failure'] as boolean,
    anonymousAuth: v['anonymous-auth'] as boolean,
    clientCAFile: v['client-ca-file'] as string,
    requestheaderClientCAFile: v['requestheader-client-ca-file'] as string,
    requestheaderAllowedNames: v['requestheader-allowed-names'] as string[],
    requestheaderUsernameHeaders: v['requestheader-username-headers'] as string[],
    requestheaderGroupHeaders: v['requestheader-group-headers'] as string[],
    requestheaderExtraHeadersPrefix: v['requestheader-extra-headers-prefix'] as string[],
    requestheaderUIDHeaders: v['requestheader-uid-headers'] as string[],
    authenticationTokenWebhookCacheTTL: v['authentication-token-webhook-cache-ttl'] as number,
    authenticationAudiences: v['authentication-audiences'] as string[],
    authorizationWebhookCacheAuthorizedTTL: v['authorization-webhook-cache-authorized-ttl'] as number,
    authorizationWebhookCacheUnauthorizedTTL: v['authorization-webhook-cache-unauthorized-ttl'] as number,
    authorizationAlwaysAllowPaths: v['authorization-always-allow-paths'] as string[],
    auditLogPath: v['audit-log-path'] as string,
    auditPolicyFile: v['audit-policy-file'] as string,
    maxRequestsInflight: v['max-requests-inflight'] as number,
    maxMutatingRequestsInflight: v['max-mutating-requests-inflight'] as number,
    requestTimeout: v['request-timeout'] as number,
    allowedRegistriesForImport: v['allowed-registries-for-import'] as string[],
    allowedRegistriesForImportFile: v['allowed-registries-for-import-file'] as string,
    maxImageTagHistory: v['max-image-tag-history'] as number,
    imageStreamImportMode: v['image-stream-import-mode'] as string,
    enableImageStreamLimits: v['enable-image-stream-limits'] as boolean,
    imageImportTimeout: v['image-import-timeout'] as number,
    imageImportRegistryConcurrency: v['image-import-registry-concurrency'] as number,
    imageImportCAFile: v['image-import-ca-file'] as string,
    maxImagesBulkImportedPerRepository: v['max-images-bulk-imported-per-repository'] as number,
    imageImportController: v['image-import-controller'] as boolean,
    watchCache: v['watch-cache'] as boolean,
    watchCacheGets: v['watch-cache-gets'] as boolean,
    scheduledImageImportInterval: v['scheduled-image-import-interval'] as number,
    disableScheduledImageImport: v['disable-scheduled-image-import'] as boolean,
    maxImageImportsPerMinute: v['max-image-imports-per-minute'] as number,
    leaderElectionLeaseDuration: v['leader-election-lease-duration'] as number,
    leaderElectionIdentity: v['leader-election-identity'] as string,
    imageTriggerController: v['image-trigger-controller'] as boolean,
    admissionClientCAFile: v['admission-client-ca-file'] as string,
  };
  const errs = [...parsed.errors, ...validateOptions(o)];
  if (errs.length) return { ok: false, help: false, errors: errs, usage: text };
  return { ok: true, options: o };
}

export function validateOptions(o: Options): string[] {
  const errs: string[] = [];
  if (o.maxImageTagHistory < 0) errs.push('--max-image-tag-history must be 0 (unbounded) or more');
  errs.push(...validateImportOptions(o));
  if (!['Legacy', 'PreserveOriginal'].includes(o.imageStreamImportMode)) errs.push('--image-stream-import-mode must be Legacy or PreserveOriginal');
  if (o.allowedRegistriesForImportFile && !existsSync(o.allowedRegistriesForImportFile)) {
    errs.push(`--allowed-registries-for-import-file: ${o.allowedRegistriesForImportFile} does not exist`);
  }
  try {
    parseAllowedRegistries(o.allowedRegistriesForImport.join(','), 'flag');
    if (o.allowedRegistriesForImportFile && existsSync(o.allowedRegistriesForImportFile)) {
      parseAllowedRegistries(readFileSync(o.allowedRegistriesForImportFile, 'utf8'), 'document');
    }
  } catch (err) {
    errs.push(`--allowed-registries-for-import: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!o.local && o.etcdServers.length === 0) errs.push('--etcd-servers is required (or use --local)');
  for (const s of o.etcdServers) {
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') errs.push(`--etcd-servers: ${JSON.stringify(s)} must be an http or https URL`);
    } catch {
      errs.push(`--etcd-servers: ${JSON.stringify(s)} is not a URL`);
    }
  }
  if (!o.etcdPrefix.startsWith('/')) errs.push('--etcd-prefix must start with "/"');
  if ((o.etcdCertFile === '') !== (o.etcdKeyFile === '')) errs.push('--etcd-certfile and --etcd-keyfile must be given together');
  for (const [flag, file] of [
    ['--etcd-cafile', o.etcdCAFile],
    ['--etcd-certfile', o.etcdCertFile],
    ['--etcd-keyfile', o.etcdKeyFile],
    ['--tls-cert-file', o.tlsCertFile],
    ['--tls-private-key-file', o.tlsPrivateKeyFile],
    ['--kubeconfig', o.kubeconfig],
    ['--authentication-kubeconfig', o.authenticationKubeconfig],
    ['--authorization-kubeconfig', o.authorizationKubeconfig],
    ['--client-ca-file', o.clientCAFile],
    ['--requestheader-client-ca-file', o.requestheaderClientCAFile],
    ['--audit-policy-file', o.auditPolicyFile],
    ['--admission-client-ca-file', o.admissionClientCAFile],
  ] as const) {
    if (file && !existsSync(file)) errs.push(`${flag}: ${file} does not exist`);
  }
  if ((o.tlsCertFile === '') !== (o.tlsPrivateKeyFile === '')) errs.push('--tls-cert-file and --tls-private-key-file must be given together');
  if (!Number.isInteger(o.securePort) || o.securePort < 0 || o.securePort > 65535) errs.push('--secure-port must be between 0 and 65535');
  for (const [flag, host] of [
    ['--internal-registry-hostname', o.internalRegistryHostname],
    ['--external-registry-hostname', o.externalRegistryHostname],
  ] as const) {
    if (host && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) errs.push(`${flag}: ${JSON.stringify(host)} must be host[:port]`);
  }
  if (!LOG_LEVELS.includes(o.logLevel)) errs.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (o.kubeconfigOut && !o.local) errs.push('--kubeconfig-out only applies with --local');
  errs.push(...validateDelegationOptions(o));
  return errs;
}

/** The host-cluster, authentication, authorization, audit and limit flags. */
function validateDelegationOptions(o: Options): string[] {
  const errs: string[] = [];
  if (o.local) {
    for (const [flag, v] of [
      ['--kubeconfig', o.kubeconfig],
      ['--authentication-kubeconfig', o.authenticationKubeconfig],
      ['--authorization-kubeconfig', o.authorizationKubeconfig],
    ] as const) {
      if (v) errs.push(`${flag} cannot be used with --local (local mode has no host cluster)`);
    }
  }
  if (o.requestheaderClientCAFile && o.requestheaderUsernameHeaders.length === 0) errs.push('--requestheader-username-headers must not be empty with --requestheader-client-ca-file');
  for (const [flag, v] of [
    ['--authentication-token-webhook-cache-ttl', o.authenticationTokenWebhookCacheTTL],
    ['--authorization-webhook-cache-authorized-ttl', o.authorizationWebhookCacheAuthorizedTTL],
    ['--authorization-webhook-cache-unauthorized-ttl', o.authorizationWebhookCacheUnauthorizedTTL],
    ['--request-timeout', o.requestTimeout],
    ['--max-requests-inflight', o.maxRequestsInflight],
    ['--max-mutating-requests-inflight', o.maxMutatingRequestsInflight],
  ] as const) {
    if (!(v >= 0)) errs.push(`${flag} must not be negative`);
  }
  for (const p of o.authorizationAlwaysAllowPaths) {
    if (!p.startsWith('/')) errs.push(`--authorization-always-allow-paths: ${JSON.stringify(p)} must start with "/"`);
    else if (p.slice(0, -1).includes('*')) errs.push(`--authorization-always-allow-paths: ${JSON.stringify(p)} may only end in "*"`);
  }
  if (o.auditPolicyFile && !o.auditLogPath) errs.push('--audit-policy-file needs --audit-log-path (there is nowhere else to write events)');
  return errs;
}

/** The flags of imports from registries and of the background import controller. */
function validateImportOptions(o: Options): string[] {
  const errs: string[] = [];
  if (!(o.imageImportTimeout > 0)) errs.push('--image-import-timeout must be positive');
  if (!(o.imageImportRegistryConcurrency >= 1)) errs.push('--image-import-registry-concurrency must be at least 1');
  if (o.imageImportCAFile && !existsSync(o.imageImportCAFile)) errs.push(`--image-import-ca-file: ${o.imageImportCAFile} does not exist`);
  if (o.maxImagesBulkImportedPerRepository < -1) errs.push('--max-images-bulk-imported-per-repository must be -1 (all) or more');
  if (!(o.scheduledImageImportInterval > 0)) errs.push('--scheduled-image-import-interval must be positive');
  if (o.maxImageImportsPerMinute < 0) errs.push('--max-image-imports-per-minute must be 0 (unlimited) or more');
  if (!Number.isInteger(o.leaderElectionLeaseDuration) || o.leaderElectionLeaseDuration < 1) {
    errs.push('--leader-election-lease-duration must be a whole number of seconds, at least 1s');
  }
  return errs;
}
