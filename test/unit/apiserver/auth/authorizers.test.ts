import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { AuthorizerAccessChecker } from '../../../../src/apiserver/auth/access.js';
import { forbiddenError } from '../../../../src/apiserver/auth/forbidden.js';
import { SubjectAccessReviewAuthorizer, subjectAccessReviewSpec } from '../../../../src/apiserver/auth/subject-access-review.js';
import type { AuthorizationAttributes } from '../../../../src/apiserver/auth/types.js';
import { AlwaysAllowPathsAuthorizer, PrivilegedGroupAuthorizer, UnionAuthorizer } from '../../../../src/apiserver/auth/union.js';
import { StatusError } from '../../../../src/apiserver/errors/index.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus } from '../../../../src/apiserver/hostcluster/types.js';

const alice = { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['user:full'] } };
const listStreams: AuthorizationAttributes = {
  user: alice,
  resource: { verb: 'list', group: 'image.openshift.io', version: 'v1', resource: 'imagestreams', subresource: '', name: '', namespace: 'team-a' },
};

function sar(answer: (spec: SubjectAccessReviewSpec) => SubjectAccessReviewStatus | Promise<SubjectAccessReviewStatus>): { calls: SubjectAccessReviewSpec[]; review: (spec: SubjectAccessReviewSpec) => Promise<SubjectAccessReviewStatus> } {
  const calls: SubjectAccessReviewSpec[] = [];
  return { calls, review: async (spec) => (calls.push(spec), answer(spec)) };
}

describe('SubjectAccessReview specs', () => {
  it('carry user, groups, uid, extra and the resource attributes, leaving out empty fields as client-go does', () => {
    assert.deepEqual(subjectAccessReviewSpec(listStreams), {
      resourceAttributes: { verb: 'list', resource: 'imagestreams', namespace: 'team-a', group: 'image.openshift.io', version: 'v1' },
      user: 'alice',
      groups: ['devs', 'system:authenticated'],
      extra: { scopes: ['user:full'] },
      uid: 'u1',
    });
    assert.deepEqual(subjectAccessReviewSpec({ user: { username: 'bob', groups: [] }, nonResource: { verb: 'get', path: '/metrics' } }), {
      nonResourceAttributes: { path: '/metrics', verb: 'get' },
      user: 'bob',
    });
  });
});

describe('the SubjectAccessReview authorizer', () => {
  it('maps allowed, denied and neither to allow, deny and no opinion, with the reason', async () => {
    for (const [status, decision] of [
      [{ allowed: true, reason: 'RBAC: yes' }, 'allow'],
      [{ allowed: false, denied: true, reason: 'no' }, 'deny'],
      [{ allowed: false }, 'no-opinion'],
    ] as const) {
      const a = new SubjectAccessReviewAuthorizer({ review: sar(() => status).review });
      const r = await a.authorize(listStreams);
      assert.equal(r.decision, decision);
      assert.equal(r.reason, status.reason);
    }
    const both = await new SubjectAccessReviewAuthorizer({ review: async () => ({ allowed: true, denied: true }) }).authorize(listStreams);
    assert.equal(both.decision, 'deny');
    assert.match(both.error ?? '', /both allow and deny/);
  });

  it('caches allowed and denied answers for their own TTLs, and never caches a failure', async () => {
    let now = 0;
    let allowed = true;
    let fail = false;
    const s = sar(() => {
      if (fail) throw new Error('boom');
      return { allowed };
    });
    const a = new SubjectAccessReviewAuthorizer({ review: s.review, allowedTTLSeconds: 10, deniedTTLSeconds: 2, clock: () => now });
    await a.authorize(listStreams);
    await a.authorize(listStreams);
    assert.equal(s.calls.length, 1);
    now = 10_000;
    allowed = false;
    assert.equal((await a.authorize(listStreams)).decision, 'no-opinion');
    now = 11_000;
    await a.authorize(listStreams);
    assert.equal(s.calls.length, 2, 'the denial is cached');
    now = 12_000;
    fail = true;
    const failed = await a.authorize(listStreams);
    assert.deepEqual(failed, { decision: 'no-opinion', error: 'boom' });
    fail = false;
    allowed = true;
    assert.equal((await a.authorize(listStreams)).decision, 'allow', 'the failure was not cached');
  });

  it('does not cache reviews with huge attributes', async () => {
    const s = sar(() => ({ allowed: true }));
    const a = new SubjectAccessReviewAuthorizer({ review: s.review });
    const big: AuthorizationAttributes = { ...listStreams, user: { ...alice, groups: Array.from({ length: 500 }, (_, i) => `group-with-a-long-name-${i}`) } };
    await a.authorize(big);
    await a.authorize(big);
    assert.equal(s.calls.length, 2);
  });
});

describe('the authorizer chain', () => {
  it('allows system:masters and always-allowed paths without a review; a failed review is an error, not an allow', async () => {
    const s = sar(() => {
      throw new Error('host down');
    });
    const chain = new UnionAuthorizer([new PrivilegedGroupAuthorizer(), new AlwaysAllowPathsAuthorizer(['/healthz', '/readyz']), new SubjectAccessReviewAuthorizer({ review: s.review })]);
    assert.equal((await chain.authorize({ user: { username: 'admin', groups: ['system:masters'] }, resource: listStreams.resource })).decision, 'allow');
    assert.equal((await chain.authorize({ user: alice, nonResource: { verb: 'get', path: '/healthz' } })).decision, 'allow');
    assert.equal(s.calls.length, 0);
    const r = await chain.authorize({ user: alice, nonResource: { verb: 'get', path: '/readyz/etcd' } });
    assert.equal(r.decision, 'no-opinion');
    assert.equal(r.error, 'host down');
  });
});

describe('access checks inside the API', () => {
  const layers = { verb: 'get', group: 'image.openshift.io', resource: 'imagestreams', subresource: 'layers', name: 'ruby', namespace: 'shared' };

  it('answer allowed or not, and require() throws the exact Forbidden of kube-apiserver', async () => {
    const s = sar((spec) => ({ allowed: spec.resourceAttributes?.namespace === 'team-a' }));
    const checker = new AuthorizerAccessChecker(new SubjectAccessReviewAuthorizer({ review: s.review }));
    assert.equal(await checker.allowed(alice, { ...layers, namespace: 'team-a' }), true);
    assert.equal(await checker.allowed(alice, layers), false);
    assert.deepEqual(s.calls[1].resourceAttributes, { verb: 'get', resource: 'imagestreams', namespace: 'shared', group: 'image.openshift.io', subresource: 'layers', name: 'ruby' });
    await assert.rejects(checker.require(alice, layers), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 403);
      assert.equal(err.message, 'imagestreams.image.openshift.io "ruby" is forbidden: User "alice" cannot get resource "imagestreams/layers" in API group "image.openshift.io" in the namespace "shared"');
      return true;
    });
  });

  it('turn a review that could not be made into a 500, never into an allow', async () => {
    const checker = new AuthorizerAccessChecker(new SubjectAccessReviewAuthorizer({ review: async () => Promise.reject(new Error('timeout')) }));
    await assert.rejects(checker.allowed(alice, layers), (err: unknown) => err instanceof StatusError && err.code === 500 && /timeout/.test(err.message));
  });
});

describe('the Forbidden message', () => {
  it('escapes HTML in the attributes but not in the authorizer reason', () => {
    const e = forbiddenError({ user: { username: '<b>&', groups: [] }, nonResource: { verb: 'get', path: '/x' } }, 'a <reason>');
    assert.equal(e.message, 'forbidden: User "&lt;b&gt;&amp;" cannot get path "/x": a <reason>');
    const c = forbiddenError({ user: alice, resource: { ...listStreams.resource, namespace: '', resource: 'images', verb: 'create', name: '' } });
    assert.equal(c.message, 'images.image.openshift.io is forbidden: User "alice" cannot create resource "images" in API group "image.openshift.io" at the cluster scope');
    assert.deepEqual(c.status.details, { group: 'image.openshift.io', kind: 'images' });
  });
});
