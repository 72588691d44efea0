// Starts the real server in-process against a real etcd, in local mode (admin token), on a free port.
// `client` drives its Express app in-process (supertest); `https` goes through the TLS listener.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseOptions, type Options } from '../../src/app/options.js';
import { run, type RunningServer } from '../../src/app/run.js';
import { TestClient } from './client.js';
import { startEtcd, type EtcdHandle } from './etcd.js';

export interface TestServer {
  etcd: EtcdHandle;
  server: RunningServer;
  client: TestClient;
  https: TestClient;
  token: string;
  ca: string;
  dir: string;
  options: Options;
  stop(): Promise<void>;
}

interface Kubeconfig {
  clusters: { cluster: { 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

export async function startTestServer(extraArgs: string[] = [], etcd?: EtcdHandle): Promise<TestServer> {
  const ownEtcd = etcd === undefined;
  const e = etcd ?? (await startEtcd());
  const dir = mkdtempSync(join(tmpdir(), 'image-apiserver-test-'));
  const parsed = parseOptions([
    '--local',
    `--local-dir=${dir}`,
    `--etcd-servers=${e.endpoint}`,
    '--secure-port=0',
    '--bind-address=127.0.0.1',
    '--log-level=silent',
    // Background imports would write to streams the tests look at; tests that want them pass =true.
    '--image-import-controller=false',
    ...extraArgs,
  ]);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const server = await run(parsed.options, sink);
  const kc = parseYaml(readFileSync(server.kubeconfigPath ?? '', 'utf8')) as Kubeconfig;
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const token = kc.users[0].user.token;
  const client = new TestClient({ app: server.app, token });
  const https = new TestClient({ baseURL: server.url, ca, token });
  return {
    etcd: e,
    server,
    client,
    https,
    token,
    ca,
    dir,
    options: parsed.options,
    stop: async () => {
      https.close();
      await server.stop();
      if (ownEtcd) await e.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
