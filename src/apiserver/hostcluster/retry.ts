// Retries for calls to the host cluster, with the backoff client-go's webhook clients use
// (500 ms, x1.5, 20% jitter, 5 attempts) on errors that are worth retrying.

import { HostClusterError } from './types.js';

export interface Backoff {
  initialMs: number;
  factor: number;
  jitter: number;
  /** Attempts in total (1 = no retry). */
  steps: number;
}

export const WEBHOOK_BACKOFF: Backoff = { initialMs: 500, factor: 1.5, jitter: 0.2, steps: 5 };

/** No response at all (connection refused/reset, deadline), or 429/500/502/503/504. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof HostClusterError)) return false;
  return err.code === undefined || [429, 500, 502, 503, 504].includes(err.code);
}

export async function withRetry<T>(fn: () => Promise<T>, backoff: Backoff, retryable: (err: unknown) => boolean = isRetryable): Promise<T> {
  let delay = backoff.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= backoff.steps || !retryable(err)) throw err;
      const wait = delay * (1 + Math.random() * backoff.jitter);
      await new Promise((r) => setTimeout(r, wait));
      delay *= backoff.factor;
    }
  }
}
