// HTTP <-> REST for resource requests: finds the installed storage, checks the verb against its
// capabilities, decodes the body and options, calls the storage and writes the negotiated result.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtobufCodec } from '../api/protobuf/codec.js';
import { protobufCodec, type GroupProtobuf } from '../api/protobuf/meta.js';
import type { KubeList, KubeObject } from '../api/types.js';
import { errors, failure, fieldErrors, invalidOptions, type StatusError } from '../errors/index.js';
import { ShapeValidators, type KindShape } from '../openapi/shape-validators.js';
import type { TypeModel, TypeNode } from '../openapi/type-model.js';
import type { RESTStorage } from '../registry/rest.js';
import type { RequestContext, UserInfo } from '../registry/strategy.js';
import { bodyFormat, parseDocument, protobufDocument, readBody, type BodyFormat } from './body.js';
import { decodeBody } from './decode.js';
import { FieldManager } from './fieldmanager/field-manager.js';
import { addWarnings } from './field-validation.js';
import { negotiateOutput, parseContentType, type OutputKind } from './negotiation.js';
import { parseBool, parseDeleteOptions, parseListOptions, parseWriteOptions } from './options.js';
import { patchTransform } from './patch-request.js';
import { APPLY_PATCH_YAML, KNOWN_PATCH_TYPES, supportedPatchTypes } from './patch-types.js';
import type { RequestInfo } from './request-info.js';
import { toPartial, toPartialList, toTable, writeBody, writeJSON, writeJSONBytes, writeNegotiated, type IncludeObject } from './response.js';
import { serveWatch } from './watch.js';

export interface GroupVersionResources {
  group: string;
  version: string;
  /** "imagestreams", "imagestreams/status", ... */
  resources: ReadonlyMap<string, RESTStorage>;
  /** The group's schemas, when it ships them (body validation and strategic merge patch need them). */
  typeModel?: TypeModel;
  /** The group's protobuf messages, when it speaks protobuf. */
  protobuf?: GroupProtobuf;
}

export interface ResourceHandlerOptions {
  groups: GroupVersionResources[];
  clock?: () => Date;
  /** Bounds of the random server-side watch timeout, seconds. */
  minWatchTimeoutSeconds?: number;
  onWatchEvent?: (resource: string, type: string, bytes: number) => void;
}

/** How a Go server names the type in 406s: "*image.ImageStream", "*image.ImageStreamList". */
function typeName(storage: RESTStorage, list: boolean): string {
  return `*${storage.info.group.split('.')[0] || 'core'}.${list ? storage.info.listKind : storage.info.kind}`;
}

/** The field manager named by a User-Agent: the part before the first "/", printable, ≤128. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!/^[\x20-\x7e\u00a0-\uffff]$/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}

function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}

/**
 * A verb the storage does not have: 405 where its path serves other methods, 404 where it serves
 * none (no route at all), as go-restful answers (a list of imagestreamimages is a 404).
 */
function unsupported(storage: RESTStorage, collection: boolean): StatusError {
  const routed = collection ? storage.list || storage.create || storage.deleteCollection : storage.get || storage.update || storage.delete;
  return routed ? errors.methodNotAllowed() : errors.notFoundPath();
}

export class ResourceHandler {
  private readonly groups = new Map<string, GroupVersionResources>();
  private readonly models = new Map<RESTStorage, TypeModel | undefined>();
  private readonly codecs = new Map<RESTStorage, ProtobufCodec>();
  private readonly shapes = new Map<RESTStorage, KindShape | undefined>();
  private readonly clock: () => Date;
  private readonly minWatchTimeout: number;

  constructor(private readonly opts: ResourceHandlerOptions) {
    for (const g of opts.groups) {
      this.groups.set(`${g.group}/${g.version}`, g);
      const codec = g.protobuf ? protobufCodec(g.typeModel, g.protobuf) : undefined;
      for (const s of g.resources.values()) {
        this.models.set(s, g.typeModel);
        if (codec) this.codecs.set(s, codec);
      }
      // Compiled at startup for the kinds that are written (create, update, patch).
      const writable = [...g.resources.values()].filter((s) => s.create || s.update);
      const validators = g.typeModel && new ShapeValidators(g.typeModel, writable.map((s) => s.info.kind));
      for (const s of writable) this.shapes.set(s, validators?.forKind(s.info.kind));
    }
    this.clock = opts.clock ?? (() => new Date());
    this.minWatchTimeout = opts.minWatchTimeoutSeconds ?? 1800;
  }

  /** Whether the request's group version is installed here. */
  serves(info: RequestInfo): boolean {
    return this.groups.has(`${info.apiGroup}/${info.apiVersion}`);
  }

  /** The storage for a request, or a 404 Status. */
  lookup(info: RequestInfo): RESTStorage {
    const gv = this.groups.get(`${info.apiGroup}/${info.apiVersion}`);
    const key = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
    const storage = gv?.resources.get(key);
    if (!storage || info.parts.length > 3) throw errors.notFoundPath();
    // Scope must match: namespaced resources by name need a namespace; cluster ones must not have one.
    if (storage.info.namespaced ? info.name !== '' && info.namespace === '' : info.namespace !== '') throw errors.notFoundPath();
    return storage;
  }

  async handle(req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    const storage = this.lookup(info);
    const ctx: RequestContext = { user, namespace: info.namespace, dryRun: false };
    const gr = { group: storage.info.group, resource: storage.info.resource };
    switch (info.verb) {
      case 'get': {
        if (!storage.get) throw unsupported(storage, false);
        const output = negotiateOutput(req.headers.accept, { isList: false, allowTable: true, typeName: typeName(storage, false), protobuf: this.speaksProtobuf(storage, false) });
        const resourceVersion = query.get('resourceVersion') ?? undefined;
        if (output.kind === 'json' && storage.getJSON) return writeJSONBytes(res, 200, await storage.getJSON(ctx, info.name, { resourceVersion }));
        const obj = await storage.get(ctx, info.name, { resourceVersion, query });
        return this.writeObject(res, storage, 200, obj, output, query);
      }
      case 'list': {
        if (!storage.list) throw unsupported(storage, true);
        const output = negotiateOutput(req.headers.accept, { isList: true, allowTable: true, typeName: typeName(storage, true), protobuf: this.speaksProtobuf(storage, true) });
        const params = parseListOptions(query, false);
        if (output.kind === 'json' && storage.listJSON) return writeJSONBytes(res, 200, await storage.listJSON(ctx, params));
        const list = await storage.list(ctx, params);
        return this.writeList(res, storage, list, output, query);
      }
      case 'watch': {
        if (!storage.watch) {
          if (storage.list) throw errors.verbNotSupported('watch', gr);
          throw unsupported(storage, info.name === '');
        }
        const output = negotiateOutput(req.headers.accept, { isList: false, allowTable: true, protobuf: this.speaksProtobuf(storage, false) });
        const params = parseListOptions(query, true);
        if (info.name && query.get('fieldSelector')) {
          const want = params.fieldSelector.requiresExactMatch('metadata.name');
          if (want !== undefined && want !== info.name) throw errors.badRequest("fieldSelector metadata.name doesn't match requested name");
        }
        const watch = await storage.watch(ctx, {
          labelSelector: params.labelSelector,
          fieldSelector: params.fieldSelector,
          resourceVersion: params.resourceVersion,
          allowWatchBookmarks: params.allowWatchBookmarks,
          sendInitialEvents: params.sendInitialEvents === true,
        });
        const timeoutSeconds =
          params.timeoutSeconds !== undefined && params.timeoutSeconds > 0
            ? params.timeoutSeconds
            : this.minWatchTimeout + Math.floor(Math.random() * this.minWatchTimeout);
        await serveWatch(req, res, storage, watch, {
          timeoutSeconds,
          output,
          includeObject: includeObjectParam(query),
          allowBookmarks: params.allowWatchBookmarks,
          now: this.clock,
          onEvent: (type, bytes) => this.opts.onWatchEvent?.(storage.info.resource, type, bytes),
          codec: this.codecs.get(storage),
        });
        return;
      }
      case 'create': {
        if (!storage.create || info.name !== '') throw unsupported(storage, info.name === '');
        const output = negotiateOutput(req.headers.accept, { isList: false, allowTable: false, protobuf: this.speaksProtobuf(storage, false) });
        const format = bodyFormat(req.headers['content-type']);
        const wo = parseWriteOptions(query, 'CreateOptions');
        const body = this.textBody(await readBody(req), format, storage);
        const decoded = decodeBody(body.raw, body.format, storage.info, this.shapes.get(storage), wo.fieldValidation);
        addWarnings(res, decoded.warnings);
        const obj = this.fieldManager(storage, info).update(undefined, decoded.object, this.managerName(wo.fieldManager, req));
        const result = await storage.create({ ...ctx, dryRun: wo.dryRun }, obj, { fieldManager: wo.fieldManager });
        if ((result.object as { kind?: string }).kind === 'Status') return writeNegotiated(res, result.code, result.object, {}, this.codecs.get(storage));
        return this.writeObject(res, storage, result.code, result.object as KubeObject, output, query);
      }
      case 'update': {
        if (!storage.update || info.name === '') throw unsupported(storage, info.name === '');
        const output = negotiateOutput(req.headers.accept, { isList: false, allowTable: false, protobuf: this.speaksProtobuf(storage, false) });
        const format = bodyFormat(req.headers['content-type']);
        const wo = parseWriteOptions(query, 'UpdateOptions');
        const body = this.textBody(await readBody(req), format, storage);
        const decoded = decodeBody(body.raw, body.format, storage.info, this.shapes.get(storage), wo.fieldValidation);
        addWarnings(res, decoded.warnings);
        const fm = this.fieldManager(storage, info);
        const manager = this.managerName(wo.fieldManager, req);
        const result = await storage.update(
          { ...ctx, dryRun: wo.dryRun },
          info.name,
          (current) => fm.update(current, structuredClone(decoded.object), manager),
          { fieldManager: wo.fieldManager },
        );
        return this.writeObject(res, storage, result.created ? 201 : 200, result.object, output, query);
      }
      case 'patch': {
        if (!storage.update || !storage.get || info.name === '') throw unsupported(storage, info.name === '');
        const output = negotiateOutput(req.headers.accept, { isList: false, allowTable: false, protobuf: this.speaksProtobuf(storage, false) });
        const { mediaType } = parseContentType(req.headers['content-type']);
        if (!KNOWN_PATCH_TYPES.includes(mediaType)) throw failure(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
        const type = this.typeOf(storage);
        const accepted = supportedPatchTypes(type !== undefined);
        if (!accepted.includes(mediaType)) {
          throw failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
        }
        const wo = parseWriteOptions(query, 'PatchOptions');
        const isApply = mediaType === APPLY_PATCH_YAML;
        if (!isApply && query.get('force') !== null) {
          throw invalidOptions('PatchOptions', [fieldErrors.forbidden('force', 'may not be specified for non-apply patch')]);
        }
        if (isApply && !wo.fieldManager) {
          throw invalidOptions('PatchOptions', [fieldErrors.required('fieldManager', 'is required for apply patch')]);
        }
        const transform = patchTransform(
          {
            mediaType,
            body: await readBody(req),
            name: info.name,
            expected: storage.info,
            type,
            shape: this.shapes.get(storage),
            fieldValidation: wo.fieldValidation,
            fieldManager: this.fieldManager(storage, info),
            manager: this.managerName(wo.fieldManager, req),
            force: isApply && parseBool(query.get('force')) === true,
            notFound: () => errors.notFound({ group: storage.info.group, resource: storage.info.resource }, info.name),
            warn: (w) => addWarnings(res, w),
          },
          info.namespace,
        );
        const result = await storage.update({ ...ctx, dryRun: wo.dryRun }, info.name, transform, { fieldManager: wo.fieldManager, forceAllowCreate: isApply });
        return this.writeObject(res, storage, result.created ? 201 : 200, result.object, output, query);
      }
      case 'delete': {
        if (!storage.delete || info.name === '') throw unsupported(storage, info.name === '');
        const output = negotiateOutput(req.headers.accept, { isList: false, allowTable: false, protobuf: this.speaksProtobuf(storage, false) });
        const raw = await readBody(req);
        const body = raw.length ? this.document(raw, bodyFormat(req.headers['content-type']), storage, 'DeleteOptions') : undefined;
        const opts = parseDeleteOptions(body, query, `${storage.info.group}/${storage.info.version}`);
        const result = await storage.delete({ ...ctx, dryRun: opts.dryRun }, info.name, opts);
        if ((result.object as { kind?: string }).kind === 'Status') return writeNegotiated(res, result.code, result.object, {}, this.codecs.get(storage));
        return this.writeObject(res, storage, result.code, result.object as KubeObject, output, query);
      }
      case 'deletecollection': {
        if (!storage.deleteCollection) throw unsupported(storage, true);
        const output = negotiateOutput(req.headers.accept, { isList: true, allowTable: false, protobuf: this.speaksProtobuf(storage, true) });
        const raw = await readBody(req);
        const body = raw.length ? this.document(raw, bodyFormat(req.headers['content-type']), storage, 'DeleteOptions') : undefined;
        const opts = parseDeleteOptions(body, query, `${storage.info.group}/${storage.info.version}`);
        const params = parseListOptions(query, false);
        const list = await storage.deleteCollection({ ...ctx, dryRun: opts.dryRun }, opts, params);
        return this.writeList(res, storage, list, output, query);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  /** Whether the kind (or its list) has a protobuf message. */
  private speaksProtobuf(storage: RESTStorage, list: boolean): boolean {
    const codec = this.codecs.get(storage);
    const apiVersion = storage.info.group ? `${storage.info.group}/${storage.info.version}` : storage.info.version;
    return codec !== undefined && codec.supports({ apiVersion, kind: list ? storage.info.listKind : storage.info.kind });
  }

  /** A write body in a text format: protobuf is decoded to the JSON Go would read it as. */
  private textBody(raw: Buffer, format: BodyFormat | 'protobuf', storage: RESTStorage): { raw: Buffer; format: BodyFormat } {
    if (format !== 'protobuf') return { raw, format };
    return { raw: Buffer.from(JSON.stringify(this.document(raw, format, storage, storage.info.kind))), format: 'json' };
  }

  private document(raw: Buffer, format: BodyFormat | 'protobuf', storage: RESTStorage, expectedKind: string): unknown {
    if (format !== 'protobuf') return parseDocument(raw, format);
    const codec = this.codecs.get(storage);
    if (!codec) throw errors.unsupportedMediaType('application/json, application/yaml');
    const apiVersion = storage.info.group ? `${storage.info.group}/${storage.info.version}` : storage.info.version;
    return protobufDocument(raw, codec, { apiVersion, kind: expectedKind });
  }

  /** The schema of a storage's kind, when its group ships one. */
  private typeOf(storage: RESTStorage): TypeNode | undefined {
    return this.models.get(storage)?.forKind(storage.info.kind);
  }

  private fieldManager(storage: RESTStorage, info: RequestInfo): FieldManager {
    const gv = storage.info.group ? `${storage.info.group}/${storage.info.version}` : storage.info.version;
    return new FieldManager({
      type: this.typeOf(storage),
      apiVersion: gv,
      subresource: info.subresource || undefined,
      describe: (o) => `${o.metadata?.namespace ?? info.namespace}/${o.metadata?.name ?? info.name}; ${gv}, Kind=${storage.info.kind}`,
      clock: this.clock,
      canonicalize: storage.canonicalize?.bind(storage),
    });
  }

  private managerName(fieldManager: string | undefined, req: IncomingMessage): string {
    return fieldManager ?? managerFromUserAgent(req.headers['user-agent']);
  }

  private writeObject(res: ServerResponse, storage: RESTStorage, code: number, obj: KubeObject, output: OutputKind, q: URLSearchParams): void {
    if (output.kind === 'table') {
      return writeJSON(res, code, toTable(storage, [obj], { resourceVersion: obj.metadata.resourceVersion }, output.version, includeObjectParam(q), this.clock()));
    }
    if (output.kind === 'partial') return writeBody(res, code, toPartial(obj, output.version), output, this.codecs.get(storage));
    writeBody(res, code, obj, output, this.codecs.get(storage));
  }

  private writeList(res: ServerResponse, storage: RESTStorage, list: KubeList, output: OutputKind, q: URLSearchParams): void {
    if (output.kind === 'table') {
      return writeJSON(res, 200, toTable(storage, list.items, list.metadata, output.version, includeObjectParam(q), this.clock()));
    }
    if (output.kind === 'partial') return writeBody(res, 200, toPartialList(list, output.version), output, this.codecs.get(storage));
    writeBody(res, 200, list, output, this.codecs.get(storage));
  }
}
