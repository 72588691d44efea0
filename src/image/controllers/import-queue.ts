// The streams waiting for an import, each at most once: pending imports (a spec change) go before
// scheduled re-imports, and a stream that changes while it is being imported is queued again
// when that import ends (never imported twice at once).

import type { ImportKind } from './import-needs.js';

const stronger = (a: ImportKind, b: ImportKind): ImportKind => (a === 'pending' || b === 'pending' ? 'pending' : 'scheduled');

export interface QueuedImport {
  key: string;
  kind: ImportKind;
}

export class ImportQueue {
  /** Insertion-ordered: first come, first served within a kind. */
  private readonly pending = new Set<string>();
  private readonly scheduled = new Set<string>();
  private readonly active = new Set<string>();
  /** Requests that arrived while their stream was being imported. */
  private readonly again = new Map<string, ImportKind>();
  private readonly waiters: Array<(item: QueuedImport | undefined) => void> = [];
  private closed = false;

  get length(): number {
    return this.pending.size + this.scheduled.size;
  }

  add(key: string, kind: ImportKind): void {
    if (this.closed) return;
    if (this.active.has(key)) {
      const prev = this.again.get(key);
      this.again.set(key, prev ? stronger(prev, kind) : kind);
      return;
    }
    if (kind === 'pending') {
      this.scheduled.delete(key);
      this.pending.add(key);
    } else if (!this.pending.has(key)) {
      this.scheduled.add(key);
    }
    this.wake();
  }

  /** The next stream to import (marked active), or undefined once closed. */
  take(): Promise<QueuedImport | undefined> {
    const item = this.pop();
    if (item || this.closed) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The import of `key` ended; a request that came meanwhile is queued now. */
  done(key: string): void {
    this.active.delete(key);
    const kind = this.again.get(key);
    if (kind) {
      this.again.delete(key);
      this.add(key, kind);
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private pop(): QueuedImport | undefined {
    for (const [set, kind] of [
      [this.pending, 'pending'],
      [this.scheduled, 'scheduled'],
    ] as const) {
      const first = set.values().next();
      if (first.done) continue;
      set.delete(first.value);
      this.active.add(first.value);
      return { key: first.value, kind };
    }
    return undefined;
  }

  private wake(): void {
    while (this.waiters.length) {
      const item = this.pop();
      if (!item) return;
      this.waiters.shift()?.(item);
    }
  }
}
