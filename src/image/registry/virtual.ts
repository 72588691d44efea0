// What virtual image resources share beyond the lifecycle in apiserver/registry: errors named after
// the resource of the request, and bounded retries on write conflicts.

import { qualifiedResource, type GroupResource } from '../../apiserver/api/types.js';
import { errors, StatusError } from '../../apiserver/errors/index.js';

/**
 * NotFound, AlreadyExists and Conflict from the stream or image stores, named after the resource
 * the client asked for (as k8s.io/apiserver 1.34 does for stores reached through another resource).
 */
export function asRequestResource(err: unknown, requested: GroupResource): unknown {
  if (!(err instanceof StatusError)) return err;
  const d = err.status.details;
  if (d?.kind !== 'imagestreams' && d?.kind !== 'images') return err;
  const name = d.name ?? '';
  if (err.reason === 'NotFound') return errors.notFound(requested, name);
  if (err.reason === 'AlreadyExists') return errors.alreadyExists(requested, name);
  if (err.reason === 'Conflict') {
    const prefix = `Operation cannot be fulfilled on ${qualifiedResource({ group: d.group ?? '', resource: d.kind })} ${JSON.stringify(name)}: `;
    const message = err.status.message ?? '';
    if (message.startsWith(prefix)) return errors.conflict(requested, name, message.slice(prefix.length));
  }
  return err;
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
