// A bounded cache whose entries expire, and a coalescer that lets concurrent identical lookups
// share one call. Used for TokenReview and SubjectAccessReview answers.

export type Clock = () => number;

export class TTLCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: Clock = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { value, expires: this.now() + ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries; if none were, the oldest insertion (Map keeps insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

/** Runs at most one fetch per key at a time; callers that arrive meanwhile share its promise. */
export class Coalescer<V> {
  private readonly inflight = new Map<string, Promise<V>>();

  /** `joined` tells the caller whether it shared someone else's fetch. */
  run(key: string, fetch: () => Promise<V>): { promise: Promise<V>; joined: boolean } {
    const existing = this.inflight.get(key);
    if (existing) return { promise: existing, joined: true };
    const p = fetch().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return { promise: p, joined: false };
  }

  get active(): number {
    return this.inflight.size;
  }
}
