// Continue tokens exactly as k8s.io/apiserver writes them (storage/continue.go), so a client that
// switches replicas or servers mid-list keeps working:
// base64url (no padding) of {"v":"meta.k8s.io/v1","rv":<int64>,"start":"<key after the list prefix>"}.
// rv -1 means "continue from start at the latest revision" (handed out after a compaction).

import { posix } from 'node:path';
import { StorageError } from '../interfaces.js';

const VERSION = 'meta.k8s.io/v1';
const BASE64URL = /^[A-Za-z0-9_-]*$/;
// The raw rv digits, read from the JSON text because JSON.parse would round int64s above 2^53.
// A `"rv"` inside a string value is always escaped (`\"rv\"`), so this only matches the field.
const RV_FIELD = /"rv"\s*:\s*(-?[0-9]+)\s*[,}]/;

export interface ContinueToken {
  /** Revision to read at; -1n = latest. */
  rv: bigint;
  /** Start key relative to the list prefix, e.g. "ns/name\u0000". */
  start: string;
}

export function encodeContinue(startRelative: string, rv: bigint): string {
  const json = `{"v":${JSON.stringify(VERSION)},"rv":${rv.toString(10)},"start":${JSON.stringify(startRelative)}}`;
  return Buffer.from(json, 'utf8').toString('base64url');
}

function invalid(detail: string): StorageError {
  return new StorageError('InvalidContinue', '', `continue key is not valid: ${detail}`);
}

/** Decodes and validates a token; the returned start is relative to the list prefix. */
export function decodeContinue(token: string): ContinueToken {
  // Go's base64.RawURLEncoding is strict: no padding, no foreign characters, no impossible length.
  if (!BASE64URL.test(token) || token.length % 4 === 1) throw invalid('illegal base64 data');
  const text = Buffer.from(token, 'base64url').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('not a JSON object');
  const c = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (c.v !== VERSION) {
    throw invalid(`server does not recognize this encoded version ${JSON.stringify(typeof c.v === 'string' ? c.v : '')}`);
  }
  let rv = 0n;
  if (c.rv !== undefined) {
    const m = RV_FIELD.exec(text);
    if (typeof c.rv !== 'number' || !m) throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    rv = BigInt(m[1]);
  }
  if (rv === 0n) throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof c.start !== 'string' || c.start === '') throw invalid('encoded start key empty (version meta.k8s.io/v1)');
  // Path-clean the key so it can never reach above the list prefix ("../other-ns/x").
  const rooted = c.start.startsWith('/') ? c.start : `/${c.start}`;
  if (posix.normalize(rooted) !== rooted || rooted.includes('//') || (rooted.length > 1 && rooted.endsWith('/'))) {
    throw invalid(c.start);
  }
  return { rv, start: rooted.slice(1) };
}
