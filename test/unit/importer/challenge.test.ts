import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { parseChallenges, preferredChallenge } from '../../../src/image/importer/challenge.js';

describe('WWW-Authenticate challenges', () => {
  it('reads a Bearer challenge with realm, service and scope', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
    });
  });

  it('reads Basic, unquoted values, escapes, spaces around = and odd case', () => {
    assert.deepEqual(parseChallenges('BASIC Realm = test-realm'), [{ scheme: 'basic', params: { realm: 'test-realm' } }]);
    assert.deepEqual(parseChallenges('Bearer realm="a\\"b", error="insufficient_scope"')[0]?.params, { realm: 'a"b', error: 'insufficient_scope' });
  });

  it('splits several challenges in one header and across headers', () => {
    const cs = parseChallenges(['Negotiate abc==, Basic realm="r1"', 'Bearer realm="https://t/token",service=s, Basic realm="r2"']);
    assert.deepEqual(
      cs.map((c) => [c.scheme, c.params.realm ?? '']),
      [
        ['negotiate', ''],
        ['basic', 'r1'],
        ['bearer', 'https://t/token'],
        ['basic', 'r2'],
      ],
    );
    assert.equal(preferredChallenge(cs)?.scheme, 'bearer');
    assert.equal(preferredChallenge(parseChallenges('Basic realm="x"'))?.scheme, 'basic');
    assert.equal(preferredChallenge(parseChallenges(undefined)), undefined);
  });

  it('does not loop or throw on garbage', () => {
    assert.doesNotThrow(() => parseChallenges('=,,"""  ;;; Bearer'));
    assert.deepEqual(parseChallenges(''), []);
  });
});
