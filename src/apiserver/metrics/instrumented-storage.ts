// A Storage decorator that times every etcd operation by resource (etcd_request_duration_seconds,
// etcd_requests_total, etcd_request_errors_total). The etcd3 implementation stays unaware of metrics.

import type { KubeObject } from '../api/types.js';
import type {
  DeleteOptions,
  GetOptions,
  Lease,
  ListOptions,
  ListResult,
  Storage,
  UpdateFn,
  UpdateOptions,
  WatchOptions,
  WatchStream,
} from '../storage/interfaces.js';
import type { APIServerMetrics } from './apiserver-metrics.js';

export class InstrumentedStorage implements Storage {
  /** `groupOf` maps a resource (the first key segment) to its API group. */
  constructor(
    private readonly inner: Storage,
    private readonly metrics: APIServerMetrics,
    private readonly groupOf: (resource: string) => string = () => '',
  ) {}

  private async timed<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    const resource = key.split('/').find((s) => s !== '') ?? '';
    const group = resource ? this.groupOf(resource) : '';
    const started = process.hrtime.bigint();
    let failed = false;
    try {
      return await fn();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      this.metrics.etcdRequest(operation, group, resource, Number(process.hrtime.bigint() - started) / 1e9, failed);
    }
  }

  create(key: string, obj: KubeObject, opts?: { lease?: Lease }): Promise<KubeObject> {
    return this.timed('create', key, () => this.inner.create(key, obj, opts));
  }
  get(key: string, opts?: GetOptions): Promise<KubeObject> {
    return this.timed('get', key, () => this.inner.get(key, opts));
  }
  version(key: string): Promise<string | undefined> {
    return this.timed('get', key, async () => {
      if (!this.inner.version) throw new Error('the wrapped storage cannot read versions');
      return this.inner.version(key);
    });
  }
  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.timed('list', prefix, () => this.inner.list(prefix, opts));
  }
  guaranteedUpdate(key: string, tryUpdate: UpdateFn, opts?: UpdateOptions): Promise<KubeObject> {
    return this.timed('update', key, () => this.inner.guaranteedUpdate(key, tryUpdate, opts));
  }
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.timed('delete', key, () => this.inner.delete(key, opts));
  }
  /** Times the start of the watch only; the stream itself is long-running. */
  watch(keyOrPrefix: string, opts?: WatchOptions): Promise<WatchStream> {
    return this.timed('watch', keyOrPrefix, () => this.inner.watch(keyOrPrefix, opts));
  }
  grantLease(ttlSeconds: number): Promise<Lease> {
    return this.timed('grantLease', '', () => this.inner.grantLease(ttlSeconds));
  }
  currentRevision(): Promise<string> {
    return this.timed('currentRevision', '', () => this.inner.currentRevision());
  }
  healthCheck(): Promise<void> {
    return this.timed('healthCheck', '', () => this.inner.healthCheck());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
