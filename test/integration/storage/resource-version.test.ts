// Pure helpers (no etcd needed): resourceVersion parsing and continue tokens at int64 scale.
import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { decodeContinue, encodeContinue } from '../../../src/apiserver/storage/etcd3/continue-token.js';
import { StorageError } from '../../../src/apiserver/storage/interfaces.js';
import {
  compareResourceVersions,
  isValidResourceVersion,
  parseResourceVersion,
} from '../../../src/apiserver/storage/resource-version.js';

describe('resourceVersion', () => {
  it('when revisions exceed 2^53, they are compared exactly and numerically', () => {
    assert.equal(parseResourceVersion('9007199254740993'), 9007199254740993n);
    assert.equal(compareResourceVersions('9007199254740993', '9007199254740992'), 1);
    assert.equal(compareResourceVersions('9', '10'), -1);
    assert.equal(compareResourceVersions('10', '10'), 0);
  });

  it('when a resourceVersion is not an unsigned int64, it is rejected', () => {
    for (const bad of ['', '-1', '1.5', ' 1', 'abc', '9223372036854775808']) {
      assert.equal(isValidResourceVersion(bad), false, bad);
      assert.throws(() => parseResourceVersion(bad), (e: unknown) => e instanceof StorageError && e.code === 'InvalidObject');
    }
    assert.equal(isValidResourceVersion('9223372036854775807'), true);
  });
});

describe('continue token', () => {
  it('when the revision exceeds 2^53, the token carries it exactly', () => {
    const token = encodeContinue('ns/a\u0000', 9007199254740993n);
    assert.equal(Buffer.from(token, 'base64url').toString(), '{"v":"meta.k8s.io/v1","rv":9007199254740993,"start":"ns/a\\u0000"}');
    assert.deepEqual(decodeContinue(token), { rv: 9007199254740993n, start: 'ns/a\u0000' });
  });

  it('when the token has rv -1, it decodes as "latest"', () => {
    assert.deepEqual(decodeContinue(encodeContinue('a\u0000', -1n)), { rv: -1n, start: 'a\u0000' });
  });

  it('when the start key is not path-clean, the token is rejected', () => {
    for (const start of ['a//b', 'a/', './a', '/..', 'a/./b']) {
      assert.throws(
        () => decodeContinue(encodeContinue(start, 5n)),
        (e: unknown) => e instanceof StorageError && e.code === 'InvalidContinue' && e.message === `continue key is not valid: ${start}`,
        start,
      );
    }
  });
});
