// LIST over an etcd prefix with the resourceVersion / limit / continue semantics of
// k8s.io/apiserver's etcd3 store (conventions 6.1 and 6.2).

import type { Etcd3, IRangeRequest, IRangeResponse } from 'etcd3';
import type { KubeObject } from '../../api/types.js';
import { StorageError, type ListOptions, type ListResult } from '../interfaces.js';
import { parseResourceVersion } from '../resource-version.js';
import type { Caller } from './client.js';
import { decodeKV } from './codec.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { toStorageError } from './errors.js';
import { prefixEnd } from './keys.js';

/** Largest range read at once when a selector filters items out (k8s.io/apiserver uses the same). */
const MAX_CHUNK = 10_000;
const NUL = Buffer.from([0]);

export interface ListDeps {
  client: Etcd3;
  caller: Caller;
  currentRevision(): Promise<bigint>;
}

interface ReadPlan {
  /** Start key relative to the list prefix. */
  fromRelative: string;
  /** Revision to read at; 0n = latest. */
  atRevision: bigint;
  /** NotOlderThan: the read must be at least this new. */
  minRevision: bigint;
  serializable: boolean;
  limit: number;
  /** The request carried a continue token (affects the Compacted answer). */
  continued: boolean;
}

function plan(opts: ListOptions): ReadPlan {
  const rv = opts.resourceVersion ?? '';
  const match = opts.resourceVersionMatch ?? '';
  const p: ReadPlan = {
    fromRelative: '',
    atRevision: 0n,
    minRevision: 0n,
    serializable: false,
    limit: opts.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : 0,
    continued: false,
  };
  if (opts.continue) {
    if (rv !== '' && rv !== '0') {
      throw new StorageError('InvalidContinue', '', 'specifying resource version is not allowed when using continue');
    }
    const token = decodeContinue(opts.continue);
    p.fromRelative = token.start;
    // rv -1 (issued after a compaction): continue from the key at the latest revision.
    p.atRevision = token.rv > 0n ? token.rv : 0n;
    p.continued = true;
    return p;
  }
  if (rv === '') return p; // most recent, linearizable
  const n = parseResourceVersion(rv);
  switch (match) {
    case 'Exact':
      if (n === 0n) throw new StorageError('InvalidObject', '', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
      p.atRevision = n;
      break;
    case 'NotOlderThan':
      p.minRevision = n;
      break;
    case '':
      if (n === 0n) {
        // "Any" version: a serializable read of everything; like the watch cache, limit is ignored.
        p.serializable = true;
        p.limit = 0;
      } else if (p.limit > 0) {
        p.atRevision = n; // legacy quirk: rv=N with a limit means Exact
      } else {
        p.minRevision = n;
      }
      break;
    default:
      throw new StorageError('InvalidObject', '', `unsupported resourceVersionMatch ${JSON.stringify(match)}`);
  }
  return p;
}

export async function listPrefix(deps: ListDeps, name: string, keyPrefix: string, opts: ListOptions): Promise<ListResult> {
  const p = plan(opts);
  const prefix = Buffer.from(keyPrefix, 'utf8');
  const rangeEnd = prefixEnd(prefix);
  const predicate = opts.predicate;

  let from = Buffer.concat([prefix, Buffer.from(p.fromRelative, 'utf8')]);
  let readAt = p.atRevision;
  let chunk = p.limit;
  const items: KubeObject[] = [];
  let hasMore = false;
  let lastKey: Buffer | undefined;
  let remainingItemCount: number | undefined;

  for (;;) {
    const req: IRangeRequest = {
      key: from,
      range_end: rangeEnd,
      ...(chunk > 0 ? { limit: chunk } : {}),
      ...(readAt > 0n ? { revision: readAt.toString() } : {}),
      ...(p.serializable ? { serializable: true } : {}),
    };
    let resp: IRangeResponse;
    try {
      resp = await deps.caller.call(name, () => deps.client.kv.range(req), { idempotent: true });
    } catch (err) {
      throw await listError(deps, err, name, p, readAt);
    }
    // Every chunk of one list reads the revision of the first, so a page is one consistent snapshot.
    if (readAt === 0n) {
      readAt = BigInt(resp.header.revision);
      if (p.minRevision > readAt) throw tooLarge(name, p.minRevision, readAt);
    }
    hasMore = resp.more;
    let consumed = 0;
    for (const kv of resp.kvs) {
      if (p.limit > 0 && items.length >= p.limit) {
        hasMore = true;
        break;
      }
      consumed++;
      lastKey = kv.key;
      const obj = decodeKV(kv, kv.key.toString('utf8'));
      if (predicate === undefined || predicate(obj)) items.push(obj);
    }
    if (!opts.hasSelector && hasMore) {
      // count covers [from, end) at this revision; only exact when nothing was filtered out.
      remainingItemCount = Number(BigInt(resp.count) - BigInt(consumed));
    }
    if (!hasMore || p.limit === 0 || items.length >= p.limit || lastKey === undefined) break;
    // A selector filtered items out: keep reading, in growing chunks, until the page is full.
    from = Buffer.concat([lastKey, NUL]);
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }

  const result: ListResult = { items, resourceVersion: readAt.toString() };
  if (hasMore && p.limit > 0 && lastKey !== undefined) {
    const next = Buffer.concat([lastKey, NUL]).subarray(prefix.length).toString('utf8');
    result.continue = encodeContinue(next, readAt);
    if (remainingItemCount !== undefined) result.remainingItemCount = remainingItemCount;
  }
  return result;
}

export function tooLarge(name: string, requested: bigint, current: bigint): StorageError {
  return new StorageError('TooLargeResourceVersion', name, `Too large resource version: ${requested}, current: ${current}`, {
    requestedRevision: requested.toString(),
    currentRevision: current.toString(),
  });
}

async function listError(deps: ListDeps, cause: unknown, name: string, p: ReadPlan, readAt: bigint): Promise<StorageError> {
  const err = toStorageError(cause, name);
  if (err.code === 'Compacted') {
    if (p.continued) {
      // Hand out a token that resumes from the same key at the latest revision (rv -1).
      return new StorageError('Compacted', name, `revision ${readAt} has been compacted; the continue token is too old`, {
        continueToken: encodeContinue(p.fromRelative, -1n),
        requestedRevision: readAt.toString(),
      });
    }
    return new StorageError('Compacted', name, `revision ${readAt} has been compacted`, { requestedRevision: readAt.toString() });
  }
  if (err.code === 'TooLargeResourceVersion') {
    const current = await deps.currentRevision().catch(() => undefined);
    return new StorageError(
      'TooLargeResourceVersion',
      name,
      `Too large resource version: ${readAt}, current: ${current ?? 'unknown'}`,
      { requestedRevision: readAt.toString(), ...(current !== undefined ? { currentRevision: current.toString() } : {}) },
    );
  }
  return err;
}
