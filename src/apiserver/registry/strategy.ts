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

export interface TableConvertor {
  columns: TableColumnDefinition[];
  /** One row's cells, in column order. `now` makes relative times testable. */
  cells(obj: KubeObject, now: Date): unknown[];
}

export interface Strategy {
  /** Create: reset fields the client may not set (status, generation), before validation. */
  prepareForCreate(obj: KubeObject, ctx: RequestContext): void | Promise<void>;
  /** Create: pure field validation of the prepared object. */
  validate(obj: KubeObject, ctx: RequestContext): FieldErrorList | Promise<FieldErrorList>;
  /** Update: carry over what the client may not change from `old`, bump generation, etc. */
  prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): void | Promise<void>;
  validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldErrorList | Promise<FieldErrorList>;
  /** PUT to a missing name creates it. */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is allowed (last write wins). */
  allowUnconditionalUpdate: boolean;
  /** Applied to every object returned to clients (computed fields). Mutates in place. */
  decorate?(obj: KubeObject): void;
  /**
   * A written object in the form it is stored in, as far as the client's write decides it
   * (defaults, canonical field forms, Go's omitempty). Mutates in place; must be idempotent.
   */
  canonicalize?(obj: KubeObject): void;
  /** Field selector keys beyond metadata.name/metadata.namespace and their values. */
  selectableFields?(obj: KubeObject): Record<string, string>;
  table?: TableConvertor;
  /** Deletion never adds the orphan/foregroundDeletion finalizers (GC policy "Unsupported"). */
  garbageCollectionUnsupported?: boolean;
}
