// etcd wiring: the bundled StatefulSet (members, peers, volumes, probes) and external endpoints with
// TLS client certificates (flags and mounts), as the server's Deployment sees them.
import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import {
  container, flag, FULLNAME, NAMESPACE, render,
  type Deployment, type NetworkPolicy, type PodDisruptionBudget, type PodTemplate, type Service, type StatefulSet,
} from './helm.js';
import { BUNDLED_ETCD, EXTERNAL_ETCD_TLS } from './value-sets.js';

const ETCD = `${FULLNAME}-etcd`;
const PEER_DOMAIN = `${ETCD}.${NAMESPACE}.svc.cluster.local`;

function serverArgs(pod: PodTemplate): string[] {
  return container(pod, 'apiserver').args ?? [];
}

function etcdFlags(args: string[]): string[] {
  return args.filter((a) => a.startsWith('--etcd-'));
}

describe('bundled etcd (default)', () => {
  const r = render();
  const sts = r.one<StatefulSet>('StatefulSet', ETCD);
  const pod = sts.spec.template;
  const etcd = container(pod, 'etcd');
  const args = etcd.args ?? [];
  const deploy = r.one<Deployment>('Deployment', FULLNAME);

  it('runs 3 members started in parallel behind a headless Service that publishes unready peers', () => {
    assert.equal(sts.spec.replicas, 3);
    assert.equal(sts.spec.podManagementPolicy, 'Parallel');
    assert.equal(sts.spec.updateStrategy?.type, 'RollingUpdate');
    const svc = r.one<Service>('Service', sts.spec.serviceName);
    assert.equal(svc.spec.clusterIP, 'None');
    assert.equal(svc.spec.publishNotReadyAddresses, true);
    assert.deepEqual(svc.spec.ports.map((p) => [p.name, p.port]), [['client', 2379], ['peer', 2380]]);
    assert.ok(Object.entries(svc.spec.selector).every(([k, v]) => pod.metadata.labels[k] === v));
    // The server's Service must not select etcd pods, nor the reverse.
    const serverSvc = r.one<Service>('Service', FULLNAME);
    assert.ok(!Object.entries(serverSvc.spec.selector).every(([k, v]) => pod.metadata.labels[k] === v));
  });

  it('builds --initial-cluster from the replica count and the headless DNS names', () => {
    assert.equal(flag(args, 'name'), '$(POD_NAME)');
    assert.deepEqual(etcd.env?.find((e) => e.name === 'POD_NAME')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
    assert.equal(
      flag(args, 'initial-cluster'),
      [0, 1, 2].map((i) => `${ETCD}-${i}=http://${ETCD}-${i}.${PEER_DOMAIN}:2380`).join(','),
    );
    assert.equal(flag(args, 'initial-cluster-state'), 'new');
    assert.equal(flag(args, 'initial-advertise-peer-urls'), `http://$(POD_NAME).${PEER_DOMAIN}:2380`);
    assert.equal(flag(args, 'advertise-client-urls'), `http://$(POD_NAME).${PEER_DOMAIN}:2379`);
    assert.equal(flag(args, 'listen-client-urls'), 'http://0.0.0.0:2379');
    assert.equal(flag(args, 'listen-peer-urls'), 'http://0.0.0.0:2380');
    assert.equal(flag(args, 'auto-compaction-mode'), 'periodic');
    assert.equal(flag(args, 'quota-backend-bytes'), '2147483648');
  });

  it('keeps data on a PersistentVolumeClaim per member', () => {
    const [claim] = sts.spec.volumeClaimTemplates;
    assert.equal(claim.metadata.name, 'data');
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteOnce']);
    assert.equal(claim.spec.resources.requests.storage, '8Gi');
    assert.equal(claim.spec.storageClassName, undefined, 'default StorageClass');
    const dataDir = flag(args, 'data-dir');
    assert.ok(dataDir);
    const mount = etcd.volumeMounts?.find((m) => dataDir.startsWith(`${m.mountPath}/`));
    assert.equal(mount?.name, 'data');
    assert.equal(pod.spec.securityContext?.fsGroup, 65532, 'the volume is writable by the non-root user');
  });

  it('probes /livez and /readyz on the metrics listener', () => {
    assert.equal(flag(args, 'listen-metrics-urls'), 'http://0.0.0.0:2381');
    assert.equal(etcd.ports?.find((p) => p.name === 'metrics')?.containerPort, 2381);
    assert.deepEqual(etcd.livenessProbe?.httpGet, { path: '/livez', port: 'metrics' });
    assert.deepEqual(etcd.readinessProbe?.httpGet, { path: '/readyz', port: 'metrics' });
    assert.deepEqual(etcd.startupProbe?.httpGet, { path: '/readyz', port: 'metrics' });
    assert.equal(pod.spec.automountServiceAccountToken, false);
  });

  it('points the server at every member, without TLS flags', () => {
    const sargs = serverArgs(deploy.spec.template);
    assert.equal(
      flag(sargs, 'etcd-servers'),
      [0, 1, 2].map((i) => `http://${ETCD}-${i}.${PEER_DOMAIN}:2379`).join(','),
    );
    assert.deepEqual(etcdFlags(sargs).map((a) => a.split('=')[0]).sort(), ['--etcd-prefix', '--etcd-servers']);
    assert.equal(deploy.spec.template.spec.volumes?.find((v) => v.name === 'etcd-client'), undefined);
  });

  it('never voluntarily loses quorum', () => {
    const pdb = r.one<PodDisruptionBudget>('PodDisruptionBudget', ETCD);
    assert.equal(pdb.spec.minAvailable, 2);
  });

  it('lets only the server pods and the members reach etcd', () => {
    const np = r.one<NetworkPolicy>('NetworkPolicy', ETCD);
    assert.deepEqual(np.spec.podSelector.matchLabels, sts.spec.selector.matchLabels);
    const serverLabels = deploy.spec.template.metadata.labels;
    const clientRule = np.spec.ingress.find((i) => i.ports?.some((p) => p.port === 'client') && i.from?.some((f) =>
      Object.entries(f.podSelector?.matchLabels ?? {}).every(([k, v]) => serverLabels[k] === v)));
    assert.ok(clientRule, 'server pods may reach the client port');
    for (const rule of np.spec.ingress) {
      if (rule.ports?.some((p) => p.port === 'client' || p.port === 'peer')) assert.ok(rule.from && rule.from.length > 0, 'client and peer ports need a peer selector');
    }
  });
});

describe('bundled etcd with 5 members and a storage class', () => {
  const r = render(BUNDLED_ETCD);
  const sts = r.one<StatefulSet>('StatefulSet', ETCD);

  it('scales the initial cluster, the server endpoints and the quorum budget', () => {
    assert.equal(sts.spec.replicas, 5);
    const members = flag(container(sts.spec.template, 'etcd').args, 'initial-cluster')?.split(',') ?? [];
    assert.deepEqual(members.map((m) => m.split('=')[0]), [0, 1, 2, 3, 4].map((i) => `${ETCD}-${i}`));
    const servers = flag(serverArgs(r.one<Deployment>('Deployment', FULLNAME).spec.template), 'etcd-servers')?.split(',');
    assert.equal(servers?.length, 5);
    assert.equal(r.one<PodDisruptionBudget>('PodDisruptionBudget', ETCD).spec.minAvailable, 3);
    const [claim] = sts.spec.volumeClaimTemplates;
    assert.equal(claim.spec.storageClassName, 'fast-ssd');
    assert.equal(claim.spec.resources.requests.storage, '20Gi');
  });

  it('renders no etcd PDB for a single member', () => {
    const one = render({ etcd: { bundled: { replicas: 1 } } });
    assert.equal(one.one<StatefulSet>('StatefulSet', ETCD).spec.replicas, 1);
    assert.equal(one.maybe('PodDisruptionBudget', ETCD), undefined);
  });
});

describe('external etcd', () => {
  it('passes the endpoints and mounts the TLS client secret for --etcd-cafile/--etcd-certfile/--etcd-keyfile', () => {
    const r = render(EXTERNAL_ETCD_TLS);
    assert.equal(r.maybe('StatefulSet'), undefined);
    assert.equal(r.maybe('Service', ETCD), undefined);
    assert.equal(r.maybe('NetworkPolicy', ETCD), undefined);
    assert.equal(r.maybe('PodDisruptionBudget', ETCD), undefined);

    const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
    const args = serverArgs(pod);
    assert.equal(flag(args, 'etcd-servers'), 'https://etcd-a.example.internal:2379,https://etcd-b.example.internal:2379,https://etcd-c.example.internal:2379');
    assert.equal(flag(args, 'etcd-prefix'), '/registry/image.openshift.io');
    const ca = flag(args, 'etcd-cafile');
    const cert = flag(args, 'etcd-certfile');
    const key = flag(args, 'etcd-keyfile');
    assert.ok(ca && cert && key);
    const dir = ca.slice(0, ca.lastIndexOf('/'));
    assert.equal(cert, `${dir}/tls.crt`);
    assert.equal(key, `${dir}/tls.key`);

    const mount = container(pod, 'apiserver').volumeMounts?.find((m) => m.mountPath === dir);
    assert.ok(mount, 'the flags point into a mounted volume');
    assert.equal(mount.readOnly, true);
    const vol = pod.spec.volumes?.find((v) => v.name === mount.name);
    assert.equal(vol?.secret?.secretName, 'etcd-client');
    assert.deepEqual(vol?.secret?.items, [
      { key: 'etcd-ca.pem', path: 'ca.crt' },
      { key: 'client.pem', path: 'tls.crt' },
      { key: 'client-key.pem', path: 'tls.key' },
    ]);
  });

  it('passes only --etcd-cafile when etcd does not ask for client certificates', () => {
    const r = render({ etcd: { mode: 'external', external: { endpoints: ['https://etcd:2379'], tls: { secretName: 'etcd-ca', certKey: '', keyKey: '' } } } });
    const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
    const args = serverArgs(pod);
    assert.ok(flag(args, 'etcd-cafile'));
    assert.equal(flag(args, 'etcd-certfile'), undefined);
    assert.equal(flag(args, 'etcd-keyfile'), undefined);
    assert.deepEqual(pod.spec.volumes?.find((v) => v.secret?.secretName === 'etcd-ca')?.secret?.items, [{ key: 'ca.crt', path: 'ca.crt' }]);
  });

  it('passes no TLS flags and mounts nothing without TLS', () => {
    const r = render({ etcd: { mode: 'external', external: { endpoints: ['http://etcd:2379'], tls: { enabled: false } } } });
    const pod = r.one<Deployment>('Deployment', FULLNAME).spec.template;
    assert.deepEqual(etcdFlags(serverArgs(pod)), ['--etcd-servers=http://etcd:2379', '--etcd-prefix=/openshift.io']);
    assert.equal(pod.spec.volumes?.some((v) => v.name === 'etcd-client'), false);
  });
});
