// apiserver_storage_objects: how many objects of each stored resource etcd holds, counted in the
// background every interval (one limit=1 range per resource; etcd returns the total count with it),
// never on the scrape path.

import type { Logger } from 'pino';
import type { Storage } from '../storage/interfaces.js';
import type { APIServerMetrics } from './apiserver-metrics.js';

export interface StoredResource {
  group: string;
  resource: string;
}

export class StorageObjectCounter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly metrics: APIServerMetrics,
    private readonly resources: readonly StoredResource[],
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  /** Counts once now, then every interval. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  refresh(): Promise<void> {
    this.running ??= this.countAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async countAll(): Promise<void> {
    for (const r of this.resources) {
      try {
        const page = await this.storage.list(`${r.resource}/`, { limit: 1 });
        this.metrics.setObjectCount(r.group, r.resource, page.items.length + (page.remainingItemCount ?? 0));
      } catch (err) {
        this.logger.debug({ resource: r.resource, err: err instanceof Error ? err.message : String(err) }, 'counting stored objects failed');
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
