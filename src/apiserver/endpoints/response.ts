// Writing responses: JSON/YAML/protobuf objects, Status errors (with Retry-After) in the encoding
// the client asked for, and the object transformations clients negotiate (Table,
// PartialObjectMetadata).

import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { ProtobufCodec } from '../api/protobuf/codec.js';
import { protobufCodec } from '../api/protobuf/meta.js';
import type { KubeList, KubeObject, Table, TableRow } from '../api/types.js';
import { StatusError } from '../errors/index.js';
import type { RESTStorage } from '../registry/rest.js';
import { plainEncoding, PROTOBUF, type OutputKind } from './negotiation.js';

let metaCodec: ProtobufCodec | undefined;

/** The codec of the meta kinds (Status, discovery, PartialObjectMetadata): constant, built on first use. */
export function metaProtobuf(): ProtobufCodec {
  metaCodec ??= protobufCodec();
  return metaCodec;
}

export function writeProtobuf(res: ServerResponse, code: number, bytes: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': PROTOBUF, 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
}

/** An object that needs no transformation (Status, discovery): protobuf when the client prefers it. */
export function writeNegotiated(res: ServerResponse, code: number, body: object, headers: Record<string, string> = {}, codec = metaProtobuf()): void {
  if (plainEncoding(res.req?.headers.accept) === 'protobuf' && codec.supports(body as { apiVersion: string; kind: string })) {
    return writeProtobuf(res, code, codec.encode(body), headers);
  }
  writeJSON(res, code, body, headers);
}

export function writeJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes JSON that is already encoded (kept per object version by the watch cache). */
export function writeJSONBytes(res: ServerResponse, code: number, bytes: Buffer): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
}

export function writeBody(res: ServerResponse, code: number, body: object, output: OutputKind, codec?: ProtobufCodec): void {
  if ((output.kind === 'protobuf' || (output.kind === 'partial' && output.protobuf)) && codec) {
    return writeProtobuf(res, code, codec.encode(body));
  }
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
  writeNegotiated(res, err.status.code, err.status, headers);
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
