// A bounded queue between one etcd watch and its consumer. etcd pushes events at its own pace; a
// consumer that falls more than `capacity` events behind gets an ERROR (it then resumes or relists)
// instead of letting memory grow without bound.

import type { StorageWatchEvent } from '../interfaces.js';
import { StorageError } from '../interfaces.js';

export class EventQueue implements AsyncIterable<StorageWatchEvent> {
  // Consumed slots are cleared (undefined) so delivered events can be collected before compaction.
  private buf: (StorageWatchEvent | undefined)[] = [];
  private head = 0;
  private closed = false;
  private wakeConsumer: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];

  constructor(
    private readonly capacity: number,
    private readonly onClose: () => void,
  ) {}

  get size(): number {
    return this.buf.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an event; on overflow drops the backlog and ends the stream with an ERROR. */
  push(ev: StorageWatchEvent): void {
    if (this.closed) return;
    if (this.size >= this.capacity) {
      this.fail(
        new StorageError('Internal', '', `watch consumer is too slow: more than ${this.capacity} events are waiting; restart the watch`),
        true,
      );
      return;
    }
    this.buf.push(ev);
    this.wake();
  }

  /** Resolves when there is room for more (used for initial events, which can wait for the consumer). */
  async waitForSpace(): Promise<void> {
    while (!this.closed && this.size >= this.capacity / 2) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
  }

  /** Ends the stream with an ERROR event after whatever is already queued (or instead of it). */
  fail(error: StorageError, dropBacklog = false): void {
    if (this.closed) return;
    if (dropBacklog) {
      this.buf = [];
      this.head = 0;
    }
    this.buf.push({ type: 'ERROR', error });
    this.close();
  }

  /** No more events will be added; the consumer still drains what is queued. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.releaseSpaceWaiters();
    this.onClose();
  }

  /** Stops delivery at once (the consumer called stop()). */
  abort(): void {
    this.buf = [];
    this.head = 0;
    this.close();
  }

  private wake(): void {
    const w = this.wakeConsumer;
    this.wakeConsumer = undefined;
    w?.();
  }

  private releaseSpaceWaiters(): void {
    const ws = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of ws) w();
  }

  private take(): StorageWatchEvent | undefined {
    if (this.head >= this.buf.length) return undefined;
    const ev = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
    if (this.spaceWaiters.length > 0 && this.size < this.capacity / 2) this.releaseSpaceWaiters();
    return ev;
  }

  [Symbol.asyncIterator](): AsyncIterator<StorageWatchEvent> {
    return {
      next: async (): Promise<IteratorResult<StorageWatchEvent>> => {
        for (;;) {
          const ev = this.take();
          if (ev !== undefined) return { value: ev, done: false };
          if (this.closed) return { value: undefined, done: true };
          await new Promise<void>((r) => {
            this.wakeConsumer = r;
          });
        }
      },
      return: async (): Promise<IteratorResult<StorageWatchEvent>> => {
        // The consumer left the loop: treat it as stop().
        this.abort();
        return { value: undefined, done: true };
      },
    };
  }
}
