// Maps storage keys ("imagestreams/ns/name") and list prefixes ("imagestreams/ns/") to etcd keys
// under the configured prefix ("/openshift.io/imagestreams/ns/name").

import { StorageError } from '../interfaces.js';

export class KeySpace {
  /** The prefix without a trailing slash, e.g. "/openshift.io". */
  readonly root: string;

  constructor(prefix: string) {
    let p = prefix.trim();
    if (!p.startsWith('/')) p = `/${p}`;
    while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    this.root = p === '/' ? '' : p;
  }

  /** The etcd key of one object. */
  objectKey(key: string): string {
    const rel = stripLeadingSlashes(key);
    if (rel === '' || rel.endsWith('/')) throw new StorageError('Internal', key, `invalid object key ${JSON.stringify(key)}`);
    assertNoTraversal(key, rel);
    return `${this.root}/${rel}`;
  }

  /** The etcd key prefix of a list or watch, always ending in "/" so "ns" never matches "ns2". */
  listPrefix(prefix: string): string {
    let rel = stripLeadingSlashes(prefix);
    if (rel !== '' && !rel.endsWith('/')) rel += '/';
    assertNoTraversal(prefix, rel);
    return `${this.root}/${rel}`;
  }

  /** The storage key of an etcd key under the prefix ("/openshift.io/images/x" -> "images/x"). */
  storageKey(etcdKey: string): string {
    return etcdKey.slice(this.root.length + 1);
  }

  /** A reserved key used by health checks; never holds data. */
  healthKey(): string {
    return `${this.root}/health`;
  }
}

function stripLeadingSlashes(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === '/') i++;
  return s.slice(i);
}

function assertNoTraversal(original: string, rel: string): void {
  if (rel.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw new StorageError('Internal', original, `invalid key ${JSON.stringify(original)}: path traversal`);
  }
}

/** The exclusive end of the range of all keys starting with prefix (etcd's "prefix end"). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i] = end[i] + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: the range runs to the end of the keyspace.
  return Buffer.from([0]);
}
