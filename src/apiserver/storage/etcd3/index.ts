// The etcd implementation of Storage. This folder is the only importer of 'etcd3'.

import { buildClient, Caller, silentLogger, type StorageLogger, type TLSOptions } from './client.js';
import { KeySpace } from './keys.js';
import { LeaseManager } from './leases.js';
import { Etcd3Storage } from './store.js';
import type { WatchConfig } from './watcher.js';

export type { StorageLogger, TLSOptions } from './client.js';
export type { WatchConfig } from './watcher.js';
export { Etcd3Storage } from './store.js';

export interface Etcd3StorageOptions {
  /** e.g. ["http://127.0.0.1:2379"]; https:// endpoints need `tls` (or use the system roots). */
  endpoints: string[];
  /** Key prefix, e.g. "/openshift.io": objects live at "<prefix>/<key>". */
  prefix: string;
  tls?: TLSOptions;
  /** Deadline of every etcd request (default 5000 ms). */
  requestTimeoutMs?: number;
  /** Deadline of healthCheck() (default 2000 ms). */
  healthCheckTimeoutMs?: number;
  logger?: StorageLogger;
  /** Watch tuning; tests shorten the intervals. */
  watch?: Partial<WatchConfig>;
}

export const defaultWatchConfig: WatchConfig = {
  bookmarkIntervalMs: 60_000,
  queueCapacity: 10_000,
  futureRevisionWaitMs: 3_000,
  reconnectTimeoutMs: 15_000,
  initialChunkSize: 1_000,
};

export function createEtcd3Storage(opts: Etcd3StorageOptions): Etcd3Storage {
  const requestTimeoutMs = opts.requestTimeoutMs ?? 5_000;
  const logger = opts.logger ?? silentLogger;
  const client = buildClient(opts.endpoints, opts.tls, requestTimeoutMs);
  const caller = new Caller(opts.endpoints.length, requestTimeoutMs);
  return new Etcd3Storage({
    client,
    caller,
    keys: new KeySpace(opts.prefix),
    leases: new LeaseManager(client, caller, logger),
    logger,
    watch: { ...defaultWatchConfig, ...opts.watch },
    healthCheckTimeoutMs: opts.healthCheckTimeoutMs ?? 2_000,
  });
}
