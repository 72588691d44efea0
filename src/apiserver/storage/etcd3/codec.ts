// Objects are stored as JSON without metadata.resourceVersion: the revision of the key is the
// resourceVersion, so storing it too would only let the two disagree.

import { isDeepStrictEqual } from 'node:util';
import type { IKeyValue } from 'etcd3';
import type { KubeObject } from '../../api/types.js';
import { StorageError } from '../interfaces.js';

export function encode(obj: KubeObject, key: string): Buffer {
  if (obj === null || typeof obj !== 'object' || obj.metadata === null || typeof obj.metadata !== 'object') {
    throw new StorageError('InvalidObject', key, 'object has no metadata');
  }
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return Buffer.from(JSON.stringify({ ...obj, metadata }), 'utf8');
}

/** Decodes a stored value and stamps the given revision as its resourceVersion. */
export function decode(value: Buffer, resourceVersion: string, key: string): KubeObject {
  let obj: unknown;
  try {
    obj = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new StorageError('InvalidObject', key, `stored object at ${key} is not valid JSON: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new StorageError('InvalidObject', key, `stored object at ${key} is not a JSON object`);
  }
  const o = obj as KubeObject;
  if (o.metadata === null || typeof o.metadata !== 'object') o.metadata = {};
  o.metadata.resourceVersion = resourceVersion;
  return o;
}

/** Decodes a key-value at its own mod revision. */
export function decodeKV(kv: IKeyValue, key: string): KubeObject {
  return decode(kv.value, kv.mod_revision, key);
}

/**
 * True when writing `next` would not change what is stored. Bytes first (cheap, and what
 * k8s.io/apiserver compares); then structurally, so key order alone never causes a write.
 */
export function sameAsStored(next: Buffer, stored: Buffer): boolean {
  if (next.equals(stored)) return true;
  try {
    return isDeepStrictEqual(JSON.parse(next.toString('utf8')), JSON.parse(stored.toString('utf8')));
  } catch {
    return false;
  }
}
