// The composition root: options -> clients -> API server -> listening HTTPS server, and a
// graceful stop. The only module that sees both apiserver/ and image/.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { destination, pino, type Logger } from 'pino';
import type { UserInfo } from '../apiserver/registry/strategy.js';
import { HealthChecks } from '../apiserver/server/health.js';
import { APIServer, type APIServerConfig, type RouteHandler } from '../apiserver/server/server.js';
import type { Storage } from '../apiserver/storage/interfaces.js';
import { Cacher, defaultCacherConfig } from '../apiserver/storage/cacher/index.js';
import { createEtcd3Storage } from '../apiserver/storage/etcd3/index.js';
import { Elector } from '../apiserver/leaderelection/index.js';
import { ImportController } from '../image/controllers/import-controller.js';
import { RegistryClient } from '../image/importer/index.js';
import { installImageAPI } from '../image/install.js';
import { startEtcdProcess, type EtcdProcess } from './etcd-process.js';
import { CrashGuard } from '../apiserver/server/crash-guard.js';
import { localCoreAPI, type LocalCoreAPI } from './local-core-api.js';
import { loadOrCreateServingBundle, localFiles, loadOrCreateToken, lockLocalDir, prepareLocalDirs, writeKubeconfig } from './local.js';
import type { Options } from './options.js';
import { imageCollaborators } from './image-collaborators.js';
import { IMAGE_LOOKUP_PATH, imageLookupRoute, withWebhookAccess } from './image-lookup-webhook.js';
import { imageTriggerController } from './image-triggers.js';
import { buildRequestPipeline } from './request-pipeline.js';
import { serverVersionInfo, serverVersionRoute, versionInfo } from './version.js';

export interface RunningServer {
  url: string;
  /** The Express app the HTTPS server serves, for in-process tests. */
  app: Express;
  port: number;
  kubeconfigPath?: string;
  storage: Storage;
  logger: Logger;
  /** Drains requests, closes storage and any child etcd. */
  stop(): Promise<void>;
}

/** `routes` (/metrics, the image lookup webhook), /version/openshift and, in local mode, the core API kubectl reads. */
function extraRoutes(routes: Map<string, RouteHandler>, core: LocalCoreAPI | undefined): Pick<APIServerConfig, 'routes' | 'prefixRoutes'> {
  return { routes: new Map([...routes, serverVersionRoute(), ...(core?.routes ?? [])]), prefixRoutes: core?.prefixRoutes ?? [] };
}

export const LOCAL_ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

export async function run(o: Options, out: NodeJS.WritableStream = process.stdout): Promise<RunningServer> {
  // Written synchronously: few lines, and each appears where it happened (never after the banner
  // that follows it, nor lost when the process exits).
  const logger = pino({ level: o.logLevel, base: undefined }, destination({ dest: 2, sync: true }));
  const closers: (() => Promise<void>)[] = [];
  const guard = new CrashGuard(logger);
  const uninstallGuard = guard.install(process);
  closers.push(async () => uninstallGuard());
  try {
    let etcdServers = o.etcdServers;
    const local = o.local ? localFiles(o.localDir, o.certDir, o.kubeconfigOut) : undefined;
    if (local) prepareLocalDirs(local);
    let etcd: EtcdProcess | undefined;
    if (local) {
      const release = lockLocalDir(local.dir);
      closers.push(async () => release());
    }
    if (local && etcdServers.length === 0) {
      etcd = await startEtcdProcess({ dataDir: local.etcdDataDir });
      const child = etcd;
      closers.push(() => child.stop());
      etcdServers = [etcd.endpoint];
      logger.info({ endpoint: etcd.endpoint, dataDir: local.etcdDataDir }, 'started local etcd');
    }

    const etcdStorage = await createEtcd3Storage({
      endpoints: etcdServers,
      prefix: o.etcdPrefix,
      tls:
        o.etcdCAFile || o.etcdCertFile
          ? {
              ca: o.etcdCAFile ? readFileSync(o.etcdCAFile) : undefined,
              cert: o.etcdCertFile ? readFileSync(o.etcdCertFile) : undefined,
              key: o.etcdKeyFile ? readFileSync(o.etcdKeyFile) : undefined,
            }
          : undefined,
      logger,
    });
    closers.push(() => etcdStorage.close());

    const health = new HealthChecks();
    health.add(['healthz', 'livez', 'readyz'], { name: 'ping', check: async () => undefined });
    health.add(['healthz', 'livez', 'readyz'], { name: 'log', check: async () => undefined });
    health.add(['healthz', 'readyz'], { name: 'etcd', check: () => etcdStorage.healthCheck() });

    let serving: { cert: string; key: string };
    let caPem: string | undefined;
    if (o.tlsCertFile) {
      serving = { cert: readFileSync(o.tlsCertFile, 'utf8'), key: readFileSync(o.tlsPrivateKeyFile, 'utf8') };
    } else {
      const bundle = loadOrCreateServingBundle(local?.certDir ?? (o.certDir || `${o.localDir}/certs`));
      serving = bundle.serving;
      caPem = bundle.ca.cert;
    }

    let token: string | undefined;
    if (local) token = loadOrCreateToken(local.dir);
    // Authentication, authorization, admission, metrics, audit and limits (in-memory host in --local).
    const pipeline = await buildRequestPipeline({ options: o, logger, health, localAdmin: token ? { token, user: LOCAL_ADMIN } : undefined });
    closers.push(() => pipeline.close());
    const instrumented = pipeline.instrumentStorage(etcdStorage);
    const cacher = o.watchCache ? new Cacher(instrumented, logger, { ...defaultCacherConfig, gets: o.watchCacheGets }) : undefined;
    if (cacher) closers.push(() => cacher.close());
    const storage: Storage = cacher ?? instrumented;

    const registryClient = new RegistryClient({
      perRegistryConcurrency: o.imageImportRegistryConcurrency,
      userAgent: `image-apiserver/${serverVersionInfo().gitVersion}`,
      ...(o.imageImportCAFile ? { ca: readFileSync(o.imageImportCAFile) } : {}),
    });
    closers.push(async () => registryClient.close());
    const image = installImageAPI({
      storage,
      internalRegistryHostname: o.internalRegistryHostname,
      externalRegistryHostname: o.externalRegistryHostname,
      admission: pipeline.admission,
      ...imageCollaborators(o, pipeline.authorizer, pipeline.host),
      registryClient,
      maxImagesBulkImportedPerRepository: o.maxImagesBulkImportedPerRepository,
      importTimeoutMs: o.imageImportTimeout * 1000,
    });
    pipeline.installed([image.group], etcdStorage);
    const webhookAccess = withWebhookAccess(pipeline.authenticator, pipeline.authorizer, o.admissionClientCAFile, logger);
    closers.push(async () => webhookAccess.close());
    cacher?.start(image.group.storedKinds ?? []);
    const api = new APIServer({
      groups: [image.group],
      authenticator: webhookAccess.authenticator,
      authorizer: webhookAccess.authorizer,
      health,
      logger,
      version: versionInfo(),
      ...extraRoutes(
        new Map([...pipeline.routes, [IMAGE_LOOKUP_PATH, imageLookupRoute(image.streams, logger.child({ component: 'image-lookup' }))]]),
        local ? localCoreAPI(pipeline.host.namespaces()) : undefined,
      ),
      audit: pipeline.audit,
      metrics: pipeline.metrics,
      limits: pipeline.limits,
    });

    const server: Server = createHttpsServer({ cert: serving.cert, key: serving.key, requestCert: true, rejectUnauthorized: false }, guard.wrap(api.app));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.securePort, o.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const host = o.bindAddress === '0.0.0.0' || o.bindAddress === '::' ? '127.0.0.1' : o.bindAddress;
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info({ url }, 'serving');

    let kubeconfigPath: string | undefined;
    if (local && token) {
      kubeconfigPath = local.kubeconfigPath;
      writeKubeconfig(kubeconfigPath, url, caPem ?? serving.cert, token);
      out.write(
        `image-apiserver is serving image.openshift.io/v1 at ${url}\n` +
          `Admin kubeconfig: ${kubeconfigPath}\n\n` +
          `Try:\n  kubectl --kubeconfig ${kubeconfigPath} get imagestreams\n\n` +
          `Press Ctrl-C to stop (data is kept in ${local.dir}).\n`,
      );
    }

    // Background work: one replica at a time per controller, the holder of its etcd lease. Started
    // after the banner, so their log lines follow it instead of landing among its lines.
    const elected = (name: string, runController: (signal: AbortSignal) => Promise<void>): void => {
      const elector = new Elector({
        storage: etcdStorage,
        key: `leases/${name}`,
        identity: o.leaderElectionIdentity || `${hostname()}_${process.pid}`,
        ttlSeconds: o.leaderElectionLeaseDuration,
        onStartedLeading: runController,
        logger: logger.child({ component: 'leader-election', election: name }),
      });
      elector.start();
      closers.push(() => elector.stop());
    };
    if (o.imageImportController) {
      const imports = new ImportController({
        source: image.imports.source,
        runImport: image.imports.run,
        intervalMs: o.scheduledImageImportInterval * 1000,
        scheduled: !o.disableScheduledImageImport,
        importsPerMinute: o.maxImageImportsPerMinute,
        logger: logger.child({ component: 'image-import-controller' }),
      });
      elected('image-import-controller', (signal) => imports.run(signal));
    }
    // Local mode has no host cluster, so no workloads to follow.
    if (o.imageTriggerController && !o.local) {
      const triggers = imageTriggerController(pipeline.host, image.imports.source, pipeline.registry, logger.child({ component: 'image-trigger-controller' }));
      elected('image-trigger-controller', (signal) => triggers.run(signal));
    }

    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      api.startShutdown();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Watches are long-running: end idle and streaming connections after a short grace.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        server.closeIdleConnections();
      });
      for (const c of closers.reverse()) {
        await c().catch((err: unknown) => logger.warn({ err }, 'error while stopping'));
      }
    };
    return { url, app: api.app, port, kubeconfigPath, storage, logger, stop };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
