// Turns etcd3 / grpc-js failures into StorageErrors. The etcd3 client types errors by class for some
// grpc codes and by message for etcd's own errors, so both are checked; messages are the stable part.

import {
  ClientClosedError,
  GRPCDeadlineExceededError,
  GRPCOutOfRangeError,
  GRPCResourceExhastedError,
  GRPCUnavailableError,
} from 'etcd3';
import { StorageError, type StorageErrorCode } from '../interfaces.js';

const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';

export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(COMPACTED);
}

export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(FUTURE);
}

/** A member was passed over because it failed moments ago; the call was not sent to it. */
export class MemberSkippedError extends Error {
  constructor(host: string) {
    super(`etcd member ${host} is failing; not sent`);
    this.name = 'MemberSkippedError';
  }
}

/** The member has no leader: it refused the request, nothing was proposed. */
function noLeader(err: unknown): boolean {
  return err instanceof Error && err.message.includes('etcdserver: no leader');
}

/** The request never reached a server (no connection), so retrying cannot apply a write twice. */
export function neverSent(err: unknown): boolean {
  if (err instanceof MemberSkippedError || noLeader(err)) return true;
  // grpc-js: the channel never connected, or etcd3 reset the channel while the call was queued.
  return (
    err instanceof GRPCUnavailableError &&
    (err.message.includes('No connection established') || err.message.includes('before call started'))
  );
}

/** A failure of the connection or the member (not of the request), worth another try for reads. */
export function isTransient(err: unknown): boolean {
  return (
    err instanceof GRPCUnavailableError ||
    err instanceof MemberSkippedError ||
    noLeader(err) ||
    (err instanceof Error && err.message.includes('etcdserver: leader changed'))
  );
}

/**
 * The connection failed after the request was sent, or its deadline passed: a write may or may
 * not have been applied (it may still be, if its proposal is pending).
 */
export function mayHaveApplied(err: unknown): boolean {
  return (err instanceof GRPCUnavailableError && !neverSent(err)) || (err instanceof GRPCDeadlineExceededError && !err.message.includes('Waiting for LB pick'));
}

/** The member itself is unusable for now (not this one request): try the others first. */
export function memberFailing(err: unknown): boolean {
  if (err instanceof MemberSkippedError) return false;
  if (err instanceof GRPCDeadlineExceededError) return err.message.includes('Waiting for LB pick');
  return err instanceof GRPCUnavailableError || noLeader(err);
}

function codeOf(err: Error): StorageErrorCode {
  const msg = err.message;
  if (msg.includes(COMPACTED)) return 'Compacted';
  if (msg.includes(FUTURE)) return 'TooLargeResourceVersion';
  if (msg.includes('request is too large')) return 'RequestTooLarge';
  if (err instanceof GRPCResourceExhastedError && msg.includes('larger than max')) return 'RequestTooLarge';
  if (err instanceof GRPCOutOfRangeError) return 'Compacted';
  if (err instanceof GRPCUnavailableError || err instanceof ClientClosedError) return 'Unreachable';
  if (err instanceof GRPCDeadlineExceededError) {
    // grpc-js says "Waiting for LB pick" when the deadline passed before any connection existed.
    return msg.includes('Waiting for LB pick') ? 'Unreachable' : 'Timeout';
  }
  if (msg.includes('etcdserver: request timed out')) return 'Timeout';
  if (msg.includes('etcdserver: no leader') || msg.includes('etcdserver: leader changed')) return 'Unreachable';
  if (err.name === 'BrokenCircuitError' || err.name === 'TaskCancelledError' || err instanceof MemberSkippedError) return 'Unreachable';
  return 'Internal';
}

/** Wraps any failure of an etcd call; StorageErrors pass through unchanged. */
export function toStorageError(err: unknown, key: string): StorageError {
  if (err instanceof StorageError) return err;
  if (!(err instanceof Error)) return new StorageError('Internal', key, `etcd: ${String(err)}`);
  const code = codeOf(err);
  const e = new StorageError(code, key, err.message);
  e.cause = err;
  return e;
}
