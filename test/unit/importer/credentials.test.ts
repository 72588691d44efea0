import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { Keyring, type PullSecret } from '../../../src/image/importer/credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const configJSON = (auths: Record<string, unknown>, name = 's'): PullSecret => ({
  metadata: { name },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});
const dockercfg = (auths: Record<string, unknown>, name = 'cfg'): PullSecret => ({
  metadata: { name },
  type: 'kubernetes.io/dockercfg',
  data: { '.dockercfg': b64(JSON.stringify(auths)) },
});
const users = (k: Keyring, registry: string, repo: string) => k.lookup(registry, repo).map((c) => c.username);

describe('pull secret credentials', () => {
  it('reads both secret types, base64 auth and username/password', () => {
    const { keyring, problems } = Keyring.fromSecrets([
      configJSON({ 'quay.io': { auth: b64('alice:pa:ss') } }),
      dockercfg({ 'https://registry.example.com/v1/': { username: 'bob', password: 'pw', email: 'b@example.com' } }),
      { metadata: { name: 'opaque' }, type: 'Opaque', data: { token: b64('x') } },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(keyring.first('quay.io', 'team/app'), { username: 'alice', password: 'pa:ss', server: 'quay.io' });
    assert.equal(keyring.first('registry.example.com', 'x/y')?.username, 'bob');
    assert.equal(keyring.first('other.io', 'x/y'), undefined);
  });

  it('reports unreadable secrets and entries and keeps the rest', () => {
    const { keyring, problems } = Keyring.fromSecrets([
      { metadata: { name: 'broken' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{not json') } },
      { metadata: { name: 'empty' }, type: 'kubernetes.io/dockercfg', data: {} },
      configJSON({ 'good.io': { auth: b64('u:p') }, 'bad.io': { auth: b64('no-colon') }, 'anon.io': {} }, 'mixed'),
    ]);
    assert.equal(keyring.size, 1);
    assert.equal(problems.length, 3);
    assert.match(problems[0] ?? '', /^secret broken: /);
    assert.match(problems[1] ?? '', /^secret empty: no \.dockercfg key/);
    assert.match(problems[2] ?? '', /^secret mixed: bad\.io: auth is not base64/);
  });

  it('accepts plain JSON data as well as base64', () => {
    const { keyring } = Keyring.fromSecrets([{ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': JSON.stringify({ auths: { 'r.io': { username: 'u', password: 'p' } } }) } }]);
    assert.equal(keyring.first('r.io', 'a/b')?.username, 'u');
  });

  it('matches host and port exactly (443 is the same as no port)', () => {
    const k = new Keyring();
    k.add('registry.example.com:5000', 'with-port', 'x');
    k.add('registry.example.com', 'no-port', 'x');
    assert.deepEqual(users(k, 'registry.example.com:5000', 'a/b'), ['with-port']);
    assert.deepEqual(users(k, 'registry.example.com', 'a/b'), ['no-port']);
    assert.deepEqual(users(k, 'registry.example.com:443', 'a/b'), ['no-port']);
    assert.deepEqual(users(k, 'example.com', 'a/b'), []);
    assert.deepEqual(users(k, 'sub.registry.example.com', 'a/b'), []);
  });

  it('matches path prefixes on whole segments, most specific first', () => {
    const k = new Keyring();
    k.add('quay.io', 'host', 'x');
    k.add('quay.io/team', 'team', 'x');
    k.add('quay.io/team/app', 'app', 'x');
    assert.deepEqual(users(k, 'quay.io', 'team/app'), ['app', 'team', 'host']);
    assert.deepEqual(users(k, 'quay.io', 'team/other'), ['team', 'host']);
    assert.deepEqual(users(k, 'quay.io', 'teammate/app'), ['host'], 'quay.io/team does not cover quay.io/teammate');
  });

  it('matches *. wildcards per DNS label, after exact hosts', () => {
    const k = new Keyring();
    k.add('*.example.com', 'wild', 'x');
    k.add('eu.example.com', 'exact', 'x');
    k.add('*.*.example.com', 'deep', 'x');
    assert.deepEqual(users(k, 'eu.example.com', 'a'), ['exact', 'wild']);
    assert.deepEqual(users(k, 'us.example.com', 'a'), ['wild']);
    assert.deepEqual(users(k, 'a.b.example.com', 'a'), ['deep']);
    assert.deepEqual(users(k, 'example.com', 'a'), []);
  });

  it('treats docker.io, index.docker.io and registry-1.docker.io as one registry', () => {
    for (const key of ['https://index.docker.io/v1/', 'docker.io', 'registry-1.docker.io']) {
      const k = new Keyring();
      k.add(key, 'hub', 'x');
      for (const registry of ['', 'docker.io', 'index.docker.io', 'registry-1.docker.io']) {
        assert.deepEqual(users(k, registry, 'library/busybox'), ['hub'], `${key} for ${registry || '(default)'}`);
      }
      assert.deepEqual(users(k, 'quay.io', 'library/busybox'), []);
    }
  });

  it('strips schemes, /v1/ /v2/ prefixes and trailing slashes from keys', () => {
    const k = new Keyring();
    k.add('http://r.io:8080/v2/', 'root', 'x');
    k.add('https://r.io:8080/ns/', 'ns', 'x');
    assert.deepEqual(users(k, 'r.io:8080', 'ns/app'), ['ns', 'root']);
    assert.equal(k.add('   ', 'nobody', 'x'), false);
  });
});
