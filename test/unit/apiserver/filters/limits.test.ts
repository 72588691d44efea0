import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from '@jest/globals';
import { parseRequestInfo } from '../../../../src/apiserver/endpoints/request-info.js';
import type { RequestState } from '../../../../src/apiserver/endpoints/request-state.js';
import { composeHooks } from '../../../../src/apiserver/filters/hooks.js';
import { maxInFlightHook } from '../../../../src/apiserver/filters/max-inflight.js';
import { parseGoDuration } from '../../../../src/apiserver/filters/request-timeout.js';

function state(method: string, path: string, groups: string[] = []): RequestState {
  const url = new URL(path, 'https://x');
  return { info: parseRequestInfo(method, url.pathname, url.searchParams), query: url.searchParams, user: { username: 'u', groups }, auditID: 'a', receivedAt: new Date() };
}

/** Just enough of a response to record what the limiter wrote. */
function response(): ServerResponse & { written: { code: number; headers: Record<string, unknown>; body: string } } {
  const r = {
    written: { code: 0, headers: {}, body: '' },
    writableEnded: false,
    headersSent: false,
    writeHead(code: number, headers: Record<string, unknown>) {
      r.written.code = code;
      r.written.headers = headers;
      r.headersSent = true;
      return r;
    },
    end(body?: string) {
      r.written.body = body ?? '';
      r.writableEnded = true;
      return r;
    },
  };
  return r as unknown as ServerResponse & { written: { code: number; headers: Record<string, unknown>; body: string } };
}

const req = {} as IncomingMessage;
const LIST = '/apis/image.openshift.io/v1/namespaces/a/imagestreams';

describe('in-flight limits', () => {
  it('answer 429 with Retry-After past the read-only limit and admit again after a release', () => {
    const counts: string[] = [];
    const hook = maxInFlightHook({ maxReadOnly: 2, maxMutating: 1, onChange: (k, n) => counts.push(`${k}=${n}`) });
    const r1 = hook.admit?.(req, response(), state('GET', LIST)) as () => void;
    const r2 = hook.admit?.(req, response(), state('GET', LIST)) as () => void;
    const refused = response();
    assert.equal(hook.admit?.(req, refused, state('GET', LIST)), undefined);
    assert.equal(refused.written.code, 429);
    assert.equal(refused.written.headers['Retry-After'], '1');
    assert.equal(JSON.parse(refused.written.body).reason, 'TooManyRequests');
    assert.ok(hook.admit?.(req, response(), state('POST', LIST)), 'mutating requests have their own limit');
    r1();
    r1();
    assert.ok(hook.admit?.(req, response(), state('GET', LIST)), 'a release frees one slot, once');
    r2();
    assert.deepEqual(counts.slice(0, 3), ['readOnly=1', 'readOnly=2', 'mutating=1']);
  });

  it('do not limit watches, health probes or system:masters', () => {
    const hook = maxInFlightHook({ maxReadOnly: 1, maxMutating: 1 });
    assert.ok(hook.admit?.(req, response(), state('GET', LIST)));
    for (const s of [state('GET', `${LIST}?watch=true`), state('GET', '/readyz'), state('GET', LIST, ['system:masters'])]) {
      const res = response();
      assert.equal(hook.admit?.(req, res, s), undefined);
      assert.equal(res.written.code, 0, s.info.path);
    }
  });

  it('composed hooks stop at the first that answers and release in reverse order', async () => {
    const order: string[] = [];
    const hooks = composeHooks([
      { admit: () => () => order.push('first') },
      { admit: () => () => order.push('second') },
      { admit: (_q, res) => void res.end() },
      { admit: () => () => order.push('never') },
    ]);
    const res = response();
    const release = await hooks.admit?.(req, res, state('GET', LIST));
    release?.();
    assert.deepEqual(order, ['second', 'first']);
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
