// Accept-header negotiation: JSON, YAML, protobuf, Table (JSON only, as kube-apiserver), and
// PartialObjectMetadata(List) in JSON or protobuf, with the 406 texts of k8s.io/apiserver.

import { errors, failure } from '../errors/index.js';

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
}

export type OutputKind =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'protobuf' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; list: boolean; version: 'v1' | 'v1beta1'; protobuf?: boolean };

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_WATCH = 'application/vnd.kubernetes.protobuf;stream=watch';

export const SUPPORTED_MEDIA_TYPES = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === '') return [{ type: '*', subtype: '*', params: {}, q: 1 }];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mt, ...rawParams] = part.trim().split(';');
    if (!mt) continue;
    const [type, subtype = '*'] = mt.trim().toLowerCase().split('/');
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (k === 'q') q = Number(v);
      else params[k] = v;
    }
    out.push({ type, subtype, params, q: Number.isFinite(q) ? q : 0 });
  }
  // Stable sort by q, descending: order in the header breaks ties.
  return out.map((m, i) => ({ m, i })).sort((a, b) => b.m.q - a.m.q || a.i - b.i).map((x) => x.m).filter((m) => m.q > 0);
}

function isJsonLike(m: MediaRange): boolean {
  return (m.type === 'application' && (m.subtype === 'json' || m.subtype === '*')) || (m.type === '*' && m.subtype === '*');
}

function isProtobuf(m: MediaRange): boolean {
  return m.type === 'application' && m.subtype === 'vnd.kubernetes.protobuf';
}

export interface NegotiateOptions {
  /** The response is a list (list/deletecollection) rather than one object. */
  isList: boolean;
  /** Whether Table output makes sense here (resources; not Status-returning verbs). */
  allowTable: boolean;
  /** How a Go server names the response type in 406s, e.g. "*image.ImageStreamList". */
  typeName?: string;
  /** Whether the kind has a protobuf message (else protobuf entries are passed over). */
  protobuf?: boolean;
}

/**
 * Picks the first Accept entry we can produce. An entry asking for a transformation we cannot do
 * (Table in protobuf, as kube-apiserver) is skipped, and if nothing is left, the 406 names what we
 * support.
 */
export function negotiateOutput(header: string | undefined, opts: NegotiateOptions): OutputKind {
  const ranges = parseAccept(header);
  let sawJsonWithUnknownAs = false;
  let shapeMismatch: string | undefined;
  for (const m of ranges) {
    const protobuf = isProtobuf(m);
    if (protobuf && (!opts.protobuf || (m.params.stream !== undefined && m.params.stream !== 'watch'))) continue;
    if (m.type === 'application' && m.subtype === 'yaml' && !m.params.as) return { kind: 'yaml' };
    if (!protobuf && !isJsonLike(m)) continue;
    const as = m.params.as;
    if (!as) return protobuf ? { kind: 'protobuf' } : { kind: 'json' };
    const g = m.params.g;
    const v = m.params.v;
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) {
      sawJsonWithUnknownAs = true;
      continue;
    }
    if (as === 'Table' && opts.allowTable && !protobuf) return { kind: 'table', version: v };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      const wantList = as === 'PartialObjectMetadataList';
      if (wantList !== opts.isList) {
        shapeMismatch = wantList
          ? 'you requested PartialObjectMetadataList, but the requested object is not a list'
          : 'you requested PartialObjectMetadata, but the requested object is a list';
        if (opts.typeName) shapeMismatch += ` (${opts.typeName})`;
        continue;
      }
      return protobuf ? { kind: 'partial', list: wantList, version: v, protobuf } : { kind: 'partial', list: wantList, version: v };
    }
    sawJsonWithUnknownAs = true;
  }
  if (shapeMismatch) throw failure(406, 'NotAcceptable', shapeMismatch);
  if (sawJsonWithUnknownAs) throw errors.notAcceptable(SUPPORTED_MEDIA_TYPES);
  // Only protobuf was offered for a kind without a message: JSON, which such clients also decode.
  if (ranges.length > 0 && ranges.every((m) => isProtobuf(m))) return { kind: 'json' };
  throw failure(406, 'NotAcceptable', `406: Not Acceptable\n\nAvailable representations: ${SUPPORTED_MEDIA_TYPES}`, {});
}

/**
 * How a Status (or another object without transformation) is written: the first plain JSON or
 * protobuf entry decides, as kube-apiserver's error negotiation does; a client that offered only
 * protobuf entries (e.g. just `;as=PartialObjectMetadata`) gets protobuf rather than JSON.
 */
export function plainEncoding(header: string | undefined): 'json' | 'protobuf' {
  const ranges = parseAccept(header);
  for (const m of ranges) {
    if (m.params.as) continue;
    if (isProtobuf(m) && (m.params.stream === undefined || m.params.stream === 'watch')) return 'protobuf';
    if (isJsonLike(m) || (m.type === 'application' && m.subtype === 'yaml')) return 'json';
  }
  return ranges.length > 0 && ranges.every((m) => isProtobuf(m)) ? 'protobuf' : 'json';
}

/** For endpoints that only ever produce plain JSON (discovery, Status-returning verbs). */
export function acceptsJson(header: string | undefined): boolean {
  return parseAccept(header).some((m) => isJsonLike(m) || isProtobuf(m) || (m.type === 'application' && m.subtype === 'yaml'));
}

export function parseContentType(header: string | undefined): { mediaType: string; params: Record<string, string> } {
  if (!header) return { mediaType: '', params: {} };
  const [mt, ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return { mediaType: mt.trim().toLowerCase(), params };
}
