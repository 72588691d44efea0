// The value sets the chart tests render and lint.
import type { Values } from './helm.js';

export const EXTERNAL_ETCD_TLS: Values = {
  etcd: {
    mode: 'external',
    prefix: '/registry/image.openshift.io',
    external: {
      endpoints: ['https://etcd-a.example.internal:2379', 'https://etcd-b.example.internal:2379', 'https://etcd-c.example.internal:2379'],
      tls: { enabled: true, secretName: 'etcd-client', caKey: 'etcd-ca.pem', certKey: 'client.pem', keyKey: 'client-key.pem' },
    },
  },
};

export const BUNDLED_ETCD: Values = {
  etcd: { mode: 'bundled', bundled: { replicas: 5, persistence: { size: '20Gi', storageClassName: 'fast-ssd' } } },
};

export const CERT_MANAGER: Values = { tls: { mode: 'certManager' } };

export const CERT_MANAGER_ISSUER: Values = {
  tls: { mode: 'certManager', certManager: { issuerRef: { name: 'cluster-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } },
};

export const EVERYTHING_ON: Values = {
  networkPolicy: { enabled: true, ingressFrom: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
  serviceMonitor: { enabled: true, labels: { release: 'prometheus' }, prometheusServiceAccount: { name: 'prometheus-k8s', namespace: 'monitoring' } },
  server: {
    internalRegistryHostname: 'image-registry.example:5000',
    externalRegistryHostname: 'registry.example.com',
    audit: { enabled: true, path: '/var/log/image-apiserver/audit.log' },
    extraArgs: ['--anonymous-auth=true'],
  },
};
