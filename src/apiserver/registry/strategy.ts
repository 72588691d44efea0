// What a stored resource supplies to the generic Store: its identity, how objects are prepared,
// validated and decorated, which fields selectors may use, and how it prints as a Table.

import type { KubeObject, TableColumnDefinition } from '../api/types.js';
import type { FieldErrorList } from '../errors/field.js';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural resource name, e.g. "imagestreams". */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
}

/** Who is making the request; strategies receive it for access checks and managed fields. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  /** Namespace from the URL ("" for cluster-scoped requests). */
  namespace: string;
  dryRun: boolean;
}

/** Labels and selectable fields of an object, for label and field selectors. */
export interface SelectableAttrs {
  labels: Record<string, string>;
  fields: Record<string, string>;
}

export interface TableConvertor<T extends KubeObject = KubeObject> {
  columns: TableColumnDefinition[];
  /** One row's cells, in column order. `now` makes relative times testable. */
  cells: (obj: T, now: Date) => unknown[];
}

/** What one resource's objects (of type T) go through in the Store. */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Create: reset fields the client may not set (status, generation), before validation. */
  prepareForCreate(obj: T, ctx: RequestContext): void | Promise<void>;
  /** Create: pure field validation of the prepared object. */
  validate(obj: T, ctx: RequestContext): FieldErrorList | Promise<FieldErrorList>;
  /** Update: carry over what the client may not change from `old`, bump generation, etc. */
  prepareForUpdate(obj: T, old: T, ctx: RequestContext): void | Promise<void>;
  validateUpdate(obj: T, old: T, ctx: RequestContext): FieldErrorList | Promise<FieldErrorList>;
  /** PUT to a missing name creates it. */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is allowed (last write wins). */
  allowUnconditionalUpdate: boolean;
  /** Applied to every object returned to clients (computed fields). Mutates in place. */
  decorate?(obj: T): void;
  /**
   * A written object in the form it is stored in, as far as the client's write decides it
   * (defaults, canonical field forms, Go's omitempty). Mutates in place; must be idempotent.
   */
  canonicalize?(obj: T): void;
  /** Field selector keys beyond metadata.name/metadata.namespace and their values. */
  selectableFields?(obj: T): Record<string, string>;
  table?: TableConvertor<T>;
  /** Deletion never adds the orphan/foregroundDeletion finalizers (GC policy "Unsupported"). */
  garbageCollectionUnsupported?: boolean;
}

/**
 * An object a Store of T holds as one: what storage returns was written by that Store, and what
 * clients send was checked against the kind's schema before it reached the Store.
 */
export function asKind<T extends KubeObject>(obj: KubeObject): T {
  return obj as T;
}
