// A per-registry bound on requests in flight, so one import of a large repository (or many
// imports at once) cannot flood a registry and earn a rate limit for everyone.

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency limit must be a whole number >= 1, got ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
    // The releaser that woke us handed its slot over: `active` is unchanged.
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/** One semaphore per key (registry host), created on first use. */
export class KeyedLimiter {
  private readonly semaphores = new Map<string, Semaphore>();
  constructor(readonly limit: number) {
    new Semaphore(limit); // validates the limit up front
  }

  forKey(key: string): Semaphore {
    let s = this.semaphores.get(key);
    if (!s) {
      s = new Semaphore(this.limit);
      this.semaphores.set(key, s);
    }
    return s;
  }

  async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.forKey(key).acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
