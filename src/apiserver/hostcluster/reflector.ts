// List-then-watch loop that keeps a local copy of a host collection current, the way client-go's
// reflector does: resume the watch from the last seen resourceVersion when it ends, relist when
// the server says that version is gone (410), back off while the host is unreachable.

import type { Logger } from 'pino';
import type { Informer } from './types.js';

/** The fields every watched object and watch event carries (typed client objects and raw JSON alike). */
export interface WatchedObject {
  metadata?: { name?: string; resourceVersion?: string };
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ReflectorSource<T> {
  list(): Promise<ListResult<T>>;
  /** Starts a watch; calls onEvent per event and onDone once when it ends. Returns a stop function. */
  watch(resourceVersion: string, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void): Promise<() => void>;
}

export interface ReflectorHandlers<T> {
  /** The full state after a list. */
  replace(items: T[]): void;
  /** One change from the watch. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
}

export interface ReflectorOptions<T> {
  name: string;
  source: ReflectorSource<T>;
  handlers: ReflectorHandlers<T>;
  /** Turns a watch event object into T (the list already returns T). */
  decode(obj: unknown): T | undefined;
  logger: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

function statusCode(obj: unknown): number | undefined {
  if (obj && typeof obj === 'object' && 'code' in obj && typeof obj.code === 'number') return obj.code;
  return undefined;
}

function resourceVersionOf(obj: unknown): string | undefined {
  const md = obj && typeof obj === 'object' && 'metadata' in obj ? (obj as WatchedObject).metadata : undefined;
  return md?.resourceVersion || undefined;
}

export class Reflector<T> implements Informer {
  private synced = false;
  private stopped = false;
  private stopWatch: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(private readonly o: ReflectorOptions<T>) {}

  start(): this {
    void this.loop();
    return this;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.synced), timeoutMs);
      timer.unref();
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    const min = this.o.minBackoffMs ?? 800;
    const max = this.o.maxBackoffMs ?? 30_000;
    let backoff = min;
    while (!this.stopped) {
      let rv: string;
      try {
        const list = await this.o.source.list();
        if (this.stopped) return;
        this.o.handlers.replace(list.items);
        rv = list.resourceVersion;
        if (!this.synced) {
          this.synced = true;
          for (const w of this.syncWaiters.splice(0)) w();
        }
      } catch (err) {
        this.o.logger.warn({ informer: this.o.name, err: err instanceof Error ? err.message : String(err) }, 'list from the host cluster failed');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, max);
        continue;
      }
      // Watch until the server says our version is gone; then relist.
      while (!this.stopped) {
        const started = Date.now();
        const outcome = await this.watchOnce(rv);
        rv = outcome.resourceVersion;
        if (outcome.gone) break;
        if (outcome.error !== undefined) {
          this.o.logger.warn({ informer: this.o.name, err: outcome.error }, 'watch on the host cluster failed');
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, max);
        } else if (Date.now() - started > 1000) {
          backoff = min;
        } else {
          // A watch that ends at once, repeatedly, must not become a busy loop.
          await this.sleep(min);
        }
      }
    }
  }

  private watchOnce(fromRV: string): Promise<{ resourceVersion: string; gone: boolean; error?: string }> {
    let rv = fromRV;
    let gone = false;
    return new Promise((resolve) => {
      let finished = false;
      const finish = (err: unknown): void => {
        if (finished) return;
        finished = true;
        this.stopWatch = undefined;
        // A watch request answered 410 (instead of an ERROR event) also means "relist".
        if (err && typeof err === 'object' && 'statusCode' in err && err.statusCode === 410) gone = true;
        const error = err ? (err instanceof Error ? err.message : String(err)) : undefined;
        resolve({ resourceVersion: rv, gone, error: gone ? undefined : error });
      };
      const onEvent = (type: WatchEventType, obj: unknown): void => {
        if (type === 'ERROR') {
          if (statusCode(obj) === 410) gone = true;
          this.stopWatch?.();
          finish(new Error(`watch error: ${JSON.stringify(obj)}`));
          return;
        }
        const next = resourceVersionOf(obj);
        if (next) rv = next;
        if (type === 'BOOKMARK') return;
        const decoded = this.o.decode(obj);
        if (decoded !== undefined) this.o.handlers.apply(type, decoded);
      };
      this.o.source.watch(rv, onEvent, finish).then(
        (stop) => {
          if (finished || this.stopped) stop();
          else this.stopWatch = stop;
        },
        (err: unknown) => finish(err ?? new Error('watch failed')),
      );
    });
  }
}
