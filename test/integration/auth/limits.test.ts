// Overload and slow requests: the in-flight limits answer 429 with Retry-After, the request timeout
// answers 504, and watches are exempt from both.

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { editRules } from '../../support/fake-host-cluster.js';
import { imageStream, nsPath } from '../../support/fixtures.js';

/** A POST whose body arrives only when finish() is called: it stays in flight until then. */
function slowPost(t: DelegatedTestServer, path: string, token: string, body: unknown): { response: Promise<{ status: number; text: string; headers: IncomingMessage['headers'] }>; finish(): void } {
  const payload = Buffer.from(JSON.stringify(body));
  const req = httpsRequest(new URL(path, t.server.url), {
    method: 'POST',
    ca: t.servingCA,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': String(payload.length), Accept: 'application/json' },
  });
  const response = new Promise<{ status: number; text: string; headers: IncomingMessage['headers'] }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
  });
  req.write(payload.subarray(0, 5));
  req.flushHeaders();
  return {
    response,
    finish: () => {
      req.end(payload.subarray(5));
    },
  };
}

describe('in-flight limits and the request timeout', () => {
  let t: DelegatedTestServer;
  before(async () => {
    t = await startDelegatedServer({ args: ['--max-requests-inflight=1', '--max-mutating-requests-inflight=1', '--request-timeout=1s'] });
    t.host.tokens.set('alice-token', { username: 'alice' });
    t.host.rules = editRules({ users: ['alice'] }, 'team-a');
  });
  after(async () => t?.stop());

  it('answers 429 with Retry-After when the mutating limit is reached, and serves again once a slot is free', async () => {
    const alice = t.withToken('alice-token');
    // Warm the caches so the held request is past authentication and authorization.
    assert.equal((await alice.get(nsPath('team-a', 'imagestreams'))).status, 200);
    assert.equal((await alice.post(nsPath('team-a', 'imagestreams'), imageStream('warm'))).status, 201);
    const held = slowPost(t, nsPath('team-a', 'imagestreams'), 'alice-token', imageStream('held'));
    await new Promise((r) => setTimeout(r, 150));
    const refused = await alice.post(nsPath('team-a', 'imagestreams'), imageStream('second'));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.deepEqual(refused.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Too many requests: please try again later',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
      code: 429,
    });
    assert.equal((await alice.get(nsPath('team-a', 'imagestreams'))).status, 200, 'read-only requests have their own limit');
    held.finish();
    assert.equal((await held.response).status, 201);
    assert.equal((await alice.post(nsPath('team-a', 'imagestreams'), imageStream('second'))).status, 201);
  });

  it('answers 504 Timeout when a request takes longer than --request-timeout', async () => {
    const held = slowPost(t, nsPath('team-a', 'imagestreams'), 'alice-token', imageStream('too-slow'));
    const r = await held.response;
    held.finish();
    assert.equal(r.status, 504);
    assert.deepEqual(JSON.parse(r.text), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
      reason: 'Timeout',
      details: {},
      code: 504,
    });
  });

  it('watches count against neither limit nor timeout', async () => {
    const alice = t.withToken('alice-token');
    const watches = await Promise.all([1, 2, 3].map(() => alice.watch(`${nsPath('team-a', 'imagestreams')}?watch=true&resourceVersion=0`)));
    try {
      for (const w of watches) assert.equal(w.status, 200);
      assert.equal((await alice.get(nsPath('team-a', 'imagestreams'))).status, 200, 'three open watches, and a list still fits the limit of 1');
      await new Promise((r) => setTimeout(r, 1300));
      assert.equal((await alice.post(nsPath('team-a', 'imagestreams'), imageStream('after-timeout'))).status, 201);
      for (const w of watches) {
        let seen = false;
        for (let e = await w.next(3000); e; e = await w.next(3000)) {
          if (e.object.metadata?.name === 'after-timeout') {
            seen = true;
            break;
          }
        }
        assert.ok(seen, 'the watch outlived the request timeout and delivered the new stream');
      }
    } finally {
      for (const w of watches) w.stop();
    }
  });
});
