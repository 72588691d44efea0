import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import express, { type Express, type RequestHandler } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { requestState } from '../../../../src/apiserver/endpoints/request-state.js';
import { maxInFlight } from '../../../../src/apiserver/filters/max-inflight.js';
import { errorWriter, recovery } from '../../../../src/apiserver/filters/recovery.js';
import { requestInfo } from '../../../../src/apiserver/filters/request-info.js';
import { parseGoDuration } from '../../../../src/apiserver/filters/request-timeout.js';

const LIST = '/apis/image.openshift.io/v1/namespaces/a/imagestreams';

/**
 * request info -> a user from the X-Groups header -> the limiter -> a handler that holds requests
 * marked ?hold until released (and says when one arrived); everything else answers at once.
 */
function limitedApp(limiter: RequestHandler): { app: Express; arrived: () => Promise<void>; release: () => void } {
  const held: (() => void)[] = [];
  let arrivals: (() => void)[] = [];
  const app = express();
  app.use(requestInfo());
  app.use((req, _res, next) => {
    requestState(req).user = { username: 'u', groups: String(req.headers['x-groups'] ?? '').split(',').filter(Boolean) };
    next();
  });
  app.use(limiter);
  app.use((req, res) => {
    const answer = (): void => void res.end('ok');
    if (!requestState(req).query.has('hold')) return answer();
    held.push(answer);
    for (const a of arrivals) a();
    arrivals = [];
  });
  app.use(recovery(errorWriter(pino({ level: 'silent' }))));
  return {
    app,
    arrived: () => new Promise<void>((resolve) => arrivals.push(resolve)),
    release: () => held.shift()?.(),
  };
}

describe('in-flight limits', () => {
  it('answer 429 with Retry-After past the read-only limit and admit again after a release', async () => {
    const counts: string[] = [];
    const { app, arrived, release } = limitedApp(maxInFlight({ maxReadOnly: 2, maxMutating: 1, onChange: (k, n) => counts.push(`${k}=${n}`) }));
    const agent = request(app);
    /** Sends a request the handler holds, and waits until it got there. */
    const hold = async (method: 'get' | 'post'): Promise<{ response: Promise<request.Response> }> => {
      const a = arrived();
      const response = agent[method](`${LIST}?hold=1`).then((x) => x);
      await a;
      return { response };
    };
    const r1 = await hold('get');
    const r2 = await hold('get');
    const refused = await agent.get(LIST);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.body.reason, 'TooManyRequests');
    const post = await hold('post');
    assert.deepEqual(counts.slice(0, 3), ['readOnly=1', 'readOnly=2', 'mutating=1'], 'mutating requests have their own limit');
    release();
    assert.equal((await r1.response).status, 200);
    const r3 = await hold('get');
    assert.equal((await agent.get(LIST)).status, 429, 'a release frees exactly one slot');
    release();
    release();
    release();
    assert.equal((await r2.response).status, 200);
    assert.equal((await post.response).status, 200);
    assert.equal((await r3.response).status, 200);
  });

  it('do not limit watches, health probes or system:masters', async () => {
    const { app, arrived, release } = limitedApp(maxInFlight({ maxReadOnly: 1, maxMutating: 1 }));
    const agent = request(app);
    const a = arrived();
    const held = agent.get(`${LIST}?hold=1`).then((x) => x);
    await a;
    assert.equal((await agent.get(LIST)).status, 429, 'the one slot is taken');
    assert.equal((await agent.get(`${LIST}?watch=true`)).status, 200);
    assert.equal((await agent.get('/readyz')).status, 200);
    assert.equal((await agent.get(LIST).set('X-Groups', 'system:masters')).status, 200);
    release();
    await held;
  });
});

describe('request timeouts', () => {
  it('parse the Go durations clients send in ?timeout=', () => {
    assert.equal(parseGoDuration('30s'), 30);
    assert.equal(parseGoDuration('1m30s'), 90);
    assert.equal(parseGoDuration('250ms'), 0.25);
    assert.equal(parseGoDuration('10'), undefined);
    assert.equal(parseGoDuration('soon'), undefined);
  });
});
