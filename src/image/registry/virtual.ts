// What virtual image resources share beyond the lifecycle in apiserver/registry: errors named after
// the resource of the request, and bounded retries on write conflicts.

import type { GroupResource } from '../../apiserver/api/types.js';
import { StatusError } from '../../apiserver/errors/index.js';
import { gr, IMAGE_STREAMS, IMAGES } from './resources.js';

/** The stores the virtual resources read and write through. */
const UNDERLYING: readonly GroupResource[] = [gr(IMAGE_STREAMS), gr(IMAGES)];

/**
 * NotFound, AlreadyExists and Conflict from the stream or image stores, named after the resource
 * the client asked for (as k8s.io/apiserver 1.34 does for stores reached through another resource).
 */
export function asRequestResource(err: unknown, requested: GroupResource): unknown {
  return err instanceof StatusError ? err.reportedAs(requested, UNDERLYING) : err;
}

/** Runs `fn`, renaming NotFound errors of the underlying stores (see asRequestResource). */
export async function reportingAs<T>(requested: GroupResource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asRequestResource(err, requested);
  }
}

export const isAlreadyExists = (err: unknown): boolean => err instanceof StatusError && err.code === 409 && err.reason === 'AlreadyExists';
export const isNotFound = (err: unknown): boolean => err instanceof StatusError && err.code === 404;

/** How often a write is retried after losing a race before answering ServerTimeout. */
export const MAX_WRITE_ATTEMPTS = 10;
