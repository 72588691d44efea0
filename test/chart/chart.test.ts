// The chart rendered by the real helm: lint for every value set, then the server's Deployment, Service,
// APIService, RBAC, PodDisruptionBudget, NetworkPolicy and ServiceMonitor with default and custom values.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, it } from '@jest/globals';
import { providedTLS } from './certs.js';
import {
  container, flag, FULLNAME, helmLint, NAMESPACE, render, unb64,
  type APIService, type ClusterRole, type Deployment, type K8sObject, type NetworkPolicy, type PodDisruptionBudget,
  type PodTemplate, type RoleBinding, type Secret, type SecurityContext, type Service, type StatefulSet, type Values,
} from './helm.js';
import { BUNDLED_ETCD, CERT_MANAGER, CERT_MANAGER_ISSUER, EVERYTHING_ON, EXTERNAL_ETCD_TLS } from './value-sets.js';

const SERVICE_DNS = [`${FULLNAME}.${NAMESPACE}.svc`, `${FULLNAME}.${NAMESPACE}.svc.cluster.local`];

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  assert.ok(selector && Object.keys(selector).length > 0, 'empty selector');
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function assertHardened(where: string, pod: SecurityContext | undefined, c: SecurityContext | undefined): void {
  assert.equal(pod?.runAsNonRoot, true, `${where}: pod runAsNonRoot`);
  assert.equal(pod?.seccompProfile?.type, 'RuntimeDefault', `${where}: pod seccomp`);
  assert.ok(c, `${where}: container securityContext`);
  assert.equal(c.runAsNonRoot, true, `${where}: runAsNonRoot`);
  assert.ok(typeof c.runAsUser === 'number' && c.runAsUser > 0, `${where}: numeric non-root runAsUser`);
  assert.equal(c.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
  assert.equal(c.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
  assert.notEqual(c.privileged, true, `${where}: privileged`);
  assert.deepEqual(c.capabilities?.drop, ['ALL'], `${where}: drop ALL capabilities`);
  assert.equal(c.capabilities?.add, undefined, `${where}: no added capabilities`);
  assert.equal(c.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp`);
}

function mountOf(pod: PodTemplate, containerName: string, mountPath: string): { volume: string; readOnly: boolean } {
  const m = container(pod, containerName).volumeMounts?.find((x) => x.mountPath === mountPath);
  assert.ok(m, `no volume mounted at ${mountPath}`);
  return { volume: m.name, readOnly: m.readOnly === true };
}

describe('helm lint', () => {
  const sets: [string, Values][] = [
    ['defaults', {}],
    ['external etcd with TLS', EXTERNAL_ETCD_TLS],
    ['bundled etcd, 5 members', BUNDLED_ETCD],
    ['cert-manager', CERT_MANAGER],
    ['cert-manager with an issuer', CERT_MANAGER_ISSUER],
    ['user-given certificate', providedTLS(SERVICE_DNS).values],
    ['network policy, service monitor, audit', EVERYTHING_ON],
  ];
  for (const [name, values] of sets) {
    it(`passes --strict with ${name}`, () => {
      const res = helmLint(values);
      assert.equal(res.status, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});

describe('defaults', () => {
  const r = render();
  const deploy = r.one<Deployment>('Deployment', FULLNAME);
  const pod = deploy.spec.template;
  const server = container(pod, 'apiserver');
  const args = server.args ?? [];

  it('renders the expected objects, namespaced ones in the release namespace', () => {
    const kinds = r.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'APIService/v1.image.openshift.io',
      `ClusterRole/${FULLNAME}`,
      `ClusterRole/${FULLNAME}:aggregate-to-admin`,
      `ClusterRole/${FULLNAME}:aggregate-to-edit`,
      `ClusterRole/${FULLNAME}:aggregate-to-view`,
      `ClusterRole/${FULLNAME}:image-triggers`,
      'ClusterRole/system:image-auditor',
      'ClusterRole/system:image-puller',
      'ClusterRole/system:image-pusher',
      'ClusterRole/system:image-signer',
      `ClusterRoleBinding/${FULLNAME}`,
      `ClusterRoleBinding/${FULLNAME}:image-triggers`,
      `ClusterRoleBinding/${FULLNAME}:system:auth-delegator`,
      `Deployment/${FULLNAME}`,
      `MutatingWebhookConfiguration/${FULLNAME}-image-lookup`,
      `NetworkPolicy/${FULLNAME}-etcd`,
      `PodDisruptionBudget/${FULLNAME}`,
      `PodDisruptionBudget/${FULLNAME}-etcd`,
      `RoleBinding/${FULLNAME}:extension-apiserver-authentication-reader`,
      `Secret/${FULLNAME}-tls`,
      `Service/${FULLNAME}`,
      `Service/${FULLNAME}-etcd`,
      `ServiceAccount/${FULLNAME}`,
      `StatefulSet/${FULLNAME}-etcd`,
    ].sort());
    const clusterScoped = new Set(['APIService', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration']);
    for (const o of r.objects) {
      if (clusterScoped.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind}/${o.metadata.name}`);
      else if (o.kind === 'RoleBinding') assert.equal(o.metadata.namespace, 'kube-system');
      else assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind}/${o.metadata.name}`);
    }
  });

  it('runs 2 replicas with rolling updates that never drop below the desired count', () => {
    assert.equal(deploy.spec.replicas, 2);
    assert.equal(deploy.spec.strategy.type, 'RollingUpdate');
    assert.equal(deploy.spec.strategy.rollingUpdate?.maxUnavailable, 0);
    assert.equal(deploy.spec.strategy.rollingUpdate?.maxSurge, 1);
    assert.ok(matches(deploy.spec.selector.matchLabels, pod.metadata.labels));
  });

  it('hardens the pod: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp', () => {
    assertHardened('apiserver', pod.spec.securityContext, server.securityContext);
    assert.equal(server.securityContext?.runAsUser, 65532);
    assert.equal(pod.spec.securityContext?.fsGroup, 65532);
  });

  it('gives writable emptyDirs for /tmp and the cert dir, and mounts the serving certificate read-only', () => {
    const tmp = mountOf(pod, 'apiserver', '/tmp');
    const certDir = flag(args, 'cert-dir');
    assert.ok(certDir);
    const cert = mountOf(pod, 'apiserver', certDir);
    for (const m of [tmp, cert]) {
      assert.equal(m.readOnly, false);
      assert.ok(pod.spec.volumes?.find((v) => v.name === m.volume)?.emptyDir, `${m.volume} is an emptyDir`);
    }
    const certFile = flag(args, 'tls-cert-file');
    const keyFile = flag(args, 'tls-private-key-file');
    assert.ok(certFile && keyFile);
    const dir = certFile.slice(0, certFile.lastIndexOf('/'));
    assert.equal(keyFile, `${dir}/tls.key`);
    const serving = mountOf(pod, 'apiserver', dir);
    assert.equal(serving.readOnly, true);
    const vol = pod.spec.volumes?.find((v) => v.name === serving.volume);
    assert.equal(vol?.secret?.secretName, `${FULLNAME}-tls`);
    assert.deepEqual(vol?.secret?.items?.map((i) => i.path).sort(), ['tls.crt', 'tls.key']);
  });

  it('sets requests and limits', () => {
    assert.deepEqual(server.resources?.requests, { cpu: '100m', memory: '256Mi' });
    assert.deepEqual(server.resources?.limits, { cpu: '1', memory: '1Gi' });
  });

  it('probes /livez and /readyz over HTTPS on the secure port', () => {
    const port = server.ports?.find((p) => p.name === 'https');
    assert.equal(port?.containerPort, 8443);
    assert.equal(flag(args, 'secure-port'), '8443');
    assert.equal(flag(args, 'bind-address'), '0.0.0.0');
    for (const [probe, path] of [[server.livenessProbe, '/livez'], [server.readinessProbe, '/readyz'], [server.startupProbe, '/livez']] as const) {
      assert.deepEqual(probe?.httpGet, { scheme: 'HTTPS', port: 'https', path });
    }
    // Probes carry no credentials: the paths must be exempt from authorization.
    assert.deepEqual(flag(args, 'authorization-always-allow-paths')?.split(','), ['/healthz', '/livez', '/readyz']);
  });

  it('passes the server flags', () => {
    assert.equal(flag(args, 'etcd-prefix'), '/openshift.io');
    assert.equal(flag(args, 'log-level'), 'info');
    assert.equal(flag(args, 'max-requests-inflight'), '400');
    assert.equal(flag(args, 'max-mutating-requests-inflight'), '200');
    assert.equal(flag(args, 'request-timeout'), '60s');
    assert.equal(flag(args, 'internal-registry-hostname'), undefined);
    assert.equal(flag(args, 'audit-log-path'), undefined);
    assert.equal(flag(args, 'kubeconfig'), undefined, 'in-cluster configuration by default');
    assert.equal(server.image, 'image-apiserver:0.1.0');
  });

  it('spreads the replicas across nodes and zones', () => {
    const spread = pod.spec.topologySpreadConstraints ?? [];
    assert.deepEqual(spread.map((t) => t.topologyKey), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const t of spread) assert.ok(matches(t.labelSelector.matchLabels, pod.metadata.labels));
    const anti = pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
    assert.equal(anti?.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
    assert.ok(matches(anti?.podAffinityTerm.labelSelector.matchLabels, pod.metadata.labels));
  });

  it('exposes the secure port as the Service port 443 named https', () => {
    const svc = r.one<Service>('Service', FULLNAME);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    assert.ok(matches(svc.spec.selector, pod.metadata.labels));
  });

  it('registers v1.image.openshift.io as OpenShift does, pointing at the Service', () => {
    const api = r.one<APIService>('APIService', 'v1.image.openshift.io');
    assert.equal(api.apiVersion, 'apiregistration.k8s.io/v1');
    assert.equal(api.spec.group, 'image.openshift.io');
    assert.equal(api.spec.version, 'v1');
    assert.equal(api.spec.groupPriorityMinimum, 9900);
    assert.equal(api.spec.versionPriority, 15);
    assert.deepEqual(api.spec.service, { name: FULLNAME, namespace: NAMESPACE, port: 443 });
    assert.equal(api.spec.insecureSkipTLSVerify, undefined);
    assert.equal(api.metadata.annotations?.['cert-manager.io/inject-ca-from'], undefined);
  });

  it('generates a CA (the caBundle) and a serving certificate for <svc>.<ns>.svc signed by it', () => {
    const api = r.one<APIService>('APIService', 'v1.image.openshift.io');
    const secret = r.one<Secret>('Secret', `${FULLNAME}-tls`);
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.ok(api.spec.caBundle);
    const caPem = unb64(api.spec.caBundle);
    assert.equal(unb64(secret.data['ca.crt']), caPem);
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(unb64(secret.data['tls.crt']));
    assert.equal(ca.ca, true);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'serving certificate signed by the caBundle');
    assert.ok(cert.checkPrivateKey(createPrivateKey(unb64(secret.data['tls.key']))), 'key matches certificate');
    for (const dns of SERVICE_DNS) assert.ok(cert.checkHost(dns), `certificate valid for ${dns}`);
    assert.ok(cert.subjectAltName?.includes(`DNS:${FULLNAME}.${NAMESPACE}.svc`));
    // Pods restart when the certificate changes.
    const sum = createHash('sha256').update(unb64(secret.data['tls.crt'])).digest('hex');
    assert.equal(pod.metadata.annotations?.['checksum/serving-cert'], sum);
  });

  it('generates a new CA on every render without a cluster (why deploy/ uses cert-manager)', () => {
    const again = render().one<APIService>('APIService', 'v1.image.openshift.io');
    assert.notEqual(again.spec.caBundle, r.one<APIService>('APIService', 'v1.image.openshift.io').spec.caBundle);
  });

  it('binds the service account to system:auth-delegator and the authentication reader in kube-system', () => {
    const sa = r.one<K8sObject>('ServiceAccount', FULLNAME);
    assert.equal(pod.spec.serviceAccountName, sa.metadata.name);
    const subject = { kind: 'ServiceAccount', name: FULLNAME, namespace: NAMESPACE };
    const delegator = r.one<RoleBinding>('ClusterRoleBinding', `${FULLNAME}:system:auth-delegator`);
    assert.deepEqual(delegator.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' });
    assert.deepEqual(delegator.subjects, [subject]);
    const reader = r.one<RoleBinding>('RoleBinding', `${FULLNAME}:extension-apiserver-authentication-reader`);
    assert.equal(reader.metadata.namespace, 'kube-system');
    assert.deepEqual(reader.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
    assert.deepEqual(reader.subjects, [subject]);
  });

  it('gives the server read-only access to namespaces, secrets, configmaps and limitranges, nothing else', () => {
    const role = r.one<ClusterRole>('ClusterRole', FULLNAME);
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['namespaces', 'secrets', 'configmaps', 'limitranges'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = r.one<RoleBinding>('ClusterRoleBinding', FULLNAME);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: FULLNAME });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: FULLNAME, namespace: NAMESPACE }]);
  });

  it('keeps one replica available during voluntary disruptions', () => {
    const pdb = r.one<PodDisruptionBudget>('PodDisruptionBudget', FULLNAME);
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.ok(matches(pdb.spec.selector.matchLabels, pod.metadata.labels));
  });

  it('renders no server NetworkPolicy and no ServiceMonitor unless asked', () => {
    assert.equal(r.maybe('NetworkPolicy', FULLNAME), undefined);
    assert.equal(r.maybe('ServiceMonitor'), undefined);
  });

  it('hardens every workload container the chart renders', () => {
    for (const w of [...r.all<Deployment>('Deployment'), ...r.all<StatefulSet>('StatefulSet')]) {
      for (const c of w.spec.template.spec.containers) {
        assertHardened(`${w.kind}/${w.metadata.name}/${c.name}`, w.spec.template.spec.securityContext, c.securityContext);
        assert.ok(c.resources?.requests && c.resources.limits, `${w.metadata.name}/${c.name} resources`);
        assert.ok(c.livenessProbe && c.readinessProbe, `${w.metadata.name}/${c.name} probes`);
      }
    }
  });
});

describe('optional objects and flags', () => {
  const r = render(EVERYTHING_ON);
  const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
  const args = container(pod, 'apiserver').args ?? [];

  it('passes registry hostnames, audit log path and extra args', () => {
    assert.equal(flag(args, 'internal-registry-hostname'), 'image-registry.example:5000');
    assert.equal(flag(args, 'external-registry-hostname'), 'registry.example.com');
    assert.equal(flag(args, 'audit-log-path'), '/var/log/image-apiserver/audit.log');
    assert.equal(flag(args, 'anonymous-auth'), 'true');
    const audit = mountOf(pod, 'apiserver', '/var/log/image-apiserver');
    assert.equal(audit.readOnly, false);
    assert.ok(pod.spec.volumes?.find((v) => v.name === audit.volume)?.emptyDir);
  });

  it('limits ingress to the secure port from the given peers', () => {
    const np = r.one<NetworkPolicy>('NetworkPolicy', FULLNAME);
    assert.ok(matches(np.spec.podSelector.matchLabels, pod.metadata.labels));
    assert.deepEqual(np.spec.policyTypes, ['Ingress']);
    assert.deepEqual(np.spec.ingress, [{ ports: [{ port: 'https', protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }]);
  });

  it('scrapes /metrics over HTTPS with a token allowed to get /metrics', () => {
    interface ServiceMonitor extends K8sObject {
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; scheme: string; path: string; bearerTokenFile: string; tlsConfig: { serverName: string; ca: { configMap: { name: string; key: string } } } }[];
      };
    }
    const sm = r.one<ServiceMonitor>('ServiceMonitor', FULLNAME);
    assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(sm.metadata.labels?.release, 'prometheus');
    const svc = r.one<Service>('Service', FULLNAME);
    assert.ok(matches(sm.spec.selector.matchLabels, svc.metadata.labels ?? {}));
    const [ep] = sm.spec.endpoints;
    assert.equal(ep.port, 'https');
    assert.equal(ep.scheme, 'https');
    assert.equal(ep.path, '/metrics');
    assert.equal(ep.tlsConfig.serverName, `${FULLNAME}.${NAMESPACE}.svc`);
    const caMap = r.one<K8sObject & { data: Record<string, string> }>('ConfigMap', ep.tlsConfig.ca.configMap.name);
    const api = r.one<APIService>('APIService', 'v1.image.openshift.io');
    assert.equal(caMap.data[ep.tlsConfig.ca.configMap.key].trim(), unb64(api.spec.caBundle ?? '').trim());
    const reader = r.one<ClusterRole>('ClusterRole', `${FULLNAME}:metrics-reader`);
    assert.deepEqual(reader.rules, [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    const binding = r.one<RoleBinding>('ClusterRoleBinding', `${FULLNAME}:metrics-reader`);
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' }]);
  });

  it('hard anti-affinity, no spread constraints and no PDB when configured so', () => {
    const r2 = render({ podAntiAffinity: 'hard', topologySpreadConstraints: [], podDisruptionBudget: { enabled: false }, replicaCount: 3 });
    const p = r2.one<Deployment>('Deployment', FULLNAME);
    assert.equal(p.spec.replicas, 3);
    const required = p.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    assert.equal(required?.[0]?.topologyKey, 'kubernetes.io/hostname');
    assert.equal(p.spec.template.spec.topologySpreadConstraints, undefined);
    assert.equal(r2.maybe('PodDisruptionBudget', FULLNAME), undefined);
  });
});

describe('serving certificate from cert-manager', () => {
  interface Certificate extends K8sObject {
    spec: {
      secretName: string;
      isCA?: boolean;
      commonName?: string;
      dnsNames?: string[];
      issuerRef: { name: string; kind: string; group: string };
    };
  }
  interface Issuer extends K8sObject {
    spec: { selfSigned?: Record<string, never>; ca?: { secretName: string } };
  }

  it('bootstraps a CA issuer, issues the serving certificate, and injects the CA into the APIService', () => {
    const r = render(CERT_MANAGER);
    assert.equal(r.maybe('Secret'), undefined, 'cert-manager writes the Secret');
    const selfSigned = r.one<Issuer>('Issuer', `${FULLNAME}-selfsigned`);
    assert.deepEqual(selfSigned.spec, { selfSigned: {} });
    const caCert = r.one<Certificate>('Certificate', `${FULLNAME}-ca`);
    assert.equal(caCert.spec.isCA, true);
    assert.equal(caCert.spec.issuerRef.name, selfSigned.metadata.name);
    const caIssuer = r.one<Issuer>('Issuer', `${FULLNAME}-ca`);
    assert.equal(caIssuer.spec.ca?.secretName, caCert.spec.secretName);

    const serving = r.one<Certificate>('Certificate', `${FULLNAME}-serving-cert`);
    assert.deepEqual(serving.spec.issuerRef, { name: caIssuer.metadata.name, kind: 'Issuer', group: 'cert-manager.io' });
    for (const dns of SERVICE_DNS) assert.ok(serving.spec.dnsNames?.includes(dns), dns);

    const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
    const vol = pod.spec.volumes?.find((v) => v.secret?.secretName === serving.spec.secretName);
    assert.ok(vol, 'the Deployment mounts the Secret cert-manager writes');
    assert.equal(pod.metadata.annotations?.['checksum/serving-cert'], undefined);

    const api = r.one<APIService>('APIService', 'v1.image.openshift.io');
    assert.equal(api.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${NAMESPACE}/${serving.metadata.name}`);
    assert.equal(api.spec.caBundle, undefined, 'the cainjector fills caBundle');
    assert.equal(api.spec.groupPriorityMinimum, 9900);
  });

  it('uses a given issuer instead of bootstrapping one', () => {
    const r = render(CERT_MANAGER_ISSUER);
    assert.equal(r.maybe('Issuer'), undefined);
    const serving = r.one<Certificate>('Certificate');
    assert.deepEqual(serving.spec.issuerRef, { name: 'cluster-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });
});

describe('user-given serving certificate', () => {
  it('puts the given CA into caBundle and the certificate into the mounted Secret', () => {
    const { values, pki } = providedTLS(SERVICE_DNS);
    const r = render(values);
    const api = r.one<APIService>('APIService', 'v1.image.openshift.io');
    assert.equal(unb64(api.spec.caBundle ?? ''), pki.caPem);
    const secret = r.one<Secret>('Secret', `${FULLNAME}-tls`);
    assert.equal(unb64(secret.data['tls.crt']), pki.certPem);
    assert.equal(unb64(secret.data['tls.key']), pki.keyPem);
    const cert = new X509Certificate(pki.certPem);
    assert.ok(cert.checkIssued(new X509Certificate(unb64(api.spec.caBundle ?? ''))));
    const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
    assert.equal(pod.metadata.annotations?.['checksum/serving-cert'], createHash('sha256').update(pki.certPem).digest('hex'));
  });

  it('mounts an existing kubernetes.io/tls Secret', () => {
    const { pki } = providedTLS(SERVICE_DNS);
    const r = render({ tls: { mode: 'provided', provided: { caBundle: pki.caPem, existingSecret: 'my-serving-cert' } } });
    assert.equal(r.maybe('Secret'), undefined);
    const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
    assert.ok(pod.spec.volumes?.some((v) => v.secret?.secretName === 'my-serving-cert'));
    assert.equal(unb64(r.one<APIService>('APIService', 'v1.image.openshift.io').spec.caBundle ?? ''), pki.caPem);
  });
});
