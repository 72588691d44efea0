// An object version shared by every reader of the watch cache. The cache hands out the same object
// to every get, list and watch; its encodings (JSON today, a second content type later) are made at
// most once per version and per presentation, and kept in a small memo that dies with the version.
//
// The memo hangs off the object under a non-enumerable symbol: spreading or cloning the object (as
// every transform that changes it does) drops the memo, so a changed copy can never be written with
// the bytes of the original.

import type { KubeObject } from '../api/types.js';

const MEMO = Symbol('objectVersionEncodings');

/** Encodings of one object version, keyed by presentation and content type ("<view>|application/json"). */
export class EncodingMemo {
  private readonly encodings = new Map<string, Buffer>();

  /** The encoding under `key`, made by `make` the first time it is asked for. */
  encoded(key: string, make: () => Buffer): Buffer {
    let b = this.encodings.get(key);
    if (b === undefined) {
      b = make();
      this.encodings.set(key, b);
    }
    return b;
  }
}

/** Marks `obj` as a shared, read-only version with an empty memo; returns it. */
export function shareVersion<T extends KubeObject>(obj: T): T {
  Object.defineProperty(obj, MEMO, { value: new EncodingMemo(), enumerable: false });
  return obj;
}

/** The memo of a shared version, or undefined for an object the caller owns. */
export function encodingsOf(obj: KubeObject): EncodingMemo | undefined {
  return (obj as { [MEMO]?: EncodingMemo })[MEMO];
}
