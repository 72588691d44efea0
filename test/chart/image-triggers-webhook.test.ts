// The chart's parts for workloads that follow image streams: the image-lookup
// MutatingWebhookConfiguration (CA bundle from each certificate mode, failure policy, namespaces it
// never sees, v1 reviews without side effects) and the trigger controller's RBAC and flag.
import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { providedTLS } from './certs.js';
import { container, FULLNAME, NAMESPACE, render, unb64, type APIService, type ClusterRole, type Deployment, type K8sObject, type RoleBinding, type Values } from './helm.js';
import { CERT_MANAGER } from './value-sets.js';

interface MutatingWebhookConfiguration extends K8sObject {
  webhooks: {
    name: string;
    admissionReviewVersions: string[];
    sideEffects: string;
    failurePolicy: string;
    timeoutSeconds: number;
    matchPolicy: string;
    clientConfig: { service: { name: string; namespace: string; port: number; path: string }; caBundle?: string };
    namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
    rules: { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[]; scope: string }[];
  }[];
}

const NAME = `${FULLNAME}-image-lookup`;
const webhookOf = (values: Values = {}): MutatingWebhookConfiguration['webhooks'][number] => {
  const cfg = render(values).one<MutatingWebhookConfiguration>('MutatingWebhookConfiguration', NAME);
  assert.equal(cfg.webhooks.length, 1);
  return cfg.webhooks[0] as MutatingWebhookConfiguration['webhooks'][number];
};

describe('image-lookup MutatingWebhookConfiguration', () => {
  it('calls the server on /admission/image-lookup with v1 reviews, no side effects, failurePolicy Ignore', () => {
    const w = webhookOf();
    assert.equal(w.name, 'image-lookup.image.openshift.io');
    assert.deepEqual(w.admissionReviewVersions, ['v1']);
    assert.equal(w.sideEffects, 'None');
    assert.equal(w.failurePolicy, 'Ignore');
    assert.equal(w.timeoutSeconds, 5);
    assert.deepEqual(w.clientConfig.service, { name: FULLNAME, namespace: NAMESPACE, port: 443, path: '/admission/image-lookup' });
  });

  it('sends Pods and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs, on create and update', () => {
    const w = webhookOf();
    const sent = w.rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups.join(',')}/${r.apiVersions.join(',')}/${res}:${r.operations.join(',')}:${r.scope}`));
    assert.deepEqual(sent.sort(), [
      '/v1/pods:CREATE,UPDATE:Namespaced',
      'apps/v1/daemonsets:CREATE,UPDATE:Namespaced',
      'apps/v1/deployments:CREATE,UPDATE:Namespaced',
      'apps/v1/replicasets:CREATE,UPDATE:Namespaced',
      'apps/v1/statefulsets:CREATE,UPDATE:Namespaced',
      'batch/v1/cronjobs:CREATE,UPDATE:Namespaced',
      'batch/v1/jobs:CREATE,UPDATE:Namespaced',
    ]);
  });

  it('never sees kube-system, the release namespace or the namespaces the values exclude', () => {
    assert.deepEqual(webhookOf().namespaceSelector.matchExpressions, [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NAMESPACE] }]);
    const more = webhookOf({ imageLookup: { webhook: { excludeNamespaces: ['ci', 'kube-system'] } } });
    assert.deepEqual(more.namespaceSelector.matchExpressions[0]?.values, ['kube-system', NAMESPACE, 'ci']);
  });

  it('failurePolicy Fail and another timeout by value; disabled, no configuration', () => {
    const w = webhookOf({ imageLookup: { webhook: { failurePolicy: 'Fail', timeoutSeconds: 10 } } });
    assert.equal(w.failurePolicy, 'Fail');
    assert.equal(w.timeoutSeconds, 10);
    assert.equal(render({ imageLookup: { webhook: { enabled: false } } }).maybe('MutatingWebhookConfiguration'), undefined);
  });

  it('trusts the CA of the APIService in every certificate mode', () => {
    const generated = render();
    const api = generated.one<APIService>('APIService', 'v1.image.openshift.io');
    const cfg = generated.one<MutatingWebhookConfiguration>('MutatingWebhookConfiguration', NAME);
    assert.ok(api.spec.caBundle);
    assert.equal(cfg.webhooks[0]?.clientConfig.caBundle, api.spec.caBundle);

    const cm = render(CERT_MANAGER).one<MutatingWebhookConfiguration>('MutatingWebhookConfiguration', NAME);
    assert.equal(cm.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${NAMESPACE}/${FULLNAME}-serving-cert`);
    assert.equal(cm.webhooks[0]?.clientConfig.caBundle, undefined, 'the cainjector fills caBundle');

    const tls = providedTLS([`${FULLNAME}.${NAMESPACE}.svc`]);
    const provided = render(tls.values).one<MutatingWebhookConfiguration>('MutatingWebhookConfiguration', NAME);
    assert.equal(unb64(provided.webhooks[0]?.clientConfig.caBundle ?? '').trim(), tls.pki.caPem.trim());
  });

  it('rejects a failure policy or timeout kube-apiserver would not accept', () => {
    for (const webhook of [{ failurePolicy: 'Retry' }, { timeoutSeconds: 31 }, { excludeNamespaces: ['Not_A_Name'] }]) {
      assert.throws(() => render({ imageLookup: { webhook } }), /values don't meet the specifications of the schema|schema/);
    }
  });
});

describe('image trigger controller RBAC', () => {
  it('may get, list, watch and patch the followed workloads and create Events, nothing more', () => {
    const r = render();
    const role = r.one<ClusterRole>('ClusterRole', `${FULLNAME}:image-triggers`);
    assert.deepEqual(role.rules, [
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    const binding = r.one<RoleBinding>('ClusterRoleBinding', `${FULLNAME}:image-triggers`);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: FULLNAME, namespace: NAMESPACE }]);
    const args = container(r.one<Deployment>('Deployment', FULLNAME).spec.template, 'apiserver').args ?? [];
    assert.ok(args.includes('--image-trigger-controller=true'));
  });

  it('turned off: no role, and the server is told not to run the controller', () => {
    const r = render({ imageTriggers: { enabled: false } });
    assert.equal(r.maybe('ClusterRole', `${FULLNAME}:image-triggers`), undefined);
    assert.equal(r.maybe('ClusterRoleBinding', `${FULLNAME}:image-triggers`), undefined);
    const args = container(r.one<Deployment>('Deployment', FULLNAME).spec.template, 'apiserver').args ?? [];
    assert.ok(args.includes('--image-trigger-controller=false'));
  });
});
