import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { Semaphore } from '../../../src/image/importer/concurrency.js';
import { SizedLRU } from '../../../src/image/importer/lru.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter } from '../../../src/image/importer/retry.js';
import { nextLink } from '../../../src/image/importer/repository.js';
import { parseTokenResponse, tokenRequestURL, credentialIdentity } from '../../../src/image/importer/auth.js';

describe('retry policy', () => {
  it('retries 429 and 5xx, not other answers', () => {
    for (const s of [429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
    for (const s of [200, 400, 401, 403, 404, 501]) assert.equal(isRetryableStatus(s), false, String(s));
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(['2'], now), 2000);
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2029 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('backs off exponentially, capped, with jitter in the upper half', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(1, p, () => 0), 50);
    assert.equal(backoffDelay(1, p, () => 1), 100);
    assert.equal(backoffDelay(3, p, () => 1), 400);
    assert.equal(backoffDelay(10, p, () => 1), 1000);
  });
});

describe('size-bounded LRU', () => {
  it('evicts the least recently used entries beyond the byte and entry limits', () => {
    const lru = new SizedLRU<string>(10, 3, (v) => v.length);
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    assert.equal(lru.get('a'), 'aaaa'); // a is now the most recent
    lru.set('c', 'cc'); // 10 bytes: fits
    assert.equal(lru.totalBytes, 10);
    lru.set('d', 'd'); // over 10 bytes: b (least recent) goes
    assert.equal(lru.has('b'), false);
    assert.deepEqual(['a', 'c', 'd'].map((k) => lru.has(k)), [true, true, true]);
    lru.set('e', 'e'); // 4 entries > 3: a (least recent) goes
    assert.equal(lru.has('a'), false);
    lru.set('huge', 'x'.repeat(11)); // never fits: not stored, nothing evicted
    assert.equal(lru.has('huge'), false);
    assert.equal(lru.size, 3);
    lru.set('c', 'cccc'); // replacing updates the byte count
    assert.equal(lru.totalBytes, 6);
  });
});

describe('concurrency limit', () => {
  it('admits at most `limit` holders and hands slots over in order', async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const w3 = s.acquire().then((r) => (order.push('3'), r));
    const w4 = s.acquire().then((r) => (order.push('4'), r));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.inFlight, 2);
    assert.deepEqual(order, []);
    r1();
    r1(); // releasing twice is harmless
    const r3 = await w3;
    assert.deepEqual(order, ['3']);
    r2();
    (await w4)();
    r3();
    assert.equal(s.inFlight, 0);
  });

  it('gives up waiting when the caller aborts', async () => {
    const s = new Semaphore(1);
    const held = await s.acquire();
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    held();
    assert.equal(s.inFlight, 0);
  });
});

describe('pagination links and token answers', () => {
  it('finds rel="next" among links, relative to the request', () => {
    const base = new URL('http://r.io:5000/v2/a/b/tags/list?n=2');
    assert.equal(nextLink('</v2/a/b/tags/list?last=x&n=2>; rel="next"', base)?.href, 'http://r.io:5000/v2/a/b/tags/list?last=x&n=2');
    assert.equal(nextLink('<https://x/prev>; rel="prev", <?last=y>; rel=next', base)?.href, 'http://r.io:5000/v2/a/b/tags/list?last=y');
    assert.equal(nextLink('<https://x/p>; rel="prev"', base), undefined);
    assert.equal(nextLink(undefined, base), undefined);
  });

  it('builds token URLs and reads token answers with an expiry on our clock', () => {
    const url = tokenRequestURL({ scheme: 'bearer', params: { realm: 'https://auth.example.com/token?x=1', service: 'reg' } }, 'repository:a/b:pull');
    assert.equal(url?.href, 'https://auth.example.com/token?x=1&service=reg&scope=repository%3Aa%2Fb%3Apull');
    assert.equal(tokenRequestURL({ scheme: 'bearer', params: { realm: 'file:///etc/passwd' } }, 's'), undefined);
    assert.equal(tokenRequestURL({ scheme: 'bearer', params: {} }, 's'), undefined);
    assert.deepEqual(parseTokenResponse(Buffer.from('{"token":"t","expires_in":300}'), 1000), { token: 't', expiresAt: 1000 + 290_000 });
    assert.deepEqual(parseTokenResponse(Buffer.from('{"access_token":"a"}'), 0), { token: 'a', expiresAt: 54_000 });
    assert.equal(parseTokenResponse(Buffer.from('{}'), 0), undefined);
    assert.equal(parseTokenResponse(Buffer.from('nope'), 0), undefined);
  });

  it('keys tokens by who asked, never by username alone', () => {
    assert.equal(credentialIdentity(undefined), '');
    const a = credentialIdentity({ username: 'u', password: 'right', server: 's' });
    const b = credentialIdentity({ username: 'u', password: 'wrong', server: 's' });
    assert.notEqual(a, b);
  });
});
