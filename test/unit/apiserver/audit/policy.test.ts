import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { microTime, PolicyEvaluator, validatePolicy, type AuditLevel } from '../../../../src/apiserver/audit/index.js';
import type { AuditAttributes } from '../../../../src/apiserver/audit/policy.js';

const base: AuditAttributes = {
  user: { username: 'alice', groups: ['devs'] },
  verb: 'get',
  isResourceRequest: true,
  path: '/apis/image.openshift.io/v1/namespaces/a/imagestreams/web',
  apiGroup: 'image.openshift.io',
  namespace: 'a',
  resource: 'imagestreams',
  subresource: '',
  name: 'web',
};

describe('audit policy', () => {
  const policy = new PolicyEvaluator(
    validatePolicy({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [
        { level: 'None', users: ['system:kube-aggregator'] },
        { level: 'None', nonResourceURLs: ['/healthz', '/readyz*'] },
        { level: 'RequestResponse', userGroups: ['auditors'], resources: [{ group: 'image.openshift.io', resources: ['imagestreams/*'] }] },
        { level: 'Request', verbs: ['create'], namespaces: ['a'], resources: [{ group: 'image.openshift.io', resources: ['imagestreams'] }] },
        { level: 'Metadata', resources: [{ group: 'image.openshift.io', resources: ['*/status'], resourceNames: ['web'] }], omitStages: ['ResponseStarted'] },
        { level: 'Metadata', resources: [{ group: 'image.openshift.io' }] },
      ],
    }),
  );
  const level = (a: Partial<AuditAttributes>): AuditLevel => policy.evaluate({ ...base, ...a }).level;

  it('the first matching rule decides; no match is None', () => {
    assert.equal(level({ user: { username: 'system:kube-aggregator', groups: [] } }), 'None');
    assert.equal(level({ isResourceRequest: false, path: '/readyz/etcd', resource: '', apiGroup: '' }), 'None');
    assert.equal(level({ isResourceRequest: false, path: '/metrics', resource: '', apiGroup: '' }), 'None', 'no rule for /metrics');
    assert.equal(level({ user: { username: 'x', groups: ['auditors'] }, subresource: 'status' }), 'RequestResponse', 'imagestreams/* matches subresources');
    assert.equal(level({ user: { username: 'x', groups: ['auditors'] } }), 'Metadata', 'imagestreams/* does not match the resource itself');
    assert.equal(level({ verb: 'create', name: '' }), 'Request');
    assert.equal(level({ verb: 'create', namespace: 'b' }), 'Metadata');
    assert.equal(level({ apiGroup: '', resource: 'pods' }), 'None');
  });

  it('merges omitStages of the policy and the rule', () => {
    const d = policy.evaluate({ ...base, subresource: 'status' });
    assert.equal(d.level, 'Metadata');
    assert.deepEqual(d.omitStages.sort(), ['RequestReceived', 'ResponseStarted']);
  });

  it('reports every problem of an invalid policy', () => {
    assert.throws(
      () => validatePolicy({ apiVersion: 'audit.k8s.io/v1beta1', kind: 'Policy', rules: [{ level: 'Everything' }, { level: 'None', nonResourceURLs: ['/x'], namespaces: ['a'] }] }),
      (e: unknown) => {
        const m = (e as Error).message;
        return /apiVersion/.test(m) && /rules\[0\]\.level/.test(m) && /rules\[1\]: nonResourceURLs cannot be combined/.test(m);
      },
    );
  });

  it('timestamps are MicroTime with six fractional digits', () => {
    assert.equal(microTime(new Date('2024-05-01T10:00:00.123Z')), '2024-05-01T10:00:00.123000Z');
  });
});
