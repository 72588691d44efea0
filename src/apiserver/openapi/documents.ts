// Renders the operations of the installed groups as OpenAPI v2 (/openapi/v2, merged by the
// aggregator into kube-apiserver's document) and v3 (/openapi/v3/apis/<group>/<version>, which
// kubectl explain, kubectl apply and field validation read), with the schemas they reference.

import { verbsOf } from '../registry/rest.js';
import { groupOperations, operationTag, type GroupAPI, type Operation, type Parameter, type PathItem } from './operations.js';
import { DEFINITION_REF_PREFIX, refName, type Definitions, type GroupVersionKind, type SchemaNode } from './schema.js';

export interface OpenAPIInfo {
  title: string;
  version: string;
}

type Json = Record<string, unknown>;

const V3_REF_PREFIX = '#/components/schemas/';
const BEARER = { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' };
const JSON_YAML = ['application/json', 'application/yaml'];
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** What an operation answers in: protobuf too when the group speaks it; watches add their stream forms. */
function produces(api: GroupAPI, op: Operation): string[] {
  const types = api.protobuf || op.discovery ? [...JSON_YAML, PROTOBUF] : [...JSON_YAML];
  if (op.streams) types.push('application/json;stream=watch', ...(api.protobuf ? [`${PROTOBUF};stream=watch`] : []));
  return types;
}

function gvkOrder(a: GroupVersionKind, b: GroupVersionKind): number {
  return a.group.localeCompare(b.group) || a.version.localeCompare(b.version) || a.kind.localeCompare(b.kind);
}

/**
 * The definitions of the groups, with x-kubernetes-group-version-kind on every served kind (and
 * list), and `status` not required of kinds that can only be created (a client creating an
 * ImageStreamImport has no status to send).
 */
function annotatedDefinitions(apis: readonly GroupAPI[]): Definitions {
  const defs: Definitions = {};
  for (const api of apis) Object.assign(defs, structuredClone(api.typeModel?.definitions ?? {}));
  const gvks = new Map<string, GroupVersionKind[]>();
  const add = (def: string | undefined, gvk: GroupVersionKind): void => {
    if (!def || !defs[def]) return;
    const list = gvks.get(def) ?? [...(defs[def]['x-kubernetes-group-version-kind'] ?? [])];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
    gvks.set(def, list);
  };
  const createOnly = new Map<string, boolean>();
  for (const api of apis) {
    const model = api.typeModel;
    if (!model) continue;
    for (const s of api.resources.values()) {
      const { kind, listKind } = s.info;
      add(model.definitionName(kind), { group: api.group, kind, version: api.version });
      if (s.list) add(model.definitionName(listKind), { group: api.group, kind: listKind, version: api.version });
      const verbs = verbsOf(s);
      createOnly.set(kind, (createOnly.get(kind) ?? true) && verbs.length === 1 && verbs[0] === 'create');
    }
    for (const meta of ['DeleteOptions', 'WatchEvent']) add(`io.k8s.apimachinery.pkg.apis.meta.v1.${meta}`, { group: api.group, kind: meta, version: api.version });
    for (const [kind, only] of createOnly) {
      const def = model.definitionName(kind);
      const node = def ? defs[def] : undefined;
      if (only && node?.required?.includes('status')) {
        node.required = node.required.filter((r) => r !== 'status');
        if (node.required.length === 0) delete node.required;
      }
    }
  }
  for (const [def, list] of gvks) {
    defs[def]['x-kubernetes-group-version-kind'] = list.sort(gvkOrder).map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  }
  return defs;
}

/** The definitions reachable from `roots`. */
function reachable(defs: Definitions, roots: Iterable<string>): Definitions {
  const out: Definitions = {};
  const queue = [...roots];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') queue.push(refName(v));
        else visit(v);
      }
    }
  };
  while (queue.length) {
    const name = queue.pop() as string;
    if (out[name] || !defs[name]) continue;
    out[name] = defs[name];
    visit(defs[name]);
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

function referenced(items: readonly PathItem[]): Set<string> {
  const names = new Set<string>();
  for (const item of items) {
    for (const op of item.operations) {
      if (op.body) names.add(op.body.schema);
      for (const r of op.responses) names.add(r.schema);
    }
  }
  return names;
}

// ---- v2 ----

/** kube-apiserver serves v2 definitions without defaults; equal definitions merge without renames. */
function withoutDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDefaults);
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'default') out[k] = withoutDefaults(v);
    return out;
  }
  return node;
}

function v2Parameter(p: Parameter): Json {
  const out: Json = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function v2Operation(op: Operation, tag: string, types: string[]): Json {
  const out: Json = {
    description: op.description,
    consumes: op.body ? op.body.contentTypes : op.discovery ? types : ['*/*'],
    produces: types,
    schemes: ['https'],
    tags: [tag],
    operationId: op.operationId,
  };
  const params: Json[] = [];
  if (op.body) {
    const body: Json = { name: 'body', in: 'body' };
    if (op.body.required) body.required = true;
    body.schema = { $ref: DEFINITION_REF_PREFIX + op.body.schema };
    params.push(body);
  }
  params.push(...op.parameters.map(v2Parameter));
  if (params.length) out.parameters = params;
  const responses: Json = {};
  for (const r of op.responses) responses[r.code] = { description: r.description, schema: { $ref: DEFINITION_REF_PREFIX + r.schema } };
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  if (op.action) out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

export function buildOpenAPIV2(apis: readonly GroupAPI[], info: OpenAPIInfo): Json {
  const defs = annotatedDefinitions(apis);
  const paths: Json = {};
  const items: PathItem[] = [];
  for (const api of apis) {
    const tag = operationTag(api.group, api.version);
    for (const item of groupOperations(api)) {
      items.push(item);
      const entry: Json = {};
      for (const op of item.operations) entry[op.method] = v2Operation(op, tag, produces(api, op));
      if (item.parameters.length) entry.parameters = item.parameters.map(v2Parameter);
      paths[item.path] = entry;
    }
  }
  return {
    swagger: '2.0',
    info: { title: info.title, version: info.version },
    paths,
    definitions: withoutDefaults(reachable(defs, referenced(items))),
    securityDefinitions: { BearerToken: BEARER },
  };
}

// ---- v3 ----

/** v2 schema -> v3: refs into components, and a ref with siblings wrapped in allOf. */
function v3Schema(node: SchemaNode): Json {
  const out: Json = {};
  let ref: string | undefined;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') ref = V3_REF_PREFIX + refName(v);
    else if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, SchemaNode>).map(([pk, pv]) => [pk, v3Schema(pv)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') out[k] = v3Schema(v as SchemaNode);
    else if (k === 'allOf' && Array.isArray(v)) out.allOf = (v as SchemaNode[]).map(v3Schema);
    else out[k] = v;
  }
  if (ref === undefined) return out;
  if (Object.keys(out).length === 0) return { $ref: ref };
  return { ...out, allOf: [{ $ref: ref }] };
}

function v3Parameter(p: Parameter): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function v3Operation(op: Operation, tag: string, produced: string[]): Json {
  const out: Json = { tags: [tag], description: op.description, operationId: op.operationId };
  if (op.parameters.length) out.parameters = op.parameters.map(v3Parameter);
  if (op.body) {
    const schema = { $ref: V3_REF_PREFIX + op.body.schema };
    const body: Json = { content: Object.fromEntries(op.body.contentTypes.map((ct) => [ct, { schema }])) };
    if (op.body.required) body.required = true;
    out.requestBody = body;
  }
  const responses: Json = {};
  for (const r of op.responses) {
    const schema = { $ref: V3_REF_PREFIX + r.schema };
    const types = produced.slice().sort();
    responses[r.code] = { description: r.description, content: Object.fromEntries(types.map((ct) => [ct, { schema }])) };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  if (op.action) out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, version: op.gvk.version, kind: op.gvk.kind };
  return out;
}

/** The v3 document of one group version (what /openapi/v3/apis/<group>/<version> serves). */
export function buildOpenAPIV3(api: GroupAPI, info: OpenAPIInfo): Json {
  const defs = annotatedDefinitions([api]);
  const tag = operationTag(api.group, api.version);
  const items = groupOperations(api);
  const paths: Json = {};
  for (const item of items) {
    const entry: Json = {};
    for (const op of item.operations) entry[op.method] = v3Operation(op, tag, produces(api, op));
    if (item.parameters.length) entry.parameters = item.parameters.map(v3Parameter);
    paths[item.path] = entry;
  }
  const schemas = reachable(defs, referenced(items));
  return {
    openapi: '3.0.0',
    info: { title: info.title, version: info.version },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, v3Schema(v)])),
      securitySchemes: { BearerToken: BEARER },
    },
  };
}
