// Reading and decoding request bodies: the 3 MiB limit (413), JSON, YAML and protobuf (else 415),
// and the 400s for malformed documents or the wrong kind/apiVersion.

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ProtobufDecodeError, type ProtobufCodec } from '../api/protobuf/codec.js';
import type { KubeObject } from '../api/types.js';
import { isObject } from '../api/types.js';
import { errors } from '../errors/index.js';
import { jsonTextTooDeep, maxDepthMessage, valueTooDeep } from '../util/depth.js';
import { parseContentType, PROTOBUF, SUPPORTED_MEDIA_TYPES } from './negotiation.js';

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '-1');
  if (declared > limit) {
    req.resume();
    throw errors.requestEntityTooLarge(`limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw errors.requestEntityTooLarge(`limit is ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The text formats; a protobuf body is decoded to JSON first (protobufDocument). */
export type BodyFormat = 'json' | 'yaml';

/** The format of a create/update/delete body, or a 415 with the k8s message. */
export function bodyFormat(contentType: string | undefined): BodyFormat | 'protobuf' {
  const { mediaType } = parseContentType(contentType);
  if (mediaType === '' || mediaType === 'application/json') return 'json';
  if (mediaType === 'application/yaml') return 'yaml';
  if (mediaType === PROTOBUF) return 'protobuf';
  throw errors.unsupportedMediaType(SUPPORTED_MEDIA_TYPES);
}

/** How k8s.io/apiserver quotes an undecodable body: JSON text or hex, 30 bytes at most. */
function summarize(raw: Buffer): string {
  if (raw.length === 0) return '<empty>';
  const head = raw.subarray(0, 30);
  const text = raw[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return raw.length > 30 ? `${text} ...` : text;
}

/**
 * A protobuf body as the JSON document Go would decode it to, its kind and apiVersion from the
 * envelope: it then takes the same path as a JSON body. 400s as k8s.io/apiserver words them.
 */
export function protobufDocument(raw: Buffer, codec: ProtobufCodec, expected: { apiVersion: string; kind: string }): Record<string, unknown> {
  const expectedKind = expected.kind;
  try {
    const { apiVersion, kind, object } = codec.decode(raw, expected);
    return { apiVersion, kind, ...object };
  } catch (err) {
    if (!(err instanceof ProtobufDecodeError)) throw err;
    if (err.typeMeta) {
      const version = err.typeMeta.apiVersion.split('/').pop();
      throw errors.badRequest(`${err.typeMeta.kind} in version "${version}" cannot be handled as a ${expectedKind}: ${err.message}`);
    }
    throw errors.badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): ${err.message} (${summarize(raw)})`);
  }
}

/**
 * YAML text to a value. Over-deep documents fail like a syntax error: the parser recurses per
 * level (a stack overflow there is caught), and deeper values than MAX_DEPTH are refused.
 */
export function parseYamlValue(text: string): unknown {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: false });
  } catch (err) {
    if (err instanceof RangeError) throw new Error('exceeded max depth');
    throw err;
  }
  if (valueTooDeep(value)) throw new Error('exceeded max depth');
  return value;
}

/** Parses JSON or YAML into a value; 400 on syntax errors and on nesting deeper than MAX_DEPTH. */
export function parseDocument(raw: Buffer, format: BodyFormat): unknown {
  const text = raw.toString('utf8');
  if (format === 'yaml') {
    try {
      return parseYamlValue(text);
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; yaml parse error: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const deep = jsonTextTooDeep(text);
  if (deep) throw errors.badRequest(`couldn't get version/kind; json parse error: ${maxDepthMessage(deep)}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export interface ExpectedType {
  group: string;
  version: string;
  kind: string;
}

/**
 * Checks that a decoded body is an object of the expected kind and group/version. Missing kind or
 * apiVersion default to the expected ones, as the typed decoders of k8s.io/apiserver do.
 */
export function decodeObject(doc: unknown, expected: ExpectedType): KubeObject {
  if (!isObject(doc)) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: expected an object, got ${Array.isArray(doc) ? 'array' : typeof doc}`);
  }
  const gv = expected.group ? `${expected.group}/${expected.version}` : expected.version;
  const apiVersion = doc.apiVersion;
  const kind = doc.kind;
  if (apiVersion !== undefined && typeof apiVersion !== 'string') throw errors.badRequest('apiVersion must be a string');
  if (kind !== undefined && typeof kind !== 'string') throw errors.badRequest('kind must be a string');
  if (apiVersion && apiVersion !== gv) {
    throw errors.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${gv})`);
  }
  if (kind && kind !== expected.kind) {
    const version = (apiVersion ?? gv).split('/').pop();
    throw errors.badRequest(
      `${kind} in version "${version}" cannot be handled as a ${expected.kind}: the kind in the data (${kind}) does not match the expected kind (${expected.kind})`,
    );
  }
  if (doc.metadata !== undefined && doc.metadata !== null && !isObject(doc.metadata)) {
    throw errors.badRequest(
      `${expected.kind} in version "${expected.version}" cannot be handled as a ${expected.kind}: json: cannot unmarshal ${Array.isArray(doc.metadata) ? 'array' : typeof doc.metadata} into Go struct field ${expected.kind}.metadata of type v1.ObjectMeta`,
    );
  }
  const obj = { ...doc, metadata: isObject(doc.metadata) ? doc.metadata : {} } as KubeObject;
  obj.kind = expected.kind;
  obj.apiVersion = gv;
  return obj;
}
