// resourceVersion <-> etcd revision. Revisions are int64 in etcd; JavaScript numbers lose precision
// above 2^53, so they are parsed to BigInt and written back as decimal strings.

import { StorageError } from './interfaces.js';

const MAX_INT64 = (1n << 63n) - 1n;
const DECIMAL = /^[0-9]+$/;

/**
 * Parses a resourceVersion as k8s.io/apiserver does (strconv.ParseUint on a decimal string).
 * Throws StorageError 'InvalidObject' with the message kube-apiserver answers in a 400.
 */
export function parseResourceVersion(rv: string): bigint {
  if (!DECIMAL.test(rv)) {
    throw new StorageError('InvalidObject', '', invalidRVMessage(rv, 'invalid syntax'));
  }
  const n = BigInt(rv);
  if (n > MAX_INT64) throw new StorageError('InvalidObject', '', invalidRVMessage(rv, 'value out of range'));
  return n;
}

function invalidRVMessage(rv: string, why: string): string {
  return `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`;
}

/** True when rv is a syntactically valid resourceVersion. */
export function isValidResourceVersion(rv: string): boolean {
  return DECIMAL.test(rv) && BigInt(rv) <= MAX_INT64;
}

/** Numeric comparison of two resourceVersions (never lexicographic): <0, 0, >0. */
export function compareResourceVersions(a: string, b: string): number {
  const x = parseResourceVersion(a);
  const y = parseResourceVersion(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Formats a revision as the decimal string clients see. */
export function formatResourceVersion(rev: bigint): string {
  return rev.toString(10);
}
