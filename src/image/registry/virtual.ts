// Pieces every virtual image resource needs: the checks k8s.io/apiserver's generic handlers make
// before a storage sees an object (namespace and name against the URL), errors named after the
// resource of the request, the plain success Status, and bounded retries on write conflicts.

import { randomUUID } from 'node:crypto';
import { formatTime, isObject, qualifiedResource, type GroupResource, type KubeObject, type ObjectMeta, type Status } from '../../apiserver/api/types.js';
import { errors, StatusError } from '../../apiserver/errors/index.js';
import type { RequestContext } from '../../apiserver/registry/strategy.js';

/** The namespace in the body must be the URL's (or empty, then it becomes the URL's). */
export function ensureRequestNamespace(ctx: RequestContext, obj: KubeObject, namespaced: boolean): void {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const got = obj.metadata.namespace ?? '';
  const want = namespaced ? ctx.namespace : '';
  if (got === want) return;
  if (got === '') {
    if (want) obj.metadata.namespace = want;
    return;
  }
  if (!namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
}

/** A PUT body names the object of the URL (or nothing, then it gets that name). */
export function ensureURLName(obj: KubeObject, name: string): void {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const bodyName = obj.metadata.name;
  if (!bodyName) obj.metadata.name = name;
  else if (bodyName !== name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
}

/** What k8s.io/apiserver's BeforeUpdate carries over from the old object (generation, uid, creation time). */
export function carryUpdateMetadata(obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata;
  meta.generation = old.metadata.generation;
  if (meta.generation === undefined) delete meta.generation;
  if (!meta.uid && old.metadata.uid) meta.uid = old.metadata.uid;
  if (old.metadata.creationTimestamp) meta.creationTimestamp = old.metadata.creationTimestamp;
  delete meta.selfLink;
}

/** uid and creationTimestamp a new object gets before validation (FillObjectMetaSystemFields). */
export function fillSystemFields(meta: ObjectMeta, now: Date): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = formatTime(now);
  delete meta.selfLink;
}

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

export function successStatus(code = 200): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

export const isConflict = (err: unknown): boolean => err instanceof StatusError && err.code === 409 && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean => err instanceof StatusError && err.code === 409 && err.reason === 'AlreadyExists';
export const isNotFound = (err: unknown): boolean => err instanceof StatusError && err.code === 404;

/** How often a write is retried after losing a race before answering ServerTimeout. */
export const MAX_WRITE_ATTEMPTS = 10;
