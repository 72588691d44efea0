// What happens to an object before a storage sees it on a create or an update, for the Store and
// for resources that write through other stores alike: the handlers' checks of the body against the
// URL, k8s.io/apiserver's rest.BeforeCreate/BeforeUpdate system fields, and the success Status.

import { randomUUID } from 'node:crypto';
import { formatTime, isObject, type KubeObject, type ObjectMeta, type Status } from '../api/types.js';
import { errors } from '../errors/index.js';
import { fieldErrors, type FieldErrorList } from '../errors/field.js';
import type { RequestContext } from './strategy.js';

/** The namespace in the body must be the URL's (or empty, then it becomes the URL's); cluster-scoped objects have none. */
function ensureRequestNamespace(ctx: RequestContext, meta: ObjectMeta, namespaced: boolean): void {
  const expected = namespaced ? ctx.namespace : '';
  const got = meta.namespace ?? '';
  if (got === expected) return;
  if (got === '') meta.namespace = expected;
  else if (expected === '') delete meta.namespace;
  else throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (!namespaced) delete meta.namespace;
}

/** A create body: metadata present and in the request's namespace. Returns the metadata. */
export function beforeCreate(ctx: RequestContext, obj: KubeObject, namespaced: boolean): ObjectMeta {
  if (!isObject(obj.metadata)) obj.metadata = {};
  ensureRequestNamespace(ctx, obj.metadata, namespaced);
  return obj.metadata;
}

/** An update body: metadata present, naming the URL's object (or nothing, then it gets that name), in the request's namespace. */
export function beforeUpdate(ctx: RequestContext, obj: KubeObject, name: string, namespaced: boolean): ObjectMeta {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const bodyName = obj.metadata.name;
  if (!bodyName) obj.metadata.name = name;
  else if (bodyName !== name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  ensureRequestNamespace(ctx, obj.metadata, namespaced);
  return obj.metadata;
}

/** uid and creationTimestamp a new object gets before validation (FillObjectMetaSystemFields). */
export function fillSystemFields(meta: ObjectMeta, now: Date): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = formatTime(now);
  delete meta.selfLink;
}

/** A new stored object: system fields set, what only the server sets cleared. */
export function resetForCreate(meta: ObjectMeta, now: Date): void {
  fillSystemFields(meta, now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  meta.generation = 1;
}

/** A stored object's update: copies fields clients cannot change and reports attempts to change immutable ones. */
export function carrySystemMetadata(meta: ObjectMeta, old: ObjectMeta): FieldErrorList {
  const errs: FieldErrorList = [];
  if (!meta.uid) meta.uid = old.uid;
  else if (meta.uid !== old.uid) errs.push(fieldErrors.invalid('metadata.uid', meta.uid, 'field is immutable'));
  meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  meta.generation = old.generation;
  delete meta.selfLink;
  if (meta.generateName === undefined && old.generateName !== undefined) meta.generateName = old.generateName;
  if (old.deletionTimestamp) {
    const before = new Set(old.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length) {
      errs.push(
        fieldErrors.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  return errs;
}

/** An object derived from another one (a tag of a stream): what BeforeUpdate carries over from the old object (generation, uid, creation time). */
export function carryUpdateMetadata(obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata;
  meta.generation = old.metadata.generation;
  if (meta.generation === undefined) delete meta.generation;
  if (!meta.uid && old.metadata.uid) meta.uid = old.metadata.uid;
  if (old.metadata.creationTimestamp) meta.creationTimestamp = old.metadata.creationTimestamp;
  delete meta.selfLink;
}

export function successStatus(code = 200, details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code };
}
