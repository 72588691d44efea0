// Writing responses: JSON/YAML objects, Status errors (with Retry-After), and the object
// transformations clients negotiate (Table, PartialObjectMetadata).

import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { KubeList, KubeObject, Table, TableRow } from '../api/types.js';
import { StatusError } from '../errors/index.js';
import type { RESTStorage } from '../registry/rest.js';
import type { OutputKind } from './negotiation.js';

export function writeJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function writeBody(res: ServerResponse, code: number, body: unknown, output: OutputKind): void {
  if (output.kind === 'yaml') {
    const text = toYaml(body);
    res.writeHead(code, { 'Content-Type': 'application/yaml', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  writeJSON(res, code, body);
}

export function writeStatusError(res: ServerResponse, err: StatusError): void {
  const headers: Record<string, string> = {};
  const retry = err.status.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) headers['Retry-After'] = String(retry);
  writeJSON(res, err.status.code, err.status, headers);
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function partial(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function toPartial(obj: KubeObject, version: string): KubeObject {
  return partial(obj, version);
}

export function toPartialList(list: KubeList, version: string): KubeList {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: list.metadata,
    items: list.items.map((o) => partial(o, version)),
  };
}

export function toTable(
  storage: RESTStorage,
  objects: KubeObject[],
  meta: Table['metadata'],
  version: string,
  include: IncludeObject,
  now: Date,
  withColumns = true,
): Table {
  const body = storage.convertToTable
    ? storage.convertToTable(objects, now)
    : { columnDefinitions: [], rows: objects.map((o) => ({ cells: [o.metadata.name], object: o })) };
  const rows: TableRow[] = body.rows.map((r, i) => {
    const obj = objects[i];
    let object: unknown;
    if (include === 'None') object = null;
    else if (include === 'Object') object = { kind: storage.info.kind, apiVersion: apiVersionOf(storage), ...obj };
    else object = partial(obj, 'v1');
    return { cells: r.cells, object };
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: meta,
    columnDefinitions: withColumns ? body.columnDefinitions : [],
    rows,
  };
}

function apiVersionOf(s: RESTStorage): string {
  return s.info.group ? `${s.info.group}/${s.info.version}` : s.info.version;
}
