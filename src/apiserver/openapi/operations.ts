// The operations of a group version, derived from what each installed storage can do (so a
// resource added later is documented without touching this file), named and described the way
// k8s.io/apiserver's installer names them. Rendering to v2 or v3 is documents.ts's job.

import { supportedPatchTypes } from '../endpoints/patch-types.js';
import type { RESTStorage } from '../registry/rest.js';
import { ACTION_PARAMETERS, NAMESPACE_DESCRIPTION, PRETTY, type ParameterSpec } from './parameters.js';
import type { GroupVersionKind } from './schema.js';
import type { GroupProtobuf } from '../api/protobuf/meta.js';
import type { TypeModel } from './type-model.js';

export type Action = 'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface Parameter extends Omit<ParameterSpec, 'type'> {
  type: ParameterSpec['type'];
  in: 'query' | 'path';
  required?: boolean;
}

export interface Response {
  code: string;
  description: string;
  /** Definition name of the body. */
  schema: string;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action?: Action;
  gvk?: GroupVersionKind;
  parameters: Parameter[];
  /** Definition name and content types of the request body. */
  body?: { schema: string; required: boolean; contentTypes: string[] };
  responses: Response[];
  /** List and watch responses can be streamed. */
  streams: boolean;
  /** A discovery document: served (and documented) in every encoding, whatever the group speaks. */
  discovery?: boolean;
}

export interface PathItem {
  path: string;
  operations: Operation[];
  /** Parameters common to every operation of the path (as kube-openapi hoists them). */
  parameters: Parameter[];
}

export interface GroupAPI {
  group: string;
  version: string;
  resources: ReadonlyMap<string, RESTStorage>;
  typeModel?: TypeModel;
  /** Set when the group speaks protobuf (advertised in produces). */
  protobuf?: GroupProtobuf;
}

export const DEFS = {
  status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  deleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  patch: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  watchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  resourceList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
};

/** "image.openshift.io" -> "ImageOpenshiftIo". */
export function groupCamel(group: string): string {
  return group
    .split(/[.-]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

export function operationTag(group: string, version: string): string {
  const g = groupCamel(group);
  return `${g[0].toLowerCase()}${g.slice(1)}_${version}`;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

const query = (specs: ParameterSpec[]): Parameter[] => specs.map((s) => ({ ...s, in: 'query' as const }));

function pathParam(name: string, description: string): Parameter {
  return { name, type: 'string', description, in: 'path', required: true };
}

/** Parameters present, identical, on every operation move to the path. */
function hoist(path: string, operations: Operation[], pathParams: Parameter[]): PathItem {
  const common = operations.length
    ? operations[0].parameters.filter((p) => operations.every((o) => o.parameters.some((q) => q.name === p.name && q.description === p.description)))
    : [];
  const names = new Set(common.map((p) => p.name));
  for (const o of operations) o.parameters = o.parameters.filter((p) => !names.has(p.name));
  const parameters = [...pathParams, ...common, PRETTY_PARAM].sort((a, b) => a.name.localeCompare(b.name));
  return { path, operations, parameters };
}

const PRETTY_PARAM: Parameter = { ...PRETTY, in: 'query' };

interface ResourceView {
  name: string;
  storage: RESTStorage;
  /** The kind named in operation ids and descriptions (the parent's for subresources). */
  parentKind: string;
  subresource?: string;
  /** Definitions of the kind and its list, when the schemas have them. */
  kindDef?: string;
  listDef?: string;
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Every path of a group version with its operations. */
export function groupOperations(api: GroupAPI): PathItem[] {
  const model = api.typeModel;
  const prefix = `/apis/${api.group}/${api.version}`;
  const G = `${groupCamel(api.group)}${capitalize(api.version)}`;
  const items: PathItem[] = [];

  items.push({
    path: `${prefix}/`,
    operations: [{ method: 'get', operationId: `get${G}APIResources`, description: 'get available resources', parameters: [], responses: [{ code: '200', description: 'OK', schema: DEFS.resourceList }], streams: false, discovery: true }],
    parameters: [],
  });

  for (const name of [...api.resources.keys()].sort()) {
    const storage = api.resources.get(name) as RESTStorage;
    const [resource, sub] = name.split('/');
    const parent = api.resources.get(resource);
    const view: ResourceView = { name, storage, parentKind: parent?.info.kind ?? storage.info.kind };
    if (sub) view.subresource = sub;
    const kindDef = model?.definitionName(storage.info.kind);
    if (kindDef) view.kindDef = kindDef;
    const listDef = model?.definitionName(storage.info.listKind);
    if (listDef) view.listDef = listDef;
    if (!view.kindDef) continue; // nothing to say about a kind without a schema
    items.push(...resourcePaths(api, view, prefix, G, model));
  }
  return items.sort((a, b) => a.path.localeCompare(b.path));
}

function resourcePaths(api: GroupAPI, v: ResourceView, prefix: string, G: string, model: TypeModel | undefined): PathItem[] {
  const s = v.storage;
  const ns = s.info.namespaced;
  const kind = s.info.kind;
  const gvk: GroupVersionKind = { group: api.group, version: api.version, kind };
  const K = v.subresource ? `${v.parentKind}${capitalize(v.subresource)}` : kind;
  const N = ns ? 'Namespaced' : '';
  const resource = v.subresource ? v.name.split('/')[0] : v.name;
  const nsPath = ns ? '/namespaces/{namespace}' : '';
  const nsParams = ns ? [pathParam('namespace', NAMESPACE_DESCRIPTION)] : [];
  const nameParam = pathParam('name', `name of the ${kind}`);
  const kindDef = v.kindDef as string;
  const ok = (schema: string, ...codes: [string, string][]): Response[] => [['200', 'OK'] as [string, string], ...codes].map(([code, description]) => ({ code, description, schema }));
  const out: PathItem[] = [];
  const patchTypes = supportedPatchTypes(model?.forKind(kind) !== undefined);
  const of = v.subresource ? `${v.subresource} of the specified ${v.parentKind}` : `the specified ${kind}`;
  // GET and PUT of one object read the same for an object and for its subresources.
  const read = (parameters: Parameter[]): Operation => ({ method: 'get', action: 'get', gvk, operationId: `read${G}${N}${K}`, description: `read ${of}`, parameters, responses: ok(kindDef), streams: false });
  const replace = (): Operation => ({
    method: 'put',
    action: 'put',
    gvk,
    operationId: `replace${G}${N}${K}`,
    description: `replace ${of}`,
    parameters: query(ACTION_PARAMETERS.put),
    body: { schema: kindDef, required: true, contentTypes: ['*/*'] },
    responses: ok(kindDef, ['201', 'Created']),
    streams: false,
  });

  if (v.subresource) {
    const ops: Operation[] = [];
    if (s.get) ops.push(read(s.getOptions === 'list' ? query(ACTION_PARAMETERS.list) : []));
    if (s.update) ops.push(replace());
    if (s.get && s.update) ops.push(patchOperation(gvk, `patch${G}${N}${K}`, `partially update ${of}`, kindDef, patchTypes));
    if (ops.length) out.push(hoist(`${prefix}${nsPath}/${resource}/{name}/${v.subresource}`, ops, [nameParam, ...nsParams]));
    return out;
  }

  const collection: Operation[] = [];
  if (s.list) {
    collection.push({
      method: 'get',
      action: 'list',
      gvk,
      operationId: `list${G}${N}${K}`,
      description: s.watch ? `list or watch objects of kind ${kind}` : `list objects of kind ${kind}`,
      parameters: query(ACTION_PARAMETERS.list),
      responses: v.listDef ? ok(v.listDef) : [],
      streams: true,
    });
  }
  if (s.create) {
    collection.push({
      method: 'post',
      action: 'post',
      gvk,
      operationId: `create${G}${N}${K}`,
      description: `create ${article(kind)} ${kind}`,
      parameters: query(ACTION_PARAMETERS.post),
      body: { schema: kindDef, required: true, contentTypes: ['*/*'] },
      responses: ok(kindDef, ['201', 'Created'], ['202', 'Accepted']),
      streams: false,
    });
  }
  if (s.deleteCollection) {
    collection.push({
      method: 'delete',
      action: 'deletecollection',
      gvk,
      operationId: `delete${G}Collection${N}${K}`,
      description: `delete collection of ${kind}`,
      parameters: query(ACTION_PARAMETERS.deletecollection),
      body: { schema: DEFS.deleteOptions, required: false, contentTypes: ['*/*'] },
      responses: ok(DEFS.status),
      streams: false,
    });
  }
  if (collection.length) out.push(hoist(`${prefix}${nsPath}/${resource}`, collection, nsParams));

  const item: Operation[] = [];
  if (s.get) item.push(read([]));
  if (s.update) item.push(replace());
  if (s.delete) {
    item.push({
      method: 'delete',
      action: 'delete',
      gvk,
      operationId: `delete${G}${N}${K}`,
      description: `delete ${article(kind)} ${kind}`,
      parameters: query(ACTION_PARAMETERS.delete),
      body: { schema: DEFS.deleteOptions, required: false, contentTypes: ['*/*'] },
      responses: ok(DEFS.status, ['202', 'Accepted']),
      streams: false,
    });
  }
  if (s.get && s.update) item.push(patchOperation(gvk, `patch${G}${N}${K}`, `partially update ${of}`, kindDef, patchTypes));
  if (item.length) out.push(hoist(`${prefix}${nsPath}/${resource}/{name}`, item, [nameParam, ...nsParams]));

  if (ns && s.list && v.listDef) {
    out.push(
      hoist(
        `${prefix}/${resource}`,
        [{ method: 'get', action: 'list', gvk, operationId: `list${G}${K}ForAllNamespaces`, description: collection[0]?.description ?? `list objects of kind ${kind}`, parameters: query(ACTION_PARAMETERS.list), responses: ok(v.listDef), streams: true }],
        [],
      ),
    );
  }
  if (s.watch) {
    const watchOp = (operationId: string, action: Action, description: string): Operation => ({
      method: 'get',
      action,
      gvk,
      operationId,
      description,
      parameters: query(ACTION_PARAMETERS.list),
      responses: ok(DEFS.watchEvent),
      streams: true,
    });
    const listDesc = `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`;
    const oneDesc = `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`;
    out.push(hoist(`${prefix}/watch${nsPath}/${resource}`, [watchOp(`watch${G}${N}${K}List`, 'watchlist', listDesc)], nsParams));
    if (s.get) out.push(hoist(`${prefix}/watch${nsPath}/${resource}/{name}`, [watchOp(`watch${G}${N}${K}`, 'watch', oneDesc)], [nameParam, ...nsParams]));
    if (ns) out.push(hoist(`${prefix}/watch/${resource}`, [watchOp(`watch${G}${K}ListForAllNamespaces`, 'watchlist', listDesc)], []));
  }
  return out;
}

function patchOperation(gvk: GroupVersionKind, operationId: string, description: string, kindDef: string, contentTypes: string[]): Operation {
  return {
    method: 'patch',
    action: 'patch',
    gvk,
    operationId,
    description,
    parameters: query(ACTION_PARAMETERS.patch),
    body: { schema: DEFS.patch, required: true, contentTypes },
    responses: [
      { code: '200', description: 'OK', schema: kindDef },
      { code: '201', description: 'Created', schema: kindDef },
    ],
    streams: false,
  };
}
