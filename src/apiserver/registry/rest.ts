// REST capabilities. An installed storage implements some of these; the endpoint layer derives
// routes and discovery verbs from which methods exist (a storage that can get and update can patch).

import type { KubeList, KubeObject, Status, Table } from '../api/types.js';
import type { LabelSelector } from '../api/labels.js';
import type { FieldSelector } from '../api/fields.js';
import type { ResourceVersionMatch } from '../storage/interfaces.js';
import type { RequestContext, ResourceInfo } from './strategy.js';

export interface ListParams {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  limit?: number;
  continue?: string;
}

export interface WatchParams {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
}

export type APIWatchEvent =
  /** `json`, when present, is `object` already encoded (once per object version, shared by every watcher). */
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; json?: Buffer }
  | { type: 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: Status };

export interface APIWatch {
  events: AsyncIterable<APIWatchEvent>;
  stop(): void;
}

export interface DeleteParams {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
}

export interface WriteParams {
  fieldManager?: string;
}

/** Builds the object to store from the current one (undefined when it does not exist yet); a client's object is any KubeObject. */
export type UpdateTransform<T extends KubeObject = KubeObject> = (current: T | undefined) => KubeObject | Promise<KubeObject>;

export interface CreateResult {
  object: KubeObject | Status;
  /** Status code to answer with (201 for created objects). */
  code: number;
}

export interface UpdateResult<T extends KubeObject = KubeObject> {
  object: T;
  created: boolean;
}

export interface DeleteResult {
  object: KubeObject | Status;
  /** 200, or 202 when deletion is pending and the client asked for orphanDependents=false. */
  code: number;
}

export interface RESTStorage {
  /** The resource this storage answers for; `kind` is what it returns. */
  readonly info: ResourceInfo;
  /** The subresource name when installed as "<resource>/<sub>". */
  readonly subresource?: string;
  /** A get that takes list options (selectors, limit) besides the name, e.g. imagestreams/secrets. */
  readonly getOptions?: 'list';
  /** `query` is the request's query string, for getters that take list options (imagestreams/<n>/secrets). */
  get?(ctx: RequestContext, name: string, opts: { resourceVersion?: string; query?: URLSearchParams }): Promise<KubeObject>;
  list?(ctx: RequestContext, params: ListParams): Promise<KubeList>;
  /** get and list as the JSON a plain JSON response carries, reusing encodings kept per object version. */
  getJSON?(ctx: RequestContext, name: string, opts: { resourceVersion?: string }): Promise<Buffer>;
  listJSON?(ctx: RequestContext, params: ListParams): Promise<Buffer>;
  watch?(ctx: RequestContext, params: WatchParams): Promise<APIWatch>;
  create?(ctx: RequestContext, obj: KubeObject, opts: WriteParams): Promise<CreateResult>;
  update?(ctx: RequestContext, name: string, transform: UpdateTransform, opts: WriteParams & { forceAllowCreate?: boolean }): Promise<UpdateResult>;
  delete?(ctx: RequestContext, name: string, opts: DeleteParams): Promise<DeleteResult>;
  deleteCollection?(ctx: RequestContext, opts: DeleteParams, list: ListParams): Promise<KubeList>;
  /**
   * A copy of a written object in its stored form, as far as the write decides it; ownership in
   * managedFields is computed on it, so a write that changes nothing stored owns nothing.
   */
  canonicalize?(obj: KubeObject): KubeObject;
  /** Converts objects for `as=Table` responses. Without it a default Name/Created At table is used. */
  convertToTable?(objects: KubeObject[], now: Date): Omit<Table, 'kind' | 'apiVersion' | 'metadata'>;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Discovery verbs, derived from capabilities and sorted as k8s.io/apiserver sorts them. */
export function verbsOf(s: RESTStorage): Verb[] {
  const verbs: Verb[] = [];
  if (s.create) verbs.push('create');
  if (s.delete) verbs.push('delete');
  if (s.deleteCollection) verbs.push('deletecollection');
  if (s.get) verbs.push('get');
  if (s.list) verbs.push('list');
  if (s.get && s.update) verbs.push('patch');
  if (s.update) verbs.push('update');
  if (s.watch) verbs.push('watch');
  return verbs;
}
