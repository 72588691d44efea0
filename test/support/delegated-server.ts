// Starts the real server in-process the way it runs in a cluster (not --local): it reaches a fake
// host cluster through a kubeconfig for TokenReview, SubjectAccessReview, the authentication
// ConfigMap and namespaces. Also makes the certificates tests present (front proxy, client CA).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCA, generateServingBundle, issueCertificate, type CertKeyPair, type IssueOptions, type ServingBundle } from '../../src/apiserver/server/selfsigned.js';
import { parseOptions } from '../../src/app/options.js';
import { run, type RunningServer } from '../../src/app/run.js';
import { TestClient } from './client.js';
import { startEtcd, type EtcdHandle } from './etcd.js';
import { AUTH_CONFIGMAP, authenticationConfigMapData, FakeHostCluster } from './fake-host-cluster.js';

export const FRONT_PROXY_CN = 'front-proxy-client';

interface TestPKI {
  host: { ca: CertKeyPair; serving: CertKeyPair };
  server: ServingBundle;
  frontProxyCA: CertKeyPair;
  frontProxyCert: CertKeyPair;
  clientCA: CertKeyPair;
}

let pki: TestPKI | undefined;

/** Made once per test process: RSA key generation and signing dominate start-up time otherwise. */
export function testPKI(): TestPKI {
  if (pki) return pki;
  const hostCA = generateCA('fake-host-cluster-ca');
  const frontProxyCA = generateCA('front-proxy-ca');
  pki = {
    host: { ca: hostCA, serving: issueCertificate(hostCA, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' }) },
    server: generateServingBundle(['localhost'], ['127.0.0.1', '::1']),
    frontProxyCA,
    frontProxyCert: issueCertificate(frontProxyCA, { commonName: FRONT_PROXY_CN, usage: 'client' }),
    clientCA: generateCA('client-ca'),
  };
  return pki;
}

/** A fake host cluster using the shared test certificates. */
export async function startFakeHost(): Promise<FakeHostCluster> {
  return new FakeHostCluster({ pki: testPKI().host }).start();
}

export interface DelegatedTestServer {
  host: FakeHostCluster;
  server: RunningServer;
  etcd: EtcdHandle;
  /** CA of the server's self-signed serving certificate. */
  servingCA: string;
  /** Signs the front proxy's client certificate (in the ConfigMap as requestheader-client-ca-file). */
  frontProxyCA: CertKeyPair;
  /** Signs ordinary client certificates (in the ConfigMap as client-ca-file). */
  clientCA: CertKeyPair;
  /** The front proxy's client certificate (CN front-proxy-client). */
  frontProxyCert: CertKeyPair;
  dir: string;
  /** A client with no credentials at all. */
  anonymous(): TestClient;
  withToken(token: string): TestClient;
  withCert(cert: CertKeyPair, token?: string): TestClient;
  /** Certificates for tests: a client certificate by default. */
  issue(ca: CertKeyPair, o: Partial<IssueOptions> & { commonName: string }): CertKeyPair;
  stop(): Promise<void>;
}

export interface DelegatedServerOptions {
  args?: string[];
  host?: FakeHostCluster;
  etcd?: EtcdHandle;
  /** Namespaces that exist in the host when the server starts (default team-a, team-b). */
  namespaces?: string[];
  /** Publish the authentication ConfigMap (default true). */
  configMap?: boolean;
}

export async function startDelegatedServer(o: DelegatedServerOptions = {}): Promise<DelegatedTestServer> {
  const keys = testPKI();
  const host = o.host ?? (await startFakeHost());
  const ownHost = o.host === undefined;
  const etcd = o.etcd ?? (await startEtcd());
  const ownEtcd = o.etcd === undefined;
  const dir = mkdtempSync(join(tmpdir(), 'image-apiserver-delegated-'));
  const { frontProxyCA, clientCA, frontProxyCert } = keys;
  const issue = (ca: CertKeyPair, io: Partial<IssueOptions> & { commonName: string }): CertKeyPair => issueCertificate(ca, { usage: 'client', ...io });
  // The server finds its serving certificate in --cert-dir instead of generating one.
  const certDir = join(dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  writeFileSync(join(certDir, 'ca.crt'), keys.server.ca.cert);
  writeFileSync(join(certDir, 'ca.key'), keys.server.ca.key);
  writeFileSync(join(certDir, 'serving.crt'), keys.server.serving.cert);
  writeFileSync(join(certDir, 'serving.key'), keys.server.serving.key);
  for (const ns of o.namespaces ?? ['team-a', 'team-b']) host.setNamespace(ns);
  if (o.configMap !== false) {
    host.setConfigMap(
      'kube-system',
      AUTH_CONFIGMAP,
      authenticationConfigMapData({ clientCA: clientCA.cert, requestHeaderCA: frontProxyCA.cert, allowedNames: [FRONT_PROXY_CN] }),
    );
  }
  const kubeconfig = host.writeKubeconfig(join(dir, 'host.kubeconfig'));
  const parsed = parseOptions([
    `--etcd-servers=${etcd.endpoint}`,
    `--etcd-prefix=/test-${Math.random().toString(36).slice(2)}`,
    '--secure-port=0',
    '--bind-address=127.0.0.1',
    `--cert-dir=${certDir}`,
    '--log-level=silent',
    `--kubeconfig=${kubeconfig}`,
    ...(o.args ?? []),
  ]);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const server = await run(parsed.options, { write: () => true } as unknown as NodeJS.WritableStream);
  const servingCA = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  const clients: TestClient[] = [];
  const make = (opts: { token?: string; cert?: string; key?: string }): TestClient => {
    const c = new TestClient({ baseURL: server.url, ca: servingCA, ...opts });
    clients.push(c);
    return c;
  };
  return {
    host,
    server,
    etcd,
    servingCA,
    frontProxyCA,
    clientCA,
    frontProxyCert,
    dir,
    anonymous: () => make({}),
    withToken: (token) => make({ token }),
    withCert: (cert, token) => make({ cert: cert.cert, key: cert.key, token }),
    issue,
    stop: async () => {
      for (const c of clients) c.close();
      await server.stop();
      if (ownHost) await host.stop();
      if (ownEtcd) await etcd.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` is true (for changes that travel through a watch). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
