import type { FieldSelector } from '../api/fields.js';
import type { LabelSelector } from '../api/labels.js';
import type { KubeObject } from '../api/types.js';
import type { Predicate } from '../storage/interfaces.js';
import { asKind, type ResourceInfo, type Strategy } from './strategy.js';
import { errors } from '../errors/index.js';

/**
 * Rejects field selectors on fields the resource does not index. The message lists only the
 * metadata fields, as openshift-apiserver's does, even where more are supported.
 */
export function validateFieldSelector(sel: FieldSelector, known: readonly string[]): void {
  for (const r of sel.requirements) {
    if (!known.includes(r.field)) {
      const listed = known.filter((k) => k.startsWith('metadata.')).map((k) => `"${k}"`).join(', ');
      throw errors.badRequest(`"${r.field}" is not a known field selector: only ${listed}`);
    }
  }
}

/**
 * The storage predicate of a list or watch's selectors (undefined when they select everything),
 * over metadata.name, metadata.namespace and the strategy's selectable fields.
 */
export function selectionPredicate<T extends KubeObject>(info: ResourceInfo, strategy: Strategy<T>): (params: { labelSelector: LabelSelector; fieldSelector: FieldSelector }) => Predicate | undefined {
  const custom = Object.keys(strategy.selectableFields?.(asKind<T>({ metadata: {} })) ?? {});
  const fieldNames = ['metadata.name', ...(info.namespaced ? ['metadata.namespace'] : []), ...custom];
  const fields = (obj: KubeObject): Record<string, string> => {
    const f: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
    if (info.namespaced) f['metadata.namespace'] = obj.metadata.namespace ?? '';
    return { ...f, ...(strategy.selectableFields?.(asKind<T>(obj)) ?? {}) };
  };
  return ({ labelSelector, fieldSelector }) => {
    validateFieldSelector(fieldSelector, fieldNames);
    if (labelSelector.isEmpty() && fieldSelector.isEmpty()) return undefined;
    return (obj) => labelSelector.matches(obj.metadata.labels) && fieldSelector.matches(fields(obj));
  };
}
