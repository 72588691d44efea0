// Field validation of the kinds that write one tag of a stream (ImageStreamTag, ImageTag) and of
// ImageStreamMapping: object names, the tag reference (with the registry allow-list), and what
// an update may change.

import type { ObjectMeta } from '../../../apiserver/api/types.js';
import { FieldPath, fieldErrors, type FieldErrorList } from '../../../apiserver/errors/field.js';
import { validatePathSegmentName } from '../../../apiserver/registry/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../apiserver/registry/validation/objectmeta.js';
import { splitImageStreamTag } from '../names.js';
import type { ImageStreamMapping, ImageStreamTag, ImageTag } from '../virtual-types.js';
import { allowAllRegistries, type RegistryAllowList } from './allowlist.js';
import { validateImage } from './image.js';
import { isRepositoryInsecure, validateTagReference } from './imagestream.js';

const META = { namespaced: true, nameFn: validatePathSegmentName, qualifiedFinalizers: true } as const;

/** Go's semantic equality: nil and empty maps/lists are the same, key order does not matter. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length ? v.map(norm) : undefined;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => [k, norm(x)] as const)
        .filter(([, x]) => x !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      return entries.length ? Object.fromEntries(entries) : undefined;
    }
    return v === null || v === '' || v === 0 || v === false ? undefined : v;
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** Metadata as compared by "may not update fields other than ...": managedFields are the server's. */
function comparableMeta(meta: ObjectMeta | undefined, drop: readonly (keyof ObjectMeta)[] = []): Record<string, unknown> {
  const m: Record<string, unknown> = { ...(meta ?? {}) };
  delete m.managedFields;
  delete m.selfLink;
  for (const k of drop) delete m[k];
  return m;
}

function tagAnnotationErrors(tag: ImageStreamTag['tag'], meta: ObjectMeta | undefined): FieldErrorList {
  if (!tag || tag.annotations === undefined || tag.annotations === null) return [];
  if (semanticEqual(tag.annotations, meta?.annotations ?? {})) return [];
  return [fieldErrors.invalid('tag.annotations', '<map>', 'tag annotations must not be provided or must be equal to the object meta annotations')];
}

export function validateImageStreamTag(istag: ImageStreamTag, allowList: RegistryAllowList = allowAllRegistries): FieldErrorList {
  const errs = validateObjectMeta(istag.metadata, META);
  if (istag.tag) {
    errs.push(...validateTagReference(istag.tag, FieldPath.root('tag'), { allowList, insecureRepository: isRepositoryInsecure(istag.metadata) }));
    errs.push(...tagAnnotationErrors(istag.tag, istag.metadata));
  }
  return errs;
}

export function validateImageStreamTagUpdate(istag: ImageStreamTag, old: ImageStreamTag, allowList: RegistryAllowList = allowAllRegistries): FieldErrorList {
  const errs = validateObjectMetaUpdate(istag.metadata, old.metadata, 'metadata', { qualifiedFinalizers: true });
  const from = old.tag?.from;
  const list = from?.kind === 'DockerImage' && from.name ? allowList.withPullSpecs([from.name]) : allowList;
  if (istag.tag) {
    errs.push(...validateTagReference(istag.tag, FieldPath.root('tag'), { allowList: list, insecureRepository: isRepositoryInsecure(istag.metadata) }));
    errs.push(...tagAnnotationErrors(istag.tag, istag.metadata));
  }
  const rest = (t: ImageStreamTag): unknown => ({ metadata: comparableMeta(t.metadata, ['annotations']), conditions: t.conditions, image: t.image });
  if (!semanticEqual(rest(istag), rest(old))) {
    errs.push(fieldErrors.invalid('metadata', '', 'may not update fields other than metadata.annotations'));
  }
  return errs;
}

function imageTagSpecErrors(itag: ImageTag, allowList: RegistryAllowList): FieldErrorList {
  const spec = itag.spec;
  if (!spec) return [];
  const errs: FieldErrorList = [];
  const { tag, ok } = splitImageStreamTag(itag.metadata.name ?? '');
  if (!ok || (spec.name ?? '') !== tag) errs.push(fieldErrors.invalid('spec.name', spec.name ?? '', 'must match image tag name'));
  errs.push(...validateTagReference(spec, FieldPath.root('spec'), { allowList, insecureRepository: isRepositoryInsecure(itag.metadata) }));
  return errs;
}

export function validateImageTag(itag: ImageTag, allowList: RegistryAllowList = allowAllRegistries): FieldErrorList {
  const errs = validateObjectMeta(itag.metadata, META);
  if (!itag.spec) errs.push(fieldErrors.required('spec', 'spec is a required field during creation'));
  else errs.push(...imageTagSpecErrors(itag, allowList));
  return errs;
}

export function validateImageTagUpdate(itag: ImageTag, old: ImageTag, allowList: RegistryAllowList = allowAllRegistries): FieldErrorList {
  const errs = validateObjectMetaUpdate(itag.metadata, old.metadata, 'metadata', { qualifiedFinalizers: true });
  const from = old.spec?.from;
  const list = from?.kind === 'DockerImage' && from.name ? allowList.withPullSpecs([from.name]) : allowList;
  errs.push(...imageTagSpecErrors(itag, list));
  // Unlike openshift-apiserver, managedFields (rewritten by the server on every write) do not count.
  if (!semanticEqual(comparableMeta(itag.metadata), comparableMeta(old.metadata))) {
    errs.push(fieldErrors.invalid('metadata', '', 'may not update fields other than spec'));
  }
  if (!semanticEqual(itag.status ?? null, old.status ?? null)) {
    errs.push(fieldErrors.invalid('status', '', 'may not update fields other than spec'));
  }
  return errs;
}

export function validateImageStreamMapping(mapping: ImageStreamMapping): FieldErrorList {
  const errs = validateObjectMeta(mapping.metadata, META);
  if (!mapping.metadata.name) {
    errs.push(fieldErrors.required('name'));
    errs.push(fieldErrors.required('dockerImageRepository'));
  }
  if (!mapping.tag) errs.push(fieldErrors.required('tag'));
  errs.push(...validateImage(mapping.image ?? { metadata: {} }, FieldPath.root('image')));
  return errs;
}
