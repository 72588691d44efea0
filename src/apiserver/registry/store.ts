// The generic Store: one tested pipeline for create/get/list/update/delete/watch of a stored
// resource; the resource supplies a Strategy. Mirrors k8s.io/apiserver's registry.Store.

import { randomUUID } from 'node:crypto';
import type { KubeList, KubeObject, ObjectMeta, Status } from '../api/types.js';
import { formatTime, isObject } from '../api/types.js';
import type { FieldErrorList } from '../errors/field.js';
import { fieldErrors } from '../errors/field.js';
import { errors, StatusError } from '../errors/index.js';
import type { Predicate, Storage, StorageWatchEvent, WatchStream } from '../storage/interfaces.js';
import { StorageError } from '../storage/interfaces.js';
import { encodingsOf } from '../storage/object-version.js';
import { generateName, GENERATE_NAME_ATTEMPTS } from './names.js';
import type {
  APIWatch,
  APIWatchEvent,
  CreateResult,
  DeleteParams,
  DeleteResult,
  ListParams,
  RESTStorage,
  UpdateResult,
  UpdateTransform,
  WatchParams,
  WriteParams,
} from './rest.js';
import { rethrow, toStatusError } from './storage-errors.js';
import type { RequestContext, ResourceInfo, Strategy } from './strategy.js';
import { dropEmptyMetadata } from './omitempty-metadata.js';
import { defaultTable, tableFor } from './table.js';
import { validateFieldSelector } from './selection.js';
import { uniqueFieldErrors } from './validation/unique.js';
import { runAdmission, type AdmissionPlugin } from './admission.js';

export interface StoreOptions {
  info: ResourceInfo;
  storage: Storage;
  strategy: Strategy;
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
const OPEN_BRACE = Buffer.from('{');
const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']}');

export class Store implements RESTStorage {
  readonly info: ResourceInfo;
  private readonly storage: Storage;
  private readonly strategy: Strategy;
  private readonly clock: () => Date;
  private readonly gr: { group: string; resource: string };
  private readonly apiVersion: string;
  private readonly fieldNames: string[];
  private readonly admission: readonly AdmissionPlugin[];
  readonly subresource?: string;
  /**
   * Names this store's presentation in the encoding memo of shared object versions; an encoding is
   * kept under "<view>|<content type>" (JSON now; another content type can be added the same way).
   */
  private readonly view: string;
  /** How the JSON of a presented object starts; a list item is the same bytes without it. */
  private readonly typeHead: Buffer;

  constructor(opts: StoreOptions) {
    this.admission = opts.admission ?? [];
    if (opts.subresource) this.subresource = opts.subresource;
    this.info = opts.info;
    this.storage = opts.storage;
    this.strategy = opts.strategy;
    this.clock = opts.clock ?? (() => new Date());
    this.gr = { group: opts.info.group, resource: opts.info.resource };
    this.apiVersion = opts.info.group ? `${opts.info.group}/${opts.info.version}` : opts.info.version;
    const custom = Object.keys(this.strategy.selectableFields?.({ metadata: {} }) ?? {});
    this.fieldNames = ['metadata.name', ...(opts.info.namespaced ? ['metadata.namespace'] : []), ...custom];
    this.view = `${opts.info.resource}/${opts.subresource ?? ''}/${this.strategy.constructor.name}`;
    this.typeHead = Buffer.from(`{"kind":${JSON.stringify(this.info.kind)},"apiVersion":${JSON.stringify(this.apiVersion)},`);
  }

  canonicalize(input: KubeObject): KubeObject {
    const obj = clone(input);
    if (isObject(obj.metadata)) dropEmptyMetadata(obj.metadata);
    this.strategy.canonicalize?.(obj);
    return obj;
  }

  // ---- keys and presentation ----

  private key(ns: string, name: string): string {
    return this.info.namespaced ? `${this.info.resource}/${ns}/${name}` : `${this.info.resource}/${name}`;
  }

  private prefix(ns: string): string {
    return this.info.namespaced && ns ? `${this.info.resource}/${ns}/` : `${this.info.resource}/`;
  }

  /** What a client sees: kind/apiVersion set, computed fields decorated. */
  private present(obj: KubeObject): KubeObject {
    if (isObject(obj.metadata)) dropEmptyMetadata(obj.metadata);
    this.strategy.decorate?.(obj);
    const { kind: _k, apiVersion: _a, ...rest } = obj;
    return { kind: this.info.kind, apiVersion: this.apiVersion, ...rest } as KubeObject;
  }

  /** The presented JSON of `obj`; for a shared version made once and kept with it. */
  private json(obj: KubeObject): Buffer {
    const memo = encodingsOf(obj);
    if (memo === undefined) return Buffer.from(JSON.stringify(this.present(obj)));
    return memo.encoded(`${this.view}|application/json`, () => Buffer.from(JSON.stringify(this.present(clone(obj)))));
  }

  /** The JSON of `obj` as a list item (no kind and apiVersion), in pieces that share the kept bytes. */
  private itemJSON(obj: KubeObject): Buffer[] {
    const full = this.json(obj);
    const head = this.typeHead;
    if (full.length > head.length && full.subarray(0, head.length).equals(head)) return [OPEN_BRACE, full.subarray(head.length)];
    const { kind: _k, apiVersion: _a, ...rest } = JSON.parse(full.toString()) as KubeObject;
    return [Buffer.from(JSON.stringify(rest))];
  }

  /** A presented object the caller owns: shared versions are copied through their encoding. */
  private owned(obj: KubeObject): KubeObject {
    return encodingsOf(obj) === undefined ? this.present(obj) : (JSON.parse(this.json(obj).toString()) as KubeObject);
  }

  private forStorage(obj: KubeObject): KubeObject {
    dropEmptyMetadata(obj.metadata);
    const { kind: _k, apiVersion: _a, ...rest } = obj;
    return { kind: this.info.kind, apiVersion: this.apiVersion, ...rest } as KubeObject;
  }

  private fields(obj: KubeObject): Record<string, string> {
    const f: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
    if (this.info.namespaced) f['metadata.namespace'] = obj.metadata.namespace ?? '';
    return { ...f, ...(this.strategy.selectableFields?.(obj) ?? {}) };
  }

  private predicate(params: { labelSelector: ListParams['labelSelector']; fieldSelector: ListParams['fieldSelector'] }): Predicate | undefined {
    validateFieldSelector(params.fieldSelector, this.fieldNames);
    if (params.labelSelector.isEmpty() && params.fieldSelector.isEmpty()) return undefined;
    return (obj) => params.labelSelector.matches(obj.metadata.labels) && params.fieldSelector.matches(this.fields(obj));
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

  async get(ctx: RequestContext, name: string, opts: { resourceVersion?: string }): Promise<KubeObject> {
    return this.owned(await this.read(ctx, name, opts));
  }

  async getJSON(ctx: RequestContext, name: string, opts: { resourceVersion?: string }): Promise<Buffer> {
    return this.json(await this.read(ctx, name, opts));
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

  async list(ctx: RequestContext, params: ListParams): Promise<KubeList> {
    const { metadata, items } = await this.readList(ctx, params);
    return {
      kind: this.info.listKind,
      apiVersion: this.apiVersion,
      metadata,
      items: items.map((o) => {
        if (encodingsOf(o) !== undefined) return JSON.parse(Buffer.concat(this.itemJSON(o)).toString()) as KubeObject;
        this.strategy.decorate?.(o);
        const { kind: _k, apiVersion: _a, ...rest } = o;
        return rest as KubeObject;
      }),
    };
  }

  /** The list as JSON: the envelope around each item's kept encoding. */
  async listJSON(ctx: RequestContext, params: ListParams): Promise<Buffer> {
    const { metadata, items } = await this.readList(ctx, params);
    const head = `{"kind":${JSON.stringify(this.info.listKind)},"apiVersion":${JSON.stringify(this.apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[`;
    const parts: Buffer[] = [Buffer.from(head)];
    items.forEach((o, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(...this.itemJSON(o));
    });
    parts.push(CLOSE_LIST);
    return Buffer.concat(parts);
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
    const kind = this.info.kind;
    const apiVersion = this.apiVersion;
    const gr = this.gr;
    const present = (o: KubeObject): KubeObject => this.present(o);
    const json = (o: KubeObject): Buffer => this.json(o);
    async function* events(): AsyncGenerator<APIWatchEvent> {
      for await (const ev of stream.events as AsyncIterable<StorageWatchEvent>) {
        if (ev.type === 'BOOKMARK') {
          const metadata: ObjectMeta = { resourceVersion: ev.resourceVersion };
          if (ev.initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
          yield { type: 'BOOKMARK', object: { kind, apiVersion, metadata } };
        } else if (ev.type === 'ERROR') {
          const mapped = toStatusError(ev.error, gr, '', 'watch');
          const status: Status = mapped instanceof StatusError ? mapped.status : errors.internal(String(ev.error.message)).status;
          yield { type: 'ERROR', object: status };
          return;
        } else if (encodingsOf(ev.object) !== undefined) {
          // Shared by every watcher: the encoding is made once; an object only for those that need one.
          const bytes = json(ev.object);
          let parsed: KubeObject | undefined;
          yield {
            type: ev.type,
            json: bytes,
            get object(): KubeObject {
              parsed ??= JSON.parse(bytes.toString()) as KubeObject;
              return parsed;
            },
          };
        } else {
          yield { type: ev.type, object: present(ev.object) };
        }
      }
    }
    return { events: events(), stop: () => stream.stop() };
  }

  // ---- create ----

  private ensureNamespace(ctx: RequestContext, obj: KubeObject): void {
    const meta = obj.metadata;
    const expected = this.info.namespaced ? ctx.namespace : '';
    const got = meta.namespace ?? '';
    if (got === expected) return;
    if (got === '') meta.namespace = expected;
    else if (expected === '') delete meta.namespace;
    else throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (!this.info.namespaced) delete meta.namespace;
  }

  /** System metadata of a new object, strategy preparation and validation. */
  private async prepareCreate(ctx: RequestContext, obj: KubeObject): Promise<void> {
    if (!isObject(obj.metadata)) obj.metadata = {};
    this.ensureNamespace(ctx, obj);
    const meta = obj.metadata;
    await runAdmission(this.admission, {
      operation: 'CREATE',
      resource: this.info,
      subresource: this.subresource ?? '',
      name: meta.name ?? meta.generateName ?? '',
      namespace: meta.namespace ?? '',
      object: obj,
      ctx,
    });
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(this.clock());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    meta.generation = 1;
    await this.strategy.prepareForCreate(obj, ctx);
    const errs: FieldErrorList = [];
    if (!meta.name && !meta.generateName) errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
    errs.push(...(await this.strategy.validate(obj, ctx)));
    if (errs.length) throw this.invalid(meta.name ?? '', uniqueFieldErrors(errs));
  }

  async create(ctx: RequestContext, input: KubeObject, _opts: WriteParams): Promise<CreateResult> {
    const obj = clone(input);
    if (!isObject(obj.metadata)) obj.metadata = {};
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = generateName(obj.metadata.generateName ?? '');
    await this.prepareCreate(ctx, obj);
    const ns = obj.metadata.namespace ?? '';
    for (let attempt = 1; ; attempt++) {
      const name = obj.metadata.name ?? '';
      try {
        if (ctx.dryRun) {
          const exists = await this.exists(ns, name);
          if (exists) throw new StorageError('KeyExists', this.key(ns, name), 'exists');
          return { object: this.present(clone(obj)), code: 201 };
        }
        const stored = await this.storage.create(this.key(ns, name), this.forStorage(obj));
        return { object: this.present(stored), code: 201 };
      } catch (err) {
        if (err instanceof StorageError && err.code === 'KeyExists') {
          if (generated) {
            if (attempt < GENERATE_NAME_ATTEMPTS) {
              obj.metadata.name = generateName(obj.metadata.generateName ?? '');
              continue;
            }
            throw errors.generateNameConflict(this.gr, name);
          }
          const prefix = (await this.isTerminating(ns, name)) ? 'object is being deleted: ' : '';
          throw errors.alreadyExists(this.gr, name, prefix);
        }
        rethrow(err, this.gr, name, 'create');
      }
    }
  }

  private async exists(ns: string, name: string): Promise<boolean> {
    try {
      await this.storage.get(this.key(ns, name));
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === 'KeyNotFound') return false;
      throw err;
    }
  }

  private async isTerminating(ns: string, name: string): Promise<boolean> {
    try {
      const cur = await this.storage.get(this.key(ns, name));
      return !!cur.metadata.deletionTimestamp;
    } catch {
      return false;
    }
  }

  // ---- update ----

  async update(ctx: RequestContext, name: string, transform: UpdateTransform, opts: WriteParams & { forceAllowCreate?: boolean }): Promise<UpdateResult> {
    const key = this.key(ctx.namespace, name);
    let created = false;
    const allowCreate = this.strategy.allowCreateOnUpdate || opts.forceAllowCreate === true;

    const createFrom = async (): Promise<KubeObject> => {
      if (!allowCreate) throw errors.notFound(this.gr, name);
      const obj = clone(await transform(undefined));
      if (!isObject(obj.metadata)) obj.metadata = {};
      this.checkName(obj, name);
      await this.prepareCreate(ctx, obj);
      created = true;
      return this.forStorage(obj);
    };

    const tryUpdate = async (current: KubeObject): Promise<KubeObject> => {
      created = false;
      const old = clone(current);
      // Transforms (patches, the field manager) work on the object as clients see it.
      const obj = clone(await transform(this.present(clone(current))));
      if (!isObject(obj.metadata)) obj.metadata = {};
      this.checkName(obj, name);
      this.ensureNamespace(ctx, obj);
      const meta = obj.metadata;
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
      const errs = this.carrySystemMetadata(meta, old.metadata);
      await this.strategy.prepareForUpdate(obj, old, ctx);
      errs.push(...(await this.strategy.validateUpdate(obj, old, ctx)));
      if (errs.length) throw this.invalid(name, uniqueFieldErrors(errs));
      if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
        throw new DeleteInstead(obj, old.metadata.resourceVersion ?? '');
      }
      return this.forStorage(obj);
    };

    for (;;) {
      try {
        if (ctx.dryRun) {
          let current: KubeObject | undefined;
          try {
            current = await this.storage.get(key);
          } catch (err) {
            if (!(err instanceof StorageError && err.code === 'KeyNotFound')) throw err;
          }
          const result = current ? await tryUpdate(current) : await createFrom();
          if (created) delete result.metadata.resourceVersion;
          return { object: this.present(result), created };
        }
        const stored = await this.storage.guaranteedUpdate(key, tryUpdate, allowCreate ? { createIfMissing: createFrom } : {});
        return { object: this.present(stored), created };
      } catch (err) {
        if (err instanceof DeleteInstead) {
          if (ctx.dryRun) {
            const result = err.object;
            result.metadata.resourceVersion = err.storedResourceVersion;
            return { object: this.present(result), created: false };
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
          return { object: this.present(result), created: false };
        }
        rethrow(err, this.gr, name, 'update');
      }
    }
  }

  private checkName(obj: KubeObject, name: string): void {
    const bodyName = obj.metadata.name;
    if (!bodyName) obj.metadata.name = name;
    else if (bodyName !== name) {
      throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
  }

  /** Copies fields clients cannot change and reports attempts to change immutable ones. */
  private carrySystemMetadata(meta: ObjectMeta, old: ObjectMeta): FieldErrorList {
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

  // ---- delete ----

  async delete(ctx: RequestContext, name: string, opts: DeleteParams): Promise<DeleteResult> {
    const key = this.key(ctx.namespace, name);
    let current: KubeObject;
    try {
      current = await this.storage.get(key);
    } catch (err) {
      rethrow(err, this.gr, name, 'delete');
    }
    this.checkDeletePreconditions(current, name, opts);
    const toAdd = this.gcFinalizers(opts);
    const pending = (current.metadata.finalizers ?? []).length > 0 || toAdd.length > 0;
    const code = opts.orphanDependents === false && pending ? 202 : 200;

    if (pending) {
      const mark = (cur: KubeObject): KubeObject => {
        this.checkDeletePreconditions(cur, name, opts);
        const obj = clone(cur);
        const meta = obj.metadata;
        const finalizers = [...(meta.finalizers ?? [])];
        for (const f of toAdd) if (!finalizers.includes(f)) finalizers.push(f);
        // The opposite GC finalizer is dropped when the policy is stated explicitly.
        const drop = toAdd.includes('orphan') ? 'foregroundDeletion' : toAdd.includes('foregroundDeletion') ? 'orphan' : undefined;
        meta.finalizers = drop ? finalizers.filter((f) => f !== drop) : finalizers;
        if (!meta.deletionTimestamp) {
          meta.deletionTimestamp = formatTime(this.clock());
          meta.deletionGracePeriodSeconds = 0;
          meta.generation = (meta.generation ?? 0) + 1;
        }
        return obj;
      };
      if (ctx.dryRun) return { object: this.present(mark(current)), code };
      try {
        const stored = await this.storage.guaranteedUpdate(key, mark);
        return { object: this.present(stored), code };
      } catch (err) {
        rethrow(err, this.gr, name, 'delete');
      }
    }

    const success: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: this.info.group, kind: this.info.resource, uid: current.metadata.uid },
      code: 200,
    };
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

  private gcFinalizers(opts: DeleteParams): string[] {
    if (this.strategy.garbageCollectionUnsupported) return [];
    if (opts.propagationPolicy === 'Orphan' || (opts.propagationPolicy === undefined && opts.orphanDependents === true)) return ['orphan'];
    if (opts.propagationPolicy === 'Foreground') return ['foregroundDeletion'];
    return [];
  }

  private checkDeletePreconditions(current: KubeObject, name: string, opts: DeleteParams): void {
    const pre = opts.preconditions;
    if (!pre) return;
    if (pre.uid !== undefined && pre.uid !== current.metadata.uid) {
      throw errors.conflictOnKind(
        this.info.kind,
        this.info.group,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflictOnKind(
        this.info.kind,
        this.info.group,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`,
      );
    }
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
    return this.strategy.table ? tableFor(this.strategy.table, objects, now) : defaultTable(objects);
  }
}

/** The resources of a resource map that a Store keeps (not views or subresources of one). */
export function storedResources(resources: ReadonlyMap<string, RESTStorage>): Set<string> {
  return new Set([...resources].filter(([path, s]) => s instanceof Store && !path.includes('/')).map(([path]) => path));
}
