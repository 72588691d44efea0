import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { parseOptions } from '../../../src/app/options.js';

const BASE = ['--etcd-servers=http://127.0.0.1:2379'];

describe('authentication, authorization, audit and limit flags', () => {
  it('have kube-apiserver defaults', () => {
    const r = parseOptions(BASE);
    assert.ok(r.ok);
    const o = r.options;
    assert.equal(o.anonymousAuth, true);
    assert.equal(o.authenticationTokenWebhookCacheTTL, 10);
    assert.equal(o.authorizationWebhookCacheAuthorizedTTL, 10);
    assert.equal(o.authorizationWebhookCacheUnauthorizedTTL, 10);
    assert.deepEqual(o.authorizationAlwaysAllowPaths, ['/healthz', '/readyz', '/livez']);
    assert.deepEqual(o.requestheaderUsernameHeaders, ['X-Remote-User']);
    assert.deepEqual(o.requestheaderGroupHeaders, ['X-Remote-Group']);
    assert.deepEqual(o.requestheaderExtraHeadersPrefix, ['X-Remote-Extra-']);
    assert.deepEqual(o.requestheaderUIDHeaders, []);
    assert.equal(o.maxRequestsInflight, 400);
    assert.equal(o.maxMutatingRequestsInflight, 200);
    assert.equal(o.requestTimeout, 60);
  });

  it('parse durations, lists and booleans', () => {
    const r = parseOptions([
      ...BASE,
      '--authentication-token-webhook-cache-ttl=1m',
      '--authorization-webhook-cache-unauthorized-ttl=500ms',
      '--authentication-audiences=a,b',
      '--anonymous-auth=false',
      '--request-timeout=2m30s',
      '--authorization-always-allow-paths=/healthz,/metrics*',
    ]);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    assert.equal(r.options.authenticationTokenWebhookCacheTTL, 60);
    assert.equal(r.options.authorizationWebhookCacheUnauthorizedTTL, 0.5);
    assert.deepEqual(r.options.authenticationAudiences, ['a', 'b']);
    assert.equal(r.options.anonymousAuth, false);
    assert.equal(r.options.requestTimeout, 150);
    assert.deepEqual(r.options.authorizationAlwaysAllowPaths, ['/healthz', '/metrics*']);
  });

  it('report every problem at once', () => {
    const r = parseOptions([
      '--local',
      '--kubeconfig=/nope/kubeconfig',
      '--client-ca-file=/nope/ca.crt',
      '--max-requests-inflight=-1',
      '--authorization-always-allow-paths=healthz,/a*b',
      '--audit-policy-file=/nope/policy.yaml',
    ]);
    assert.equal(r.ok, false);
    if (r.ok) return;
    const all = r.errors.join('\n');
    for (const want of [
      '--kubeconfig: /nope/kubeconfig does not exist',
      '--kubeconfig cannot be used with --local',
      '--client-ca-file: /nope/ca.crt does not exist',
      '--max-requests-inflight must not be negative',
      '"healthz" must start with "/"',
      '"/a*b" may only end in "*"',
      '--audit-policy-file needs --audit-log-path',
    ]) {
      assert.ok(all.includes(want), want);
    }
  });
});
