// Content digests ("sha256:<hex>") as the registry and openshift-apiserver check them.

import { createHash } from 'node:crypto';

/** Hex length of each supported algorithm. */
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

const DIGEST_SHAPE = /^[a-zA-Z0-9\-_+.]+:[a-fA-F0-9]+$/;

export const DIGEST_ERRORS = {
  format: 'invalid checksum digest format',
  length: 'invalid checksum digest length',
  unsupported: 'unsupported digest algorithm',
} as const;

/** Why `s` is not a usable digest, or null when it is (algorithm known, hex of exact length). */
export function digestError(s: string): string | null {
  if (!DIGEST_SHAPE.test(s)) return DIGEST_ERRORS.format;
  const i = s.indexOf(':');
  const want = HEX_LENGTH[s.slice(0, i)];
  if (want === undefined) return DIGEST_ERRORS.unsupported;
  return s.length - i - 1 === want ? null : DIGEST_ERRORS.length;
}

export function isDigest(s: string): boolean {
  return digestError(s) === null;
}

/** The part after the algorithm; callers check isDigest first. */
export function digestHex(d: string): string {
  return d.slice(d.indexOf(':') + 1);
}

export function computeDigest(content: string | Uint8Array, algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(content).digest('hex')}`;
}

/** True when `content` hashes to `digest` (compared exactly, as Go's verifier does). */
export function digestMatches(digest: string, content: string | Uint8Array): boolean {
  if (!isDigest(digest)) return false;
  const algorithm = digest.slice(0, digest.indexOf(':')) as 'sha256' | 'sha384' | 'sha512';
  return computeDigest(content, algorithm) === digest;
}
