// Background imports, run by one replica at a time (the leader; see the Elector): tags whose spec
// asks for an import are imported as soon as a watch shows them, and tags with
// importPolicy.scheduled are imported again every interval. The whole cluster is read with one
// paged list per interval plus one watch; imports go through a shared rate limit and a few
// workers, each stream at most once at a time.

import type { UserInfo } from '../../apiserver/registry/strategy.js';
import type { ImageStream } from '../api/types.js';
import type { ImageStreamImport } from '../api/virtual-types.js';
import { hasScheduledTags, importFor, needsPendingImport, type ImportKind } from './import-needs.js';
import { ImportQueue } from './import-queue.js';
import { TokenBucket } from './rate-limiter.js';
import { followStreams, listAllStreams, type StreamSource } from './stream-source.js';
import { pause } from '../../apiserver/util/pause.js';

export interface ControllerLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  debug(obj: Record<string, unknown>, msg: string): void;
}

const silent: ControllerLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/** Runs an import as `user` (what the imagestreamimports resource does after its checks). */
export type RunImport = (
  user: UserInfo,
  namespace: string,
  isi: ImageStreamImport,
  pre: { resourceVersion?: string; uid?: string },
  signal: AbortSignal,
) => Promise<ImageStreamImport>;

export interface ImportControllerOptions {
  source: StreamSource;
  runImport: RunImport;
  /** How often scheduled tags are imported again, and everything is listed (default 15 min). */
  intervalMs?: number;
  /** Re-import scheduled tags (default true); pending tags are imported either way. */
  scheduled?: boolean;
  /** Imports per minute across the cluster (default 60, bursts of twice that); 0: unlimited. */
  importsPerMinute?: number;
  /** Imports in flight (default 5). */
  workers?: number;
  /** Streams per list page (default 500). */
  pageSize?: number;
  /** Pause before listing again after a failure (default 5 s). */
  retryMs?: number;
  logger?: ControllerLogger;
  /** Spreads the first scheduled round over the interval (tests pin it). */
  random?: () => number;
}

/** Who the controller's imports are made as (as OpenShift's controller is named). */
export const IMPORT_CONTROLLER_USER: UserInfo = {
  username: 'system:serviceaccount:openshift-infra:image-import-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:openshift-infra', 'system:authenticated'],
};

const keyOf = (s: ImageStream): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const statusCode = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

export interface ControllerStats {
  imports: number;
  failures: number;
  sweeps: number;
}

export class ImportController {
  private readonly intervalMs: number;
  private readonly workers: number;
  private readonly pageSize: number;
  private readonly retryMs: number;
  private readonly log: ControllerLogger;
  private readonly limiter: TokenBucket | undefined;
  readonly stats: ControllerStats = { imports: 0, failures: 0, sweeps: 0 };

  constructor(private readonly o: ImportControllerOptions) {
    this.intervalMs = o.intervalMs ?? 15 * 60_000;
    if (!(this.intervalMs > 0)) throw new Error('the scheduled import interval must be positive');
    this.workers = Math.max(1, o.workers ?? 5);
    this.pageSize = o.pageSize ?? 500;
    this.retryMs = o.retryMs ?? 5_000;
    this.log = o.logger ?? silent;
    const rate = o.importsPerMinute ?? 60;
    this.limiter = rate > 0 ? new TokenBucket(rate, Math.max(1, rate * 2)) : undefined;
  }

  /** Runs until `signal` aborts (leadership lost, or shutdown); resolves when all work stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const queue = new ImportQueue();
    signal.addEventListener('abort', () => queue.close(), { once: true });
    this.log.info({ intervalSeconds: this.intervalMs / 1000, scheduled: this.o.scheduled !== false }, 'image import controller started');
    const tasks = [...Array.from({ length: this.workers }, () => this.work(queue, signal)), this.periodic(queue, signal), this.follow(queue, signal)];
    await Promise.all(tasks);
    this.log.info({}, 'image import controller stopped');
  }

  /** Lists every stream (a page at a time) and queues the imports they need; returns the list's revision. */
  private async sweep(queue: ImportQueue, scheduled: boolean): Promise<string> {
    let queued = 0;
    const revision = await listAllStreams(this.o.source, this.pageSize, (stream) => {
      const kind = this.kindFor(stream, scheduled);
      if (!kind) return;
      queue.add(keyOf(stream), kind);
      queued++;
    });
    this.stats.sweeps++;
    this.log.debug({ queued, scheduled }, 'image import controller: listed image streams');
    return revision;
  }

  private kindFor(stream: ImageStream, scheduled: boolean): ImportKind | undefined {
    if (needsPendingImport(stream)) return 'pending';
    if (scheduled && hasScheduledTags(stream)) return 'scheduled';
    return undefined;
  }

  /** List, then watch from that revision; list again whenever the watch ends. */
  private follow(queue: ImportQueue, signal: AbortSignal): Promise<void> {
    return followStreams(this.o.source, {
      list: () => this.sweep(queue, false),
      change: (type, stream) => {
        if (type !== 'DELETED' && needsPendingImport(stream)) queue.add(keyOf(stream), 'pending');
      },
      ended: (reason) => this.log.debug({ reason }, 'image import controller: watch ended; listing again'),
      failed: (err) => this.log.warn({ err: message(err) }, 'image import controller: cannot list or watch image streams; retrying'),
      retryMs: this.retryMs,
      signal,
    });
  }

  /**
   * Every interval: one list for the scheduled tags (and anything pending a failed import left).
   * The first round comes at a random point of the first interval, so a new leader neither
   * re-imports everything at once nor waits a full interval.
   */
  private async periodic(queue: ImportQueue, signal: AbortSignal): Promise<void> {
    const random = this.o.random ?? Math.random;
    await pause(Math.floor(random() * this.intervalMs), signal);
    while (!signal.aborted) {
      try {
        await this.sweep(queue, this.o.scheduled !== false);
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err: message(err) }, 'image import controller: scheduled listing failed');
      }
      await pause(this.intervalMs, signal);
    }
  }

  private async work(queue: ImportQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const item = await queue.take();
      if (!item) return;
      try {
        await this.limiter?.take(signal);
        await this.importStream(item.key, item.kind, queue, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ stream: item.key, err: message(err) }, 'image import controller: import failed');
      } finally {
        queue.done(item.key);
      }
    }
  }

  private async importStream(key: string, kind: ImportKind, queue: ImportQueue, signal: AbortSignal): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    let stream: ImageStream;
    try {
      stream = await this.o.source.get(namespace, name);
    } catch (err) {
      if (statusCode(err) === 404) return; // deleted meanwhile
      throw err;
    }
    const isi = importFor(stream, kind);
    if (!isi || signal.aborted) return;
    const tags = (isi.spec.images ?? []).map((i) => i.to?.name ?? '');
    try {
      const pre = { resourceVersion: stream.metadata.resourceVersion, uid: stream.metadata.uid };
      const result = await this.o.runImport(IMPORT_CONTROLLER_USER, namespace, isi, pre, signal);
      this.stats.imports++;
      const repository = result.status?.repository;
      const images = [...(result.status?.images ?? []), ...(repository?.images ?? [])];
      const failed = images.filter((i) => i.status.status !== 'Success').map((i) => `${i.tag ?? ''}: ${i.status.message ?? ''}`);
      // A repository whose tags could not even be listed has no images to report.
      if (repository?.status?.status === 'Failure' && !repository.images?.length) failed.push(`${isi.spec.repository?.from.name ?? ''}: ${repository.status.message ?? ''}`);
      if (failed.length) this.stats.failures++;
      const changed = result.status?.import?.metadata.resourceVersion !== stream.metadata.resourceVersion;
      const fields = { stream: key, kind, tags, ...(isi.spec.repository ? { repository: isi.spec.repository.from.name } : {}), ...(failed.length ? { failed } : {}) };
      // Quiet when a scheduled look found nothing new: that is most of them.
      if (failed.length && images.every((i) => i.status.status !== 'Success')) this.log.warn(fields, 'image import controller: import failed');
      else if (changed || failed.length) this.log.info(fields, 'image import controller: imported');
      else this.log.debug(fields, 'image import controller: nothing new');
    } catch (err) {
      const code = statusCode(err);
      // The stream changed since we read it: its new version gets its own look.
      if (code === 409) queue.add(key, kind);
      else if (code !== 404) throw err;
    }
  }
}
