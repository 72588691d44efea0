import assert from 'node:assert/strict';
import { createServer, IncomingMessage, request as httpRequest } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { describe, it } from '@jest/globals';
import { pino } from 'pino';
import { DelegatedAuthenticationConfig, parseAuthenticationConfigMap } from '../../../../src/apiserver/auth/authentication-config.js';
import { CABundle, verifyClientCertificate, type ClientCertificate } from '../../../../src/apiserver/auth/certificates.js';
import { identityFromHeaders, type RequestHeaderConfig } from '../../../../src/apiserver/auth/request-header.js';
import { TokenReviewAuthenticator } from '../../../../src/apiserver/auth/token-review.js';
import { Coalescer, TTLCache } from '../../../../src/apiserver/auth/ttl-cache.js';
import { UnionAuthenticator } from '../../../../src/apiserver/auth/union.js';
import type { TokenReviewSpec, TokenReviewStatus } from '../../../../src/apiserver/hostcluster/types.js';
import { InMemoryHostCluster } from '../../../../src/apiserver/hostcluster/in-memory.js';
import { generateCA, issueCertificate } from '../../../../src/apiserver/server/selfsigned.js';
import { X509Certificate } from 'node:crypto';

/** A real request parsed by node's HTTP server from these header lines (repeated names stay separate). */
async function parsed<T>(lines: [string, string][], fn: (req: IncomingMessage) => T): Promise<T> {
  let out: T | undefined;
  const server = createServer((req, res) => {
    out = fn(req);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve, reject) => {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of lines) (headers[k] ??= []).push(v);
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  await new Promise<void>((r) => server.close(() => r()));
  return out as T;
}

/** A request object with single-valued headers (enough for bearer tokens). */
function request(rawHeaders: string[]): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  for (let i = 0; i < rawHeaders.length; i += 2) req.headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return req;
}

function clientCert(pem: string): ClientCertificate {
  const leaf = new X509Certificate(pem);
  return { leaf, commonName: 'x', organizations: [], intermediates: [], credentialID: '' };
}

const CA = generateCA('unit-ca');
const OTHER_CA = generateCA('unit-other-ca');

describe('client certificate verification', () => {
  it('accepts a client certificate signed by a CA of the bundle, also when the bundle holds several (rotation overlap)', () => {
    const cert = clientCert(issueCertificate(CA, { commonName: 'a', usage: 'client' }).cert);
    assert.equal(verifyClientCertificate(cert, CABundle.parse(CA.cert)), undefined);
    assert.equal(verifyClientCertificate(cert, CABundle.parse(`${OTHER_CA.cert}\n${CA.cert}`)), undefined);
  });

  it('refuses an unknown CA, an expired certificate and one without client-auth usage', () => {
    const bundle = CABundle.parse(CA.cert);
    assert.match(verifyClientCertificate(clientCert(issueCertificate(OTHER_CA, { commonName: 'a', usage: 'client' }).cert), bundle) ?? '', /unknown authority/);
    assert.match(verifyClientCertificate(clientCert(issueCertificate(CA, { commonName: 'a', usage: 'client', days: -1 }).cert), bundle) ?? '', /expired/);
    assert.match(verifyClientCertificate(clientCert(issueCertificate(CA, { commonName: 'a', usage: 'server' }).cert), bundle) ?? '', /key usage/);
  });

  it('reports a PEM bundle without certificates', () => {
    assert.throws(() => CABundle.parse('nothing here', 'client-ca-file'), /client-ca-file: no PEM certificates found/);
  });
});

describe('front-proxy headers', () => {
  const config: RequestHeaderConfig = {
    ca: CABundle.parse(CA.cert),
    allowedNames: [],
    usernameHeaders: ['X-Remote-User', 'X-Other-User'],
    uidHeaders: ['X-Remote-Uid'],
    groupHeaders: ['X-Remote-Group'],
    extraHeaderPrefixes: ['X-Remote-Extra-'],
  };

  it('reads every group header line without splitting on commas, drops empty ones, and percent-decodes lower-cased extra keys', async () => {
    const lines: [string, string][] = [
      ['X-Remote-User', 'alice'],
      ['X-Remote-Group', 'cn=a,dc=b'],
      ['X-Remote-Group', ''],
      ['X-Remote-Group', 'devs'],
      ['X-Remote-Extra-Foo%2FBar', 'v1'],
      ['X-Remote-Extra-Foo%2FBar', 'v2'],
      ['X-Remote-Extra-Bad%zz', 'raw'],
      ['X-Remote-Uid', 'u-1'],
    ];
    const [identity, leftover] = await parsed(lines, (req) => [identityFromHeaders(req, config), req.headers['x-remote-user']] as const);
    assert.deepEqual(identity, {
      username: 'alice',
      uid: 'u-1',
      groups: ['cn=a,dc=b', 'devs'],
      extra: { 'foo/bar': ['v1', 'v2'], 'bad%zz': ['raw'] },
    });
    assert.equal(leftover, undefined, 'consumed headers are removed');
  });

  it('takes the first non-empty username header; none means no identity', async () => {
    const lines: [string, string][] = [['X-Remote-User', ''], ['X-Other-User', 'bob']];
    assert.equal((await parsed(lines, (req) => identityFromHeaders(req, config)))?.username, 'bob');
    assert.equal(await parsed([['X-Remote-Group', 'devs']], (req) => identityFromHeaders(req, config)), undefined);
  });
});

describe('the authentication ConfigMap', () => {
  it('parses JSON lists, treats null and absent lists as empty, and reports broken values', () => {
    const parsed = parseAuthenticationConfigMap({
      'client-ca-file': CA.cert,
      'requestheader-client-ca-file': OTHER_CA.cert,
      'requestheader-allowed-names': '["front-proxy-client"]',
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
      'requestheader-uid-headers': 'null',
    });
    assert.deepEqual(parsed.errors, []);
    assert.ok(parsed.clientCA);
    assert.deepEqual(parsed.requestHeader?.allowedNames, ['front-proxy-client']);
    assert.deepEqual(parsed.requestHeader?.uidHeaders, []);
    const broken = parseAuthenticationConfigMap({ 'requestheader-client-ca-file': OTHER_CA.cert, 'requestheader-allowed-names': 'front-proxy-client' });
    assert.match(broken.errors[0], /requestheader-allowed-names: not a JSON list/);
  });

  it('follows the ConfigMap, and keeps the previous CA when an update carries a broken one', () => {
    const host = new InMemoryHostCluster();
    host.setConfigMap('kube-system', 'extension-apiserver-authentication', { 'client-ca-file': CA.cert });
    const flags = {
      clientCAFile: '',
      requestHeaderClientCAFile: '',
      requestHeaderAllowedNames: [],
      requestHeaderUsernameHeaders: [],
      requestHeaderGroupHeaders: [],
      requestHeaderExtraHeadersPrefix: [],
      requestHeaderUIDHeaders: [],
    };
    const cfg = new DelegatedAuthenticationConfig({ flags, host, logger: pino({ level: 'silent' }) });
    assert.ok(cfg.isLoaded());
    assert.equal(cfg.clientCA()?.pem, CA.cert);
    host.setConfigMap('kube-system', 'extension-apiserver-authentication', { 'client-ca-file': OTHER_CA.cert });
    assert.equal(cfg.clientCA()?.pem, OTHER_CA.cert);
    host.setConfigMap('kube-system', 'extension-apiserver-authentication', { 'client-ca-file': '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----' });
    assert.equal(cfg.clientCA()?.pem, OTHER_CA.cert);
    host.setConfigMap('kube-system', 'extension-apiserver-authentication', undefined);
    assert.equal(cfg.clientCA(), undefined);
    cfg.stop();
  });
});

describe('TokenReview authentication', () => {
  function reviewer(answer: (spec: TokenReviewSpec) => TokenReviewStatus | Promise<TokenReviewStatus>): { calls: TokenReviewSpec[]; review: (spec: TokenReviewSpec) => Promise<TokenReviewStatus> } {
    const calls: TokenReviewSpec[] = [];
    return { calls, review: async (spec) => (calls.push(spec), answer(spec)) };
  }

  it('caches answers, good and bad, for the TTL and asks again afterwards', async () => {
    let now = 1_000_000;
    const r = reviewer((s) => (s.token === 'good' ? { authenticated: true, user: { username: 'u', groups: ['g'] } } : { authenticated: false, error: 'nope' }));
    const a = new TokenReviewAuthenticator({ review: r.review, cacheTTLSeconds: 10, clock: () => now });
    assert.deepEqual(await a.authenticateToken('good'), { kind: 'authenticated', user: { username: 'u', groups: ['g'] } });
    assert.deepEqual(await a.authenticateToken('bad'), { kind: 'error', error: 'nope' });
    await a.authenticateToken('good');
    await a.authenticateToken('bad');
    assert.equal(r.calls.length, 2);
    now += 10_001;
    await a.authenticateToken('good');
    assert.equal(r.calls.length, 3);
  });

  it('does not cache a failed review call', async () => {
    let fail = true;
    const r = reviewer(() => {
      if (fail) throw new Error('connection refused');
      return { authenticated: true, user: { username: 'u' } };
    });
    const a = new TokenReviewAuthenticator({ review: r.review });
    assert.deepEqual(await a.authenticateToken('t'), { kind: 'error', error: 'token review failed: connection refused' });
    fail = false;
    assert.equal((await a.authenticateToken('t')).kind, 'authenticated');
  });

  it('shares one review among concurrent lookups of the same token', async () => {
    const r = reviewer(async () => {
      await new Promise((res) => setTimeout(res, 20));
      return { authenticated: true, user: { username: 'u' } };
    });
    const a = new TokenReviewAuthenticator({ review: r.review });
    const results = await Promise.all(Array.from({ length: 20 }, () => a.authenticateToken('t')));
    assert.ok(results.every((x) => x.kind === 'authenticated'));
    assert.equal(r.calls.length, 1);
  });

  it('sends the configured audiences and requires one of them in the answer', async () => {
    const r = reviewer((s) => ({ authenticated: true, user: { username: 'u' }, audiences: s.token === 'other' ? ['https://kubernetes.default.svc'] : ['api'] }));
    const a = new TokenReviewAuthenticator({ review: r.review, audiences: ['api', 'api2'] });
    assert.equal((await a.authenticateToken('t')).kind, 'authenticated');
    assert.deepEqual(r.calls[0].audiences, ['api', 'api2']);
    const other = await a.authenticateToken('other');
    assert.equal(other.kind, 'error');
    assert.match(other.kind === 'error' ? other.error : '', /audiences/);
  });

  it('ignores requests without a bearer token', async () => {
    const a = new TokenReviewAuthenticator({ review: async () => ({ authenticated: true, user: { username: 'u' } }) });
    assert.deepEqual(await a.authenticate(request([])), { kind: 'not-handled' });
    assert.deepEqual(await a.authenticate(request(['Authorization', 'Basic abc'])), { kind: 'not-handled' });
  });
});

describe('the authenticator union', () => {
  const fixed = (r: Awaited<ReturnType<UnionAuthenticator['authenticate']>>) => ({ authenticate: async () => r });

  it('first success wins and gets system:authenticated; errors without a success are 401; nothing is anonymous', async () => {
    const ok = fixed({ kind: 'authenticated', user: { username: 'u', groups: [] } });
    const bad = fixed({ kind: 'error', error: 'bad cert' });
    const none = fixed({ kind: 'not-handled' });
    assert.deepEqual(await new UnionAuthenticator([bad, ok], true).authenticate(request([])), { kind: 'authenticated', user: { username: 'u', groups: ['system:authenticated'] } });
    assert.deepEqual(await new UnionAuthenticator([none, bad], true).authenticate(request([])), { kind: 'error', error: 'bad cert' });
    assert.deepEqual(await new UnionAuthenticator([none], true).authenticate(request([])), { kind: 'authenticated', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } });
    assert.equal((await new UnionAuthenticator([none], false).authenticate(request([]))).kind, 'error');
  });
});

describe('cache primitives', () => {
  it('TTLCache expires entries and evicts the oldest when full', () => {
    let now = 0;
    const c = new TTLCache<number>(2, () => now);
    c.set('a', 1, 100);
    c.set('b', 2, 100);
    c.set('c', 3, 100);
    assert.equal(c.get('a'), undefined);
    assert.equal(c.get('c'), 3);
    now = 100;
    assert.equal(c.get('b'), undefined);
  });

  it('Coalescer shares the in-flight promise and forgets it when done', async () => {
    const c = new Coalescer<number>();
    let calls = 0;
    const f = async (): Promise<number> => (calls++, 7);
    const a = c.run('k', f);
    const b = c.run('k', f);
    assert.equal(b.joined, true);
    assert.equal(await a.promise, 7);
    assert.equal(await b.promise, 7);
    assert.equal(c.active, 0);
    assert.equal(calls, 1);
  });
});
