// The Express app in-process (supertest): the order of the filter chain, the one error-handling
// middleware that turns whatever a filter, a route or a watch throws into the right Status, and
// what Express must not add to the wire.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from '@jest/globals';
import { pino } from 'pino';
import request from 'supertest';
import type { KubeObject } from '../../../../src/apiserver/api/types.js';
import type { Authenticator, Authorizer } from '../../../../src/apiserver/auth/types.js';
import { errors } from '../../../../src/apiserver/errors/index.js';
import type { APIWatchEvent, RESTStorage } from '../../../../src/apiserver/registry/rest.js';
import { HealthChecks } from '../../../../src/apiserver/server/health.js';
import { APIServer, type APIServerConfig, type RouteHandler } from '../../../../src/apiserver/server/server.js';

const WIDGETS = '/apis/example.test/v1/namespaces/ns/widgets';

function widget(name: string): KubeObject {
  return { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name, namespace: 'ns', resourceVersion: '7' } };
}

/** A storage whose gets and watches fail in the ways the names say. */
const widgets: RESTStorage = {
  info: { group: 'example.test', version: 'v1', resource: 'widgets', kind: 'Widget', listKind: 'WidgetList', singular: 'widget', namespaced: true },
  async get(_ctx, name) {
    if (name === 'missing') throw errors.notFound({ group: 'example.test', resource: 'widgets' }, name);
    if (name === 'broken') throw new Error('the disk is on fire');
    if (name === 'slow') await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    return widget(name);
  },
  async watch(_ctx, params) {
    if (params.resourceVersion === '1') throw errors.expired('too old resource version: 1 (7)');
    if (params.resourceVersion === '2') throw new Error('watch backend lost');
    async function* events(): AsyncGenerator<APIWatchEvent> {
      yield { type: 'ADDED', object: widget('first') };
      throw new Error('the stream broke');
    }
    return { events: events(), stop: () => undefined };
  },
};

interface Harness {
  app: APIServer['app'];
  calls: string[];
  logged: () => { msg: string; err?: { message?: string } }[];
}

function harness(extra: Partial<APIServerConfig> = {}): Harness {
  const calls: string[] = [];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const authenticator: Authenticator = {
    authenticate: async (req) => {
      calls.push('authenticate');
      const auth = req.headers.authorization;
      if (auth === 'Bearer explode') throw new Error('authenticator crashed');
      return auth === 'Bearer ok' ? { kind: 'authenticated', user: { username: 'alice', groups: ['system:authenticated'] } } : { kind: 'not-handled' };
    },
  };
  const authorizer: Authorizer = {
    authorize: async (attrs) => {
      calls.push('authorize');
      if ('nonResource' in attrs && attrs.nonResource.path === '/undecidable') return { decision: 'deny', error: 'webhook unreachable' };
      if ('resource' in attrs && attrs.resource.name === 'secret') return { decision: 'deny', reason: '' };
      return { decision: 'allow' };
    },
  };
  const health = new HealthChecks();
  health.add(['healthz', 'readyz'], { name: 'ping', check: async () => undefined });
  health.add(['readyz'], {
    name: 'etcd',
    check: async () => {
      throw new Error('etcd down');
    },
  });
  const server = new APIServer({
    groups: [{ group: 'example.test', version: 'v1', resources: new Map([['widgets', widgets]]) }],
    authenticator,
    authorizer,
    health,
    logger: pino({ level: 'warn' }, sink),
    version: { gitVersion: 'v1.2.3' },
    routes: new Map<string, RouteHandler>([
      [
        '/teapot',
        () => {
          throw errors.badRequest('no coffee here');
        },
      ],
      ['/api/v1/namespaces/:name', (_req, res) => void res.end('core namespace')],
      [
        '/crash',
        async () => {
          throw new TypeError('route bug');
        },
      ],
    ]),
    ...extra,
  });
  return { app: server.app, calls, logged: () => lines.map((l) => JSON.parse(l) as { msg: string; err?: { message?: string } }) };
}

const OK = { Authorization: 'Bearer ok' };

describe('the handler chain', () => {
  it('authenticates before it authorizes, and a request without a user never reaches the authorizer', async () => {
    const h = harness();
    const r = await request(h.app).get(`${WIDGETS}/a`).set(OK);
    assert.equal(r.status, 200);
    assert.deepEqual(h.calls, ['authenticate', 'authorize']);
    h.calls.length = 0;
    const anonymous = await request(h.app).get(`${WIDGETS}/a`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(anonymous.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    assert.deepEqual(h.calls, ['authenticate']);
  });

  it('checks the in-flight limit before authorization: a refused request costs no access review', async () => {
    const h = harness({ limits: { maxReadOnly: 1, maxMutating: 1, timeoutSeconds: 0 } });
    const slow = request(h.app).get(`${WIDGETS}/slow`).set(OK).then((r) => r);
    while (h.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    h.calls.length = 0;
    const refused = await request(h.app).get(`${WIDGETS}/a`).set(OK);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.body.reason, 'TooManyRequests');
    assert.deepEqual(h.calls, ['authenticate'], 'the authorizer was not asked');
    assert.equal((await slow).status, 200);
  });

  it('answers 504 from the request timeout through the same Status writer', async () => {
    const h = harness();
    const r = await request(h.app).get(`${WIDGETS}/slow?timeout=100ms`).set(OK);
    assert.equal(r.status, 504);
    assert.equal(r.body.message, 'Timeout: request did not complete within requested timeout - context deadline exceeded');
  });
});

describe('errors reach one error-handling middleware', () => {
  it('from a filter: an authenticator that throws is a logged 500 Status', async () => {
    const h = harness();
    const r = await request(h.app).get(`${WIDGETS}/a`).set('Authorization', 'Bearer explode');
    assert.equal(r.status, 500);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.body.reason, 'InternalError');
    assert.equal(r.body.message, 'Internal error occurred: authenticator crashed');
    assert.deepEqual(
      h.logged().map((l) => [l.msg, l.err?.message]),
      [['unhandled error', 'authenticator crashed']],
    );
  });

  it('from a filter: a denial is 403 and an undecided authorization is the plain-text 500 of k8s.io/apiserver', async () => {
    const h = harness();
    const denied = await request(h.app).get(`${WIDGETS}/secret`).set(OK);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'widgets.example.test "secret" is forbidden: User "alice" cannot get resource "widgets" in API group "example.test" in the namespace "ns"');
    const undecided = await request(h.app).get('/undecidable').set(OK);
    assert.equal(undecided.status, 500);
    assert.equal(undecided.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(undecided.headers['x-content-type-options'], 'nosniff');
    assert.equal(undecided.text, 'Internal Server Error: "/undecidable": webhook unreachable');
  });

  it('from a route: a StatusError as it is, anything else a logged 500', async () => {
    const h = harness();
    const teapot = await request(h.app).get('/teapot').set(OK);
    assert.equal(teapot.status, 400);
    assert.deepEqual(teapot.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'no coffee here', reason: 'BadRequest', code: 400 });
    const crash = await request(h.app).post('/crash').set(OK);
    assert.equal(crash.status, 500);
    assert.equal(crash.body.message, 'Internal error occurred: route bug');
    const missing = await request(h.app).get(`${WIDGETS}/missing`).set(OK);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'widgets.example.test "missing" not found');
    const broken = await request(h.app).get(`${WIDGETS}/broken`).set(OK);
    assert.equal(broken.status, 500);
    assert.equal(broken.body.message, 'Internal error occurred: the disk is on fire');
    assert.deepEqual(
      h.logged().map((l) => l.err?.message),
      ['route bug', 'the disk is on fire'],
    );
  });

  it('from a watch: before the stream a Status, after it started the stream ends', async () => {
    const h = harness();
    const expired = await request(h.app).get(`${WIDGETS}?watch=true&resourceVersion=1`).set(OK);
    assert.equal(expired.status, 410);
    assert.equal(expired.body.reason, 'Expired');
    assert.equal(expired.body.message, 'too old resource version: 1 (7)');
    const lost = await request(h.app).get(`${WIDGETS}?watch=true&resourceVersion=2`).set(OK);
    assert.equal(lost.status, 500);
    assert.equal(lost.body.message, 'Internal error occurred: watch backend lost');
    const broke = await request(h.app).get(`${WIDGETS}?watch=true`).set(OK).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done(null, text));
    });
    assert.equal(broke.status, 200);
    assert.equal(JSON.parse(String(broke.body).trim()).object.metadata.name, 'first', 'the events before the failure were delivered');
    assert.deepEqual(
      h.logged().map((l) => l.err?.message),
      ['watch backend lost', 'the stream broke'],
    );
  });

  it('from a health check: the text k8s.io/apiserver writes', async () => {
    const h = harness();
    const ready = await request(h.app).get('/readyz?verbose').set(OK);
    assert.equal(ready.status, 500);
    assert.equal(ready.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(ready.text, '[+]ping ok\n[-]etcd failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n');
    const one = await request(h.app).get('/readyz/etcd').set(OK);
    assert.equal(one.status, 500);
    assert.equal(one.text, 'internal server error: etcd check failed\n');
    const unknown = await request(h.app).get('/healthz/nope').set(OK);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, '404 page not found\n');
    assert.equal((await request(h.app).get('/healthz').set(OK)).text, 'ok');
  });

  it('an unknown path is 404 and another method on it 405, as Statuses', async () => {
    const h = harness();
    const r = await request(h.app).get('/nowhere').set(OK);
    assert.equal(r.status, 404);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.body.message, 'the server could not find the requested resource');
    assert.equal((await request(h.app).get('/HEALTHZ').set(OK)).status, 404, 'paths are case-sensitive');
    const post = await request(h.app).post('/version').set(OK);
    assert.equal(post.status, 405);
    assert.equal(post.body.reason, 'MethodNotAllowed');
    const elsewhere = await request(h.app).post('/apis/other.test/v1/namespaces/ns/things').set(OK);
    assert.equal(elsewhere.status, 404, 'a resource path of a group version not installed here');
    assert.equal(elsewhere.body.message, 'the server could not find the requested resource');
  });

  it('extra routes from the config may take resource-like paths of group versions not installed here', async () => {
    const h = harness();
    const r = await request(h.app).get('/api/v1/namespaces/default').set(OK);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'core namespace');
  });
});

describe('what Express adds to the wire', () => {
  it('nothing: no X-Powered-By, no ETag on objects, kube-apiserver headers only', async () => {
    const h = harness();
    const r = await request(h.app).get(`${WIDGETS}/a`).set(OK).set('Audit-ID', 'abc-123');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-powered-by'], undefined);
    assert.equal(r.headers.etag, undefined);
    assert.equal(r.headers['audit-id'], 'abc-123');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text));
    assert.deepEqual(r.body, widget('a'));
    const version = await request(h.app).get('/version').set(OK);
    assert.equal(version.headers['x-powered-by'], undefined);
    assert.equal(version.headers.etag, undefined);
    assert.deepEqual(version.body, { gitVersion: 'v1.2.3' });
  });

  it('leaves the query to the request info: bracketed and repeated parameters reach the handler as sent', async () => {
    const h = harness();
    const r = await request(h.app).get('/readyz?exclude=etcd&exclude[x]=1&verbose').set(OK);
    assert.equal(r.status, 200);
    assert.equal(r.text, '[+]ping ok\n[+]etcd excluded: ok\n[+]shutdown ok\nreadyz check passed\n');
  });
});
