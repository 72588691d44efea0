// The generic Store: one tested pipeline for create/get/list/update/delete/watch of a stored
// resource; the resource supplies a Strategy. Mirrors k8s.io/apiserver's registry.Store.

import type { KubeList, KubeObject } from '../api/types.js';
import { isObject } from '../api/types.js';
import type { FieldErrorList } from '../errors/field.js';
import { fieldErrors } from '../errors/field.js';
import { errors, StatusError } from '../errors/index.js';
import type { Storage, WatchStream } from '../storage/interfaces.js';
import { StorageError } from '../storage/interfaces.js';
import { generateName, GENERATE_NAME_ATTEMPTS } from './names.js';
import type {
  APIWatch,
  DeleteParams,
  DeleteResult,
  ListParams,
  RESTStorage,
  UpdateResult,
  UpdateTransform,
  WatchParams,
  WriteParams,
} from './rest.js';
import { rethrow } from './storage-errors.js';
import { asKind, type RequestContext, type ResourceInfo, type Strategy } from './strategy.js';
import { dropEmptyMetadata } from './omitempty-metadata.js';
import { defaultTable, tableFor } from './table.js';
import { selectionPredicate } from './selection.js';
import { uniqueFieldErrors } from './validation/unique.js';
import { runAdmission, type AdmissionPlugin } from './admission.js';
import { beforeCreate, beforeUpdate, carrySystemMetadata, resetForCreate, successStatus } from './lifecycle.js';
import { StorePresenter } from './store-presenter.js';
import { watchEvents } from './store-watch.js';
import { checkDeletePreconditions, gcFinalizers, markDeleting } from './store-delete.js';

export interface StoreOptions<T extends KubeObject = KubeObject> {
  info: ResourceInfo;
  storage: Storage;
  strategy: Strategy<T>;
  clock?: () => Date;
  /** Installed as "<resource>/<subresource>" (e.g. status): passed to admission. */
  subresource?: string;
  admission?: readonly AdmissionPlugin[];
}

/** Thrown inside an update when the result is a deleting object without finalizers. */
class DeleteInstead {
  constructor(readonly object: KubeObject, readonly storedResourceVersion: string) {}
}

const clone = <T>(v: T): T => structuredClone(v);

export class Store<T extends KubeObject = KubeObject> implements RESTStorage {
  readonly info: ResourceInfo;
  private readonly storage: Storage;
  private readonly strategy: Strategy<T>;
  private readonly clock: () => Date;
  private readonly gr: { group: string; resource: string };
  private readonly predicate: ReturnType<typeof selectionPredicate<T>>;
  private readonly admission: readonly AdmissionPlugin[];
  readonly subresource?: string;
  private readonly presenter: StorePresenter<T>;

  constructor(opts: StoreOptions<T>) {
    this.admission = opts.admission ?? [];
    if (opts.subresource) this.subresource = opts.subresource;
    this.info = opts.info;
    this.storage = opts.storage;
    this.strategy = opts.strategy;
    this.clock = opts.clock ?? (() => new Date());
    this.gr = { group: opts.info.group, resource: opts.info.resource };
    this.predicate = selectionPredicate(opts.info, opts.strategy);
    this.presenter = new StorePresenter(opts.info, opts.strategy, opts.subresource);
  }

  canonicalize(input: KubeObject): T {
    const obj = asKind<T>(clone(input));
    if (isObject(obj.metadata)) dropEmptyMetadata(obj.metadata);
    this.strategy.canonicalize?.(obj);
    return obj;
  }

  // ---- keys ----

  private key(ns: string, name: string): string {
    return this.info.namespaced ? `${this.info.resource}/${ns}/${name}` : `${this.info.resource}/${name}`;
  }

  private prefix(ns: string): string {
    return this.info.namespaced && ns ? `${this.info.resource}/${ns}/` : `${this.info.resource}/`;
  }

  private invalid(name: string, errs: FieldErrorList): StatusError {
    return errors.invalid(this.info.kind, this.info.group, name, errs);
  }

  // ---- reads ----

  private async read(ctx: RequestContext, name: string, opts: { resourceVersion?: string }): Promise<KubeObject> {
    try {
      return await this.storage.get(this.key(ctx.namespace, name), { resourceVersion: opts.resourceVersion, shared: true });
    } catch (err) {
      rethrow(err, this.gr, name, 'get');
    }
  }

  async get(ctx: RequestContext, name: string, opts: { resourceVersion?: string }): Promise<T> {
    return this.presenter.owned(await this.read(ctx, name, opts));
  }

  async getJSON(ctx: RequestContext, name: string, opts: { resourceVersion?: string }): Promise<Buffer> {
    return this.presenter.json(await this.read(ctx, name, opts));
  }

  private async readList(ctx: RequestContext, params: ListParams): Promise<{ metadata: KubeList['metadata']; items: KubeObject[] }> {
    const predicate = this.predicate(params);
    try {
      const res = await this.storage.list(this.prefix(ctx.namespace), {
        resourceVersion: params.resourceVersion,
        resourceVersionMatch: params.resourceVersionMatch,
        limit: params.limit,
        continue: params.continue,
        predicate,
        hasSelector: predicate !== undefined,
        shared: true,
      });
      const metadata: KubeList['metadata'] = { resourceVersion: res.resourceVersion };
      if (res.continue) metadata.continue = res.continue;
      if (res.remainingItemCount !== undefined) metadata.remainingItemCount = res.remainingItemCount;
      return { metadata, items: res.items };
    } catch (err) {
      rethrow(err, this.gr, '', 'list', params.continue !== undefined && params.continue !== '');
    }
  }

  async list(ctx: RequestContext, params: ListParams): Promise<KubeList<T>> {
    const { metadata, items } = await this.readList(ctx, params);
    return {
      kind: this.info.listKind,
      apiVersion: this.presenter.apiVersion,
      metadata,
      items: items.map((o) => this.presenter.listItem(o)),
    };
  }

  /** The list as JSON: the envelope around each item's kept encoding. */
  async listJSON(ctx: RequestContext, params: ListParams): Promise<Buffer> {
    const { metadata, items } = await this.readList(ctx, params);
    return this.presenter.listJSON(metadata, items);
  }

  async watch(ctx: RequestContext, params: WatchParams): Promise<APIWatch> {
    const predicate = this.predicate(params);
    const name = params.fieldSelector.requiresExactMatch('metadata.name');
    const singleKey = name !== undefined && (ctx.namespace !== '' || !this.info.namespaced);
    let stream: WatchStream;
    try {
      stream = await this.storage.watch(singleKey ? this.key(ctx.namespace, name) : this.prefix(ctx.namespace), {
        resourceVersion: params.resourceVersion,
        predicate,
        sendInitialEvents: params.sendInitialEvents,
        allowBookmarks: params.allowWatchBookmarks,
        singleKey,
        shared: true,
      });
    } catch (err) {
      rethrow(err, this.gr, '', 'watch');
    }
    return { events: watchEvents(stream, this.presenter, this.info.kind, this.gr), stop: () => stream.stop() };
  }

  // ---- create ----

  /** System metadata of a new object, strategy preparation and validation. */
  private async prepareCreate(ctx: RequestContext, obj: T): Promise<void> {
    const meta = beforeCreate(ctx, obj, this.info.namespaced);
    await runAdmission(this.admission, {
      operation: 'CREATE',
      resource: this.info,
      subresource: this.subresource ?? '',
      name: meta.name ?? meta.generateName ?? '',
      namespace: meta.namespace ?? '',
      object: obj,
      ctx,
    });
    resetForCreate(meta, this.clock());
    await this.strategy.prepareForCreate(obj, ctx);
    const errs: FieldErrorList = [];
    if (!meta.name && !meta.generateName) errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
    errs.push(...(await this.strategy.validate(obj, ctx)));
    if (errs.length) throw this.invalid(meta.name ?? '', uniqueFieldErrors(errs));
  }

  async create(ctx: RequestContext, input: KubeObject, _opts: WriteParams): Promise<{ object: T; code: number }> {
    const obj = asKind<T>(clone(input));
    if (!isObject(obj.metadata)) obj.metadata = {};
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = generateName(obj.metadata.generateName ?? '');
    await this.prepareCreate(ctx, obj);
    const ns = obj.metadata.namespace ?? '';
    for (let attempt = 1; ; attempt++) {
      const name = obj.metadata.name ?? '';
      try {
        if (ctx.dryRun) {
          if ((await this.current(this.key(ns, name))) !== undefined) throw new StorageError('KeyExists', this.key(ns, name), 'exists');
          return { object: this.presenter.present(clone(obj)), code: 201 };
        }
        const stored = await this.storage.create(this.key(ns, name), this.presenter.forStorage(obj));
        return { object: this.presenter.present(stored), code: 201 };
      } catch (err) {
        if (err instanceof StorageError && err.code === 'KeyExists') {
          if (generated) {
            if (attempt < GENERATE_NAME_ATTEMPTS) {
              obj.metadata.name = generateName(obj.metadata.generateName ?? '');
              continue;
            }
            throw errors.generateNameConflict(this.gr, name);
          }
          const terminating = (await this.current(this.key(ns, name)).catch(() => undefined))?.metadata.deletionTimestamp;
          const prefix = terminating ? 'object is being deleted: ' : '';
          throw errors.alreadyExists(this.gr, name, prefix);
        }
        rethrow(err, this.gr, name, 'create');
      }
    }
  }

  /** The stored object under `key`, or undefined when there is none. */
  private async current(key: string): Promise<KubeObject | undefined> {
    try {
      return await this.storage.get(key);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'KeyNotFound') return undefined;
      throw err;
    }
  }

  // ---- update ----

  async update(ctx: RequestContext, name: string, transform: UpdateTransform<T>, opts: WriteParams & { forceAllowCreate?: boolean }): Promise<UpdateResult<T>> {
    const key = this.key(ctx.namespace, name);
    let created = false;
    const allowCreate = this.strategy.allowCreateOnUpdate || opts.forceAllowCreate === true;

    const createFrom = async (): Promise<T> => {
      if (!allowCreate) throw errors.notFound(this.gr, name);
      const obj = asKind<T>(clone(await transform(undefined)));
      beforeUpdate(ctx, obj, name, this.info.namespaced);
      await this.prepareCreate(ctx, obj);
      created = true;
      return this.presenter.forStorage(obj);
    };

    const tryUpdate = async (stored: KubeObject): Promise<T> => {
      created = false;
      const current = asKind<T>(stored);
      const old = clone(current);
      // Transforms (patches, the field manager) work on the object as clients see it.
      const obj = asKind<T>(clone(await transform(this.presenter.present(clone(current)))));
      const meta = beforeUpdate(ctx, obj, name, this.info.namespaced);
      const rv = meta.resourceVersion;
      if (!rv) {
        if (!this.strategy.allowUnconditionalUpdate) {
          throw errors.invalid(this.info.resource, this.info.group, name, [
            fieldErrors.invalid('metadata.resourceVersion', 0, 'must be specified for an update'),
          ]);
        }
      } else if (rv !== old.metadata.resourceVersion) {
        throw errors.staleUpdate(this.gr, name);
      }
      await runAdmission(this.admission, {
        operation: 'UPDATE',
        resource: this.info,
        subresource: this.subresource ?? '',
        name,
        namespace: ctx.namespace,
        object: obj,
        oldObject: old,
        ctx,
      });
      const errs = carrySystemMetadata(meta, old.metadata);
      await this.strategy.prepareForUpdate(obj, old, ctx);
      errs.push(...(await this.strategy.validateUpdate(obj, old, ctx)));
      if (errs.length) throw this.invalid(name, uniqueFieldErrors(errs));
      if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
        throw new DeleteInstead(obj, old.metadata.resourceVersion ?? '');
      }
      return this.presenter.forStorage(obj);
    };

    for (;;) {
      try {
        if (ctx.dryRun) {
          const current = await this.current(key);
          const result = current ? await tryUpdate(current) : await createFrom();
          if (created) delete result.metadata.resourceVersion;
          return { object: this.presenter.present(result), created };
        }
        const stored = await this.storage.guaranteedUpdate(key, tryUpdate, allowCreate ? { createIfMissing: createFrom } : {});
        return { object: this.presenter.present(stored), created };
      } catch (err) {
        if (err instanceof DeleteInstead) {
          if (ctx.dryRun) {
            const result = err.object;
            result.metadata.resourceVersion = err.storedResourceVersion;
            return { object: this.presenter.present(result), created: false };
          }
          try {
            await this.storage.delete(key, { preconditions: { resourceVersion: err.storedResourceVersion } });
          } catch (delErr) {
            if (delErr instanceof StorageError && delErr.code === 'ResourceVersionConflicts') continue; // changed meanwhile: redo
            if (delErr instanceof StorageError && delErr.code === 'KeyNotFound') throw errors.notFound(this.gr, name);
            rethrow(delErr, this.gr, name, 'update');
          }
          const result = err.object;
          result.metadata.resourceVersion = err.storedResourceVersion;
          return { object: this.presenter.present(result), created: false };
        }
        rethrow(err, this.gr, name, 'update');
      }
    }
  }

  // ---- delete ----

  async delete(ctx: RequestContext, name: string, opts: DeleteParams): Promise<DeleteResult> {
    const key = this.key(ctx.namespace, name);
    let current: KubeObject;
    try {
      current = await this.storage.get(key);
    } catch (err) {
      rethrow(err, this.gr, name, 'delete');
    }
    checkDeletePreconditions(this.info, current, name, opts);
    const toAdd = gcFinalizers(opts, this.strategy.garbageCollectionUnsupported === true);
    const pending = (current.metadata.finalizers ?? []).length > 0 || toAdd.length > 0;
    const code = opts.orphanDependents === false && pending ? 202 : 200;

    if (pending) {
      const mark = (cur: KubeObject): KubeObject => {
        checkDeletePreconditions(this.info, cur, name, opts);
        return markDeleting(cur, toAdd, this.clock());
      };
      if (ctx.dryRun) return { object: this.presenter.present(mark(current)), code };
      try {
        const stored = await this.storage.guaranteedUpdate(key, mark);
        return { object: this.presenter.present(stored), code };
      } catch (err) {
        rethrow(err, this.gr, name, 'delete');
      }
    }

    const success = successStatus(200, { name, group: this.info.group, kind: this.info.resource, uid: current.metadata.uid });
    if (ctx.dryRun) return { object: success, code: 200 };
    try {
      await this.storage.delete(key, {
        preconditions: opts.preconditions,
        validateDeletion: (cur) => {
          if ((cur.metadata.finalizers ?? []).length > 0) throw new StorageError('ResourceVersionConflicts', key, 'finalizers were added');
        },
      });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'ResourceVersionConflicts') {
        // Changed between the read and the delete: take the slow path again with fresh state.
        return this.delete(ctx, name, opts);
      }
      rethrow(err, this.gr, name, 'delete');
    }
    return { object: success, code: 200 };
  }

  async deleteCollection(ctx: RequestContext, opts: DeleteParams, params: ListParams): Promise<KubeList> {
    const listed = await this.list(ctx, params);
    for (const item of listed.items) {
      const itemCtx = { ...ctx, namespace: item.metadata.namespace ?? '' };
      try {
        await this.delete(itemCtx, item.metadata.name ?? '', opts);
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue;
        throw err;
      }
    }
    return listed;
  }

  convertToTable(objects: KubeObject[], now: Date): ReturnType<typeof defaultTable> {
    return this.strategy.table ? tableFor(this.strategy.table, objects.map((o) => asKind<T>(o)), now) : defaultTable(objects);
  }
}

/** The resources of a resource map that a Store keeps (not views or subresources of one). */
export function storedResources(resources: ReadonlyMap<string, RESTStorage>): Set<string> {
  return new Set([...resources].filter(([path, s]) => s instanceof Store && !path.includes('/')).map(([path]) => path));
}
