// Serving the OpenAPI documents: /openapi/v2 (JSON for the aggregator, which merges it; gnostic
// protobuf for kubectl), the /openapi/v3 root listing only our own group versions with ?hash=,
// and /openapi/v3/apis/<group>/<version> with its ETag. A stale ?hash= gets the current document
// (200) rather than kube-openapi's redirect, which kube-apiserver's proxy would turn into a 502.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, failure } from '../errors/index.js';
import { parseAccept } from '../endpoints/negotiation.js';
import { buildOpenAPIV2, buildOpenAPIV3, type OpenAPIInfo } from './documents.js';
import type { GroupAPI } from './operations.js';
import { encodeOpenAPIV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_REQUESTED } from './protobuf-v2.js';

interface Served {
  body: string | Buffer;
  contentType?: string;
  /** Uppercase hex SHA-512 of the body: the ETag (quoted) and the v3 ?hash=. */
  hash: string;
}

function serialize(doc: unknown): Served {
  const body = JSON.stringify(doc);
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

type Format = 'json' | 'protobuf';

/** The first representation the client takes: JSON, or (v2 only) gnostic's protobuf. */
function negotiate(header: string | undefined, protobuf: boolean): Format | undefined {
  for (const m of parseAccept(header)) {
    if ((m.type === '*' || m.type === 'application') && (m.subtype === '*' || m.subtype === 'json')) return 'json';
    const type = `${m.type}/${m.subtype}`;
    if (protobuf && (type === OPENAPI_V2_PROTOBUF || type === OPENAPI_V2_PROTOBUF_REQUESTED)) return 'protobuf';
  }
  return undefined;
}

export class OpenAPIService {
  private v2?: Served;
  private v2proto?: Served;
  private readonly v3 = new Map<string, Served>();
  private root?: Served;

  constructor(
    private readonly apis: readonly GroupAPI[],
    private readonly info: OpenAPIInfo,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The paths this service answers, for the server's path index. */
  static readonly PATHS = ['/openapi/v2', '/openapi/v3'];

  /** Handles the request if it is an OpenAPI path (throwing StatusErrors); false otherwise. */
  handle(path: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): boolean {
    if (path !== '/openapi/v2' && path !== '/openapi/v3' && !path.startsWith('/openapi/v3/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    const format = negotiate(req.headers.accept, path === '/openapi/v2');
    if (!format) {
      const available = path === '/openapi/v2' ? `application/json, ${OPENAPI_V2_PROTOBUF}` : 'application/json';
      throw failure(406, 'NotAcceptable', `406: Not Acceptable\n\nAvailable representations: ${available}`, {});
    }
    if (path === '/openapi/v2') return this.write(req, res, format === 'protobuf' ? this.protobufV2() : this.documentV2(), {});
    if (path === '/openapi/v3') return this.write(req, res, this.rootV3(), {});
    const doc = this.documentV3(path.slice('/openapi/v3/'.length));
    if (!doc) throw errors.notFoundPath();
    const fresh = query.get('hash') === doc.hash;
    const headers: Record<string, string> = fresh
      ? { 'Cache-Control': 'public, immutable', Expires: new Date(this.clock().getTime() + ONE_YEAR_MS).toUTCString() }
      : {};
    return this.write(req, res, doc, headers);
  }

  private write(req: IncomingMessage, res: ServerResponse, doc: Served, headers: Record<string, string>): true {
    const etag = `"${doc.hash}"`;
    const common = { ETag: etag, Vary: 'Accept', ...headers };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, common);
      res.end();
      return true;
    }
    res.writeHead(200, { ...common, 'Content-Type': doc.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(doc.body) });
    res.end(req.method === 'HEAD' ? undefined : doc.body);
    return true;
  }

  private documentV2(): Served {
    this.v2 ??= serialize(buildOpenAPIV2(this.apis, this.info));
    return this.v2;
  }

  private protobufV2(): Served {
    if (!this.v2proto) {
      const body = encodeOpenAPIV2(JSON.parse(this.documentV2().body.toString()) as Record<string, unknown>);
      this.v2proto = { body, contentType: OPENAPI_V2_PROTOBUF, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
    }
    return this.v2proto;
  }

  private documentV3(key: string): Served | undefined {
    const cached = this.v3.get(key);
    if (cached) return cached;
    const api = this.apis.find((a) => `apis/${a.group}/${a.version}` === key);
    if (!api) return undefined;
    const doc = serialize(buildOpenAPIV3(api, this.info));
    this.v3.set(key, doc);
    return doc;
  }

  /** Only our group versions: every key listed here is proxied to us by kube-apiserver. */
  private rootV3(): Served {
    if (!this.root) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const api of this.apis) {
        const key = `apis/${api.group}/${api.version}`;
        const doc = this.documentV3(key) as Served;
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
      }
      this.root = serialize({ paths });
    }
    return this.root;
  }
}
