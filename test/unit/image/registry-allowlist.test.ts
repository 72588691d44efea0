import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { DockerImageReference } from '../../../src/image/api/reference.js';
import { InvalidAllowedRegistryError, newRegistryAllowList, parseAllowedRegistries, wildcardMatch } from '../../../src/image/api/validation/registry-allowlist.js';
import { formatQuantity, parseQuantity } from '../../../src/image/api/quantity.js';

const ref = (s: string): DockerImageReference => DockerImageReference.parse(s);

describe('registry allow-list', () => {
  test('wildcards: * any run, ? one character, case sensitive', () => {
    assert.ok(wildcardMatch('a.example.com', '*.example.com'));
    assert.ok(wildcardMatch('example.com', '*example.com'));
    assert.ok(wildcardMatch('reg1', 'reg?'));
    assert.ok(!wildcardMatch('reg12', 'reg?'));
    assert.ok(!wildcardMatch('Quay.io', 'quay.io'));
    assert.ok(wildcardMatch('', '*'));
  });

  test('no entries: everything is allowed', () => {
    assert.equal(newRegistryAllowList([]).admitReference(ref('anything.io/x/y'), 'secure'), null);
  });

  test('ports: no port means 443 (secure) or 80 (insecure); an explicit port must match', () => {
    const list = newRegistryAllowList([{ domainName: 'quay.io' }, { domainName: 'plain.io', insecure: true }, { domainName: 'ported.io:5000' }]);
    assert.equal(list.admitReference(ref('quay.io/a/b'), 'secure'), null);
    assert.equal(list.admitReference(ref('quay.io:443/a/b'), 'secure'), null);
    assert.notEqual(list.admitReference(ref('quay.io:5000/a/b'), 'secure'), null);
    assert.notEqual(list.admitReference(ref('plain.io/a/b'), 'secure'), null);
    assert.equal(list.admitReference(ref('plain.io/a/b'), 'any'), null);
    assert.equal(list.admitReference(ref('ported.io:5000/a/b'), 'secure'), null);
  });

  test('Docker Hub names match a docker.io entry; the message shows the inferred host:port without a registry', () => {
    const list = newRegistryAllowList([{ domainName: 'docker.io' }]);
    assert.equal(list.admitReference(ref('busybox'), 'secure'), null);
    assert.equal(list.admitReference(ref('index.docker.io/library/busybox'), 'secure'), null);
    const other = newRegistryAllowList([{ domainName: 'quay.io' }]);
    assert.equal(other.admitReference(ref('busybox'), 'secure'), 'registry "docker.io:443" not allowed by whitelist: "quay.io:443"');
  });

  test('the internal registry is always allowed and listed first; more than five patterns are elided', () => {
    const list = newRegistryAllowList(
      ['a.io', 'b.io', 'c.io', 'd.io', 'e.io'].map((domainName) => ({ domainName })),
      { internalRegistryHostname: 'internal.svc:5000' },
    );
    assert.equal(list.admitReference(ref('internal.svc:5000/ns/is'), 'secure'), null);
    assert.equal(
      list.admitReference(ref('z.io/x/y'), 'secure'),
      'registry "z.io" not allowed by whitelist: "internal.svc:5000", "a.io:443", "b.io:443", "c.io:443", and 2 more ...',
    );
  });

  test('withPullSpecs admits the repositories of given pull specs only', () => {
    const list = newRegistryAllowList([{ domainName: 'quay.io' }]).withPullSpecs(['ghcr.io/org/app:1', 'not a ref']);
    assert.equal(list.admitReference(ref('ghcr.io/org/app@sha256:' + 'a'.repeat(64)), 'secure'), null);
    assert.notEqual(list.admitReference(ref('ghcr.io/org/other:1'), 'secure'), null);
  });

  test('entries from a flag or a document; malformed ones are reported', () => {
    assert.deepEqual(parseAllowedRegistries('quay.io, insecure://reg.local:5000,,', 'flag'), [
      { domainName: 'quay.io' },
      { domainName: 'reg.local:5000', insecure: true },
    ]);
    assert.deepEqual(parseAllowedRegistries('spec:\n  allowedRegistriesForImport:\n  - domainName: quay.io\n    insecure: false\n', 'document'), [
      { domainName: 'quay.io', insecure: false },
    ]);
    assert.deepEqual(parseAllowedRegistries('[{"domainName": "a.io", "insecure": true}]', 'document'), [{ domainName: 'a.io', insecure: true }]);
    assert.throws(() => parseAllowedRegistries('[{"insecure": true}]', 'document'), InvalidAllowedRegistryError);
    assert.throws(() => newRegistryAllowList([{ domainName: 'a:b:c' }]), /too many colons/);
  });
});

describe('quantities', () => {
  test('parse suffixes; print whole numbers with the largest exact suffix', () => {
    assert.deepEqual(parseQuantity('1Gi'), { value: 2 ** 30, format: 'BinarySI' });
    assert.deepEqual(parseQuantity('5'), { value: 5, format: 'DecimalSI' });
    assert.equal(parseQuantity('1e3')?.value, 1000);
    assert.equal(parseQuantity('nope'), undefined);
    assert.equal(formatQuantity({ value: 2 ** 20, format: 'BinarySI' }), '1Mi');
    assert.equal(formatQuantity({ value: 26727512, format: 'BinarySI' }), '26727512');
    assert.equal(formatQuantity({ value: 3, format: 'DecimalSI' }), '3');
    assert.equal(formatQuantity({ value: 2000, format: 'DecimalSI' }), '2k');
  });
});
