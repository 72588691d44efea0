// Builds the etcd3 client and runs every unary call with a deadline and a small, safe retry.
//
// Why not the client's defaults: etcd3 1.1.2 wraps calls in a 3-attempt retry (each attempt with a
// fresh deadline, so a dead etcd costs 3x the timeout) and a per-host circuit breaker that, once
// open, refuses calls for 5 s even after etcd is back. The retry is replaced by a no-op; this
// module retries itself, only where a retry cannot apply a write twice. Per member, a small health
// policy passes over a member that failed in the last moments while another one is usable, so
// with one member of three down (the leader killed, say) calls and retries go to the others.

import { Etcd3, type IOptions } from 'etcd3';
import { isTransient, MemberSkippedError, memberFailing, neverSent, toStorageError } from './errors.js';

export interface StorageLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: StorageLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface TLSOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

// etcd3 only ever calls execute() on its policies; the rest of cockatiel's IPolicy is unused.
// execute must be async: etcd3's markFailed() relies on a synchronous throw becoming a rejection
// (otherwise a failing watch stream throws out of an event listener: an uncaught exception).
// etcd3 never aborts through the signal, so one that never fires serves every call.
const NEVER_ABORTED = { signal: new AbortController().signal };
const passThrough = {
  execute: async <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> => fn(NEVER_ABORTED),
} as unknown as Policy;

/** How long a failing member is passed over (while another member is usable). */
const MEMBER_QUARANTINE_MS = 2_000;

/** Which members failed recently; each member's policy asks before sending it a call. */
export class MemberHealth {
  private readonly failingUntil = new Map<string, number>();

  constructor(
    private readonly members: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  private failing(member: string): boolean {
    return (this.failingUntil.get(member) ?? 0) > this.now();
  }

  /** etcd3's per-host policy: skip a failing member unless every member is failing. */
  policy(member: string): Policy {
    const policy = {
      execute: async <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> => {
        if (this.failing(member) && this.members.some((m) => !this.failing(m))) throw new MemberSkippedError(member);
        try {
          const result = await fn({ signal: new AbortController().signal });
          this.failingUntil.delete(member);
          return result;
        } catch (err) {
          if (memberFailing(err)) this.failingUntil.set(member, this.now() + MEMBER_QUARANTINE_MS);
          throw err;
        }
      },
    };
    // etcd3 only ever calls execute() on its policies (see passThrough).
    return policy as unknown as Policy;
  }
}

export function buildClient(endpoints: string[], tls: TLSOptions | undefined, requestTimeoutMs: number): Etcd3 {
  if (endpoints.length === 0) throw new Error('etcd: at least one endpoint is required');
  const members = endpoints.map((e) => e.replace(/^https?:\/\//, ''));
  const health = new MemberHealth(members);
  const options: IOptions = {
    hosts: endpoints,
    // etcd3 strips the scheme from each host before asking for its policy.
    faultHandling: { host: (h) => health.policy(h.replace(/^https?:\/\//, '')), global: passThrough },
    // Unary calls get a deadline so nothing hangs on a dead etcd; streams (watch, keepalive) do not.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    grpcOptions: {
      // Reconnect quickly once etcd is back (grpc's default backoff grows to 120 s).
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
      // Large lists and watch batches: etcd itself limits requests, not responses.
      'grpc.max_receive_message_length': -1,
      // Notice a silently dead connection (no RST) under a long-lived watch. etcd's default
      // keepalive enforcement allows pings every 5 s, only while a stream is open.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
    },
  };
  if (tls && (tls.ca || tls.cert || tls.key)) {
    options.credentials = {
      // grpc.credentials.createSsl takes null/undefined for "system roots"; etcd3's type says Buffer.
      rootCertificate: tls.ca as Buffer,
      ...(tls.key ? { privateKey: tls.key } : {}),
      ...(tls.cert ? { certChain: tls.cert } : {}),
    };
  }
  return new Etcd3(options);
}

export interface CallOptions {
  /** Reads may be retried after any connection failure; writes only when never sent. */
  idempotent: boolean;
  /** The whole call's deadline, when not the request timeout (health checks). */
  timeoutMs?: number;
}

/**
 * Runs one etcd call, retrying transient connection failures (another endpoint may answer) within the
 * request deadline. Failures become StorageErrors keyed by `key`.
 */
export class Caller {
  private readonly maxAttempts: number;

  constructor(
    endpoints: number,
    private readonly requestTimeoutMs: number,
  ) {
    this.maxAttempts = Math.max(2, endpoints + 1);
  }

  async call<T>(key: string, op: (deadline: number) => Promise<T>, opts: CallOptions): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? this.requestTimeoutMs);
    for (let attempt = 1; ; attempt++) {
      try {
        return await op(deadline);
      } catch (err) {
        const retryable = opts.idempotent ? isTransient(err) : neverSent(err);
        // A member that just failed is passed over, so the next attempt can go at once.
        const delay = attempt === 1 ? 0 : 50 * attempt;
        if (!retryable || attempt >= this.maxAttempts || Date.now() + delay >= deadline) {
          throw toStorageError(err, key);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
