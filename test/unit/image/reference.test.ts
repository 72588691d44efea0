import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { computeDigest, digestError, digestMatches, isDigest } from '../../../src/image/api/digest.js';
import { DockerImageReference, referenceError, REFERENCE_ERRORS, splitHostPort } from '../../../src/image/api/reference.js';

const D64 = 'a'.repeat(64);
const SHA = `sha256:${D64}`;

function parts(spec: string): Record<string, string> {
  return DockerImageReference.parse(spec).parts();
}

describe('docker reference parsing: registry / namespace / name / tag / id split', () => {
  const cases: [string, Partial<Record<'registry' | 'namespace' | 'name' | 'tag' | 'id', string>>][] = [
    ['foo', { name: 'foo' }],
    ['foo:bar', { name: 'foo', tag: 'bar' }],
    ['foo:Tag_1.2-x', { name: 'foo', tag: 'Tag_1.2-x' }],
    ['foo/bar', { namespace: 'foo', name: 'bar' }],
    ['foo/bar/baz', { namespace: 'foo', name: 'bar/baz' }],
    ['foo/bar/baz/qux:1', { namespace: 'foo', name: 'bar/baz/qux', tag: '1' }],
    ['docker.io/library/ubuntu:18.04', { registry: 'docker.io', namespace: 'library', name: 'ubuntu', tag: '18.04' }],
    ['docker.io/ubuntu', { registry: 'docker.io', name: 'ubuntu' }],
    ['localhost/foo', { registry: 'localhost', name: 'foo' }],
    ['localhost:5000/foo/bar:tag', { registry: 'localhost:5000', namespace: 'foo', name: 'bar', tag: 'tag' }],
    ['registry:5000/ns/name', { registry: 'registry:5000', namespace: 'ns', name: 'name' }],
    ['Registry.Example.com/ns/name', { registry: 'Registry.Example.com', namespace: 'ns', name: 'name' }],
    [`registry:5000/ns/name@${SHA}`, { registry: 'registry:5000', namespace: 'ns', name: 'name', id: SHA }],
    [`ns/name:tag@${SHA}`, { namespace: 'ns', name: 'name', tag: 'tag', id: SHA }],
    [`name@${SHA}`, { name: 'name', id: SHA }],
    ['foo--bar__baz_qux', { name: 'foo--bar__baz_qux' }],
    // Any dot makes a lone component a registry, even where a name would be valid.
    ['foo.bar', { registry: 'foo.bar' }],
    ['a1/b-2', { namespace: 'a1', name: 'b-2' }],
    // The host grammar allows capitals, so a capitalised first component passes as a namespace.
    ['Quay/a', { namespace: 'Quay', name: 'a' }],
    // A lone host-looking component is a registry; a registry-only reference keeps its tag text.
    ['localhost', { registry: 'localhost' }],
    ['localhostfoo', { registry: 'localhostfoo' }],
    ['example.com', { registry: 'example.com' }],
    ['example.com:5000', { registry: 'example.com:5000' }],
    [`example.com@${SHA}`, { registry: `example.com@${SHA}`, id: SHA }],
  ];
  for (const [spec, want] of cases) {
    test(`parses ${JSON.stringify(spec)}`, () => {
      assert.deepEqual(parts(spec), { registry: '', namespace: '', name: '', tag: '', id: '', ...want });
    });
  }

  test('the name part may be 255 characters, not 256', () => {
    assert.equal(referenceError('a'.repeat(255)), null);
    assert.equal(referenceError('a'.repeat(256)), REFERENCE_ERRORS.tooLong);
    assert.equal(referenceError(`${'a'.repeat(250)}/${'b'.repeat(4)}:${'t'.repeat(100)}`), null);
  });

  test('a tag may be 128 characters, not 129', () => {
    assert.equal(referenceError(`foo:${'t'.repeat(128)}`), null);
    assert.equal(referenceError(`foo:${'t'.repeat(129)}`), REFERENCE_ERRORS.format);
  });
});

describe('docker reference parsing: errors carry the upstream messages', () => {
  const cases: [string, string][] = [
    ['', 'repository name must have at least one component'],
    ['Foo', 'repository name must be lowercase'],
    ['foo/Bar:tag', 'repository name must be lowercase'],
    ['docker.io/library/ubuntu:bad tag!', 'invalid reference format'],
    ['-foo', 'invalid reference format'],
    ['foo-', 'invalid reference format'],
    ['foo___bar', 'invalid reference format'],
    ['foo.-bar', 'invalid reference format'],
    ['foo:', 'invalid reference format'],
    ['foo//bar', 'invalid reference format'],
    ['/foo', 'invalid reference format'],
    ['abc@badid', 'invalid reference format'],
    ['a/b@sha256:something', 'invalid reference format'],
    ['foo@sha256:abc', 'invalid reference format'],
    ['[::1]:5000/foo', 'invalid reference format'],
    [`foo@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`foo@sha256:${'a'.repeat(65)}`, 'invalid checksum digest length'],
    [`foo@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`foo@sha512:${'a'.repeat(128)}`, ''],
    [`foo@sha384:${'a'.repeat(96)}`, ''],
  ];
  for (const [spec, message] of cases) {
    test(`${JSON.stringify(spec.length > 60 ? `${spec.slice(0, 60)}...` : spec)} -> ${message || 'ok'}`, () => {
      assert.equal(referenceError(spec), message || null);
      if (message) assert.throws(() => DockerImageReference.parse(spec), { name: 'InvalidReferenceError', message });
    });
  }

  test('tryParse returns the message instead of throwing', () => {
    assert.deepEqual(DockerImageReference.tryParse('Foo'), { error: REFERENCE_ERRORS.uppercase });
    assert.equal(DockerImageReference.tryParse('foo').ref?.name, 'foo');
  });

  test('long hostile inputs are rejected quickly (no catastrophic backtracking)', () => {
    const hostile = [
      `${'a'.repeat(50_000)}!`,
      `${'a-'.repeat(20_000)}!`,
      `${'a.'.repeat(20_000)}!`,
      `${'a/'.repeat(20_000)}!`,
      `${'a_'.repeat(20_000)}A`,
      `${'a:'.repeat(20_000)}`,
      `h.${'a-'.repeat(20_000)}/x!`,
      `x@${'a.'.repeat(20_000)}:1`,
    ];
    const start = performance.now();
    for (const s of hostile) assert.notEqual(referenceError(s), null);
    assert.ok(performance.now() - start < 2000, 'parsing hostile inputs took too long');
  });
});

describe('docker reference rendering', () => {
  test('exact() prints only the fields that are set; an id wins over a tag', () => {
    assert.equal(DockerImageReference.parse('docker.io/ubuntu:18.04').exact(), 'docker.io/ubuntu:18.04');
    assert.equal(new DockerImageReference({ name: 'foo', tag: 't', id: SHA }).exact(), `foo@${SHA}`);
    assert.equal(new DockerImageReference({ registry: 'r:5000', namespace: 'ns', name: 'n' }).exact(), 'r:5000/ns/n');
    assert.equal(new DockerImageReference({ registry: 'r', name: 'n', id: 'v1imageid' }).exact(), 'r/n:v1imageid');
  });

  test('exact() of a reference without a name is empty, even with a registry', () => {
    assert.equal(DockerImageReference.parse('localhost:5000').exact(), '');
    assert.equal(new DockerImageReference({ registry: 'r' }).exact(), '');
  });

  test('toString() adds the implied library namespace on Docker Hub only', () => {
    assert.equal(DockerImageReference.parse('docker.io/ubuntu').toString(), 'docker.io/library/ubuntu');
    assert.equal(DockerImageReference.parse('index.docker.io/ubuntu:1').toString(), 'index.docker.io/library/ubuntu:1');
    assert.equal(DockerImageReference.parse('registry-1.docker.io/ubuntu').toString(), 'registry-1.docker.io/library/ubuntu');
    assert.equal(DockerImageReference.parse('ubuntu').toString(), 'ubuntu');
    assert.equal(DockerImageReference.parse('quay.io/ubuntu').toString(), 'quay.io/ubuntu');
    assert.equal(`${DockerImageReference.parse('docker.io/a/b')}`, 'docker.io/a/b');
  });

  test('dockerClientDefaults() fills docker.io, library (Docker Hub only) and latest', () => {
    assert.deepEqual(DockerImageReference.parse('ubuntu').dockerClientDefaults().parts(), {
      registry: 'docker.io',
      namespace: 'library',
      name: 'ubuntu',
      tag: 'latest',
      id: '',
    });
    assert.equal(DockerImageReference.parse('quay.io/ubuntu').dockerClientDefaults().exact(), 'quay.io/ubuntu:latest');
    assert.equal(DockerImageReference.parse('a/b:1').dockerClientDefaults().exact(), 'docker.io/a/b:1');
  });

  test('mostSpecific() prefers a digest, and demotes a non-digest id to a tag', () => {
    assert.equal(DockerImageReference.parse(`a/b:t@${SHA}`).mostSpecific().tag, '');
    assert.deepEqual(new DockerImageReference({ name: 'n', id: 'abc' }).mostSpecific().parts(), {
      registry: '',
      namespace: '',
      name: 'n',
      tag: 'abc',
      id: '',
    });
    const both = new DockerImageReference({ name: 'n', tag: 't', id: 'abc' });
    assert.equal(both.mostSpecific(), both);
    const plain = DockerImageReference.parse('n:t');
    assert.equal(plain.mostSpecific(), plain);
  });

  test('equals() compares with client defaults applied', () => {
    assert.ok(DockerImageReference.parse('foobar').equals(DockerImageReference.parse('docker.io/library/foobar:latest')));
    assert.ok(!DockerImageReference.parse('foobar').equals(DockerImageReference.parse('quay.io/foobar')));
  });

  test('minimal, asRepository, repositoryName, asV2 and daemonMinimal', () => {
    assert.equal(DockerImageReference.parse('a/b:latest').minimal().exact(), 'a/b');
    assert.equal(DockerImageReference.parse(`r/a/b:1@${SHA}`).asRepository().exact(), 'r/a/b');
    assert.equal(DockerImageReference.parse(`r:5000/a/b:1@${SHA}`).repositoryName(), 'a/b');
    assert.equal(DockerImageReference.parse('docker.io/a/b').asV2().registry, 'registry-1.docker.io');
    assert.equal(DockerImageReference.parse('index.docker.io/a/b').asV2().registry, 'registry-1.docker.io');
    assert.equal(DockerImageReference.parse('quay.io/a/b').asV2().registry, 'quay.io');
    assert.equal(DockerImageReference.parse('index.docker.io/library/foo:latest').daemonMinimal().exact(), 'docker.io/foo');
  });

  test('registryHostPort() defaults to Docker Hub and 443 (80 when insecure)', () => {
    // The v2 rewrite happens before defaulting, so an unset registry stays docker.io.
    assert.deepEqual(DockerImageReference.parse('foo').registryHostPort(false), ['docker.io', '443']);
    assert.deepEqual(DockerImageReference.parse('docker.io/foo').registryHostPort(false), ['registry-1.docker.io', '443']);
    assert.deepEqual(DockerImageReference.parse('quay.io/foo').registryHostPort(true), ['quay.io', '80']);
    assert.deepEqual(DockerImageReference.parse('localhost:5000/foo').registryHostPort(false), ['localhost', '5000']);
    assert.deepEqual(splitHostPort('[::1]:5000'), ['::1', '5000']);
    assert.deepEqual(splitHostPort('a:b:c'), ['', '']);
  });
});

describe('digests', () => {
  test('only sha256/384/512 with hex of exact length are digests', () => {
    assert.equal(digestError(SHA), null);
    assert.equal(digestError('sha256:ABC'), 'invalid checksum digest length');
    assert.equal(digestError(`sha256:${'A'.repeat(64)}`), null);
    assert.equal(digestError('sha256'), 'invalid checksum digest format');
    assert.equal(digestError('sha256:'), 'invalid checksum digest format');
    assert.equal(digestError(`sha256:${'g'.repeat(64)}`), 'invalid checksum digest format');
    assert.equal(digestError(`sha1:${'a'.repeat(40)}`), 'unsupported digest algorithm');
    assert.ok(isDigest(`sha512:${'0'.repeat(128)}`));
  });

  test('computeDigest and digestMatches hash the exact bytes', () => {
    const d = computeDigest('hello');
    assert.equal(d, 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.ok(digestMatches(d, Buffer.from('hello')));
    assert.ok(!digestMatches(d, 'hello\n'));
    assert.ok(!digestMatches(d.toUpperCase().replace('SHA256', 'sha256'), 'hello'), 'comparison is exact');
    assert.ok(digestMatches(computeDigest('x', 'sha512'), 'x'));
    assert.ok(!digestMatches('not-a-digest', 'x'));
  });
});
