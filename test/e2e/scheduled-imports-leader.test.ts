// Two server processes on one etcd: exactly one of them (the holder of the etcd lease) runs the
// background imports; when it is killed, the other takes over within the lease TTL and keeps
// importing: a new image pushed under a scheduled tag appears in the stream's status.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { TestClient } from '../support/client.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';
import { buildOCIImage } from '../support/oci-image.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { pushImage, startRegistry, type RegistryHandle } from '../support/registry.js';

const TTL_SECONDS = 3;

interface Replica {
  name: string;
  dir: string;
  process: ServerProcess;
  client: TestClient;
}

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

interface LogLine {
  msg?: string;
  identity?: string;
  component?: string;
  stream?: string;
}

/** The JSON log lines a replica wrote so far. */
function logs(r: Replica): LogLine[] {
  return r.process
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}
const startedLeading = (r: Replica) => logs(r).some((l) => l.msg === 'leader election: started leading' && l.identity === r.name);
const importsBy = (r: Replica) => logs(r).filter((l) => l.msg === 'image import controller: imported');
const controllerStarted = (r: Replica) => logs(r).some((l) => l.msg === 'image import controller started');

async function eventually<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scheduled imports with two replicas', () => {
  let etcd: EtcdHandle;
  let reg: RegistryHandle;
  const replicas: Replica[] = [];
  const digests: Record<string, string> = {};

  async function replica(name: string): Promise<Replica> {
    const dir = mkdtempSync(join(tmpdir(), `e2e-replica-${name}-`));
    const port = await freePort();
    const proc = await startServerProcess([
      '--local',
      `--local-dir=${dir}`,
      `--etcd-servers=${etcd.endpoint}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--log-level=info',
      '--scheduled-image-import-interval=1s',
      `--leader-election-lease-duration=${TTL_SECONDS}s`,
      `--leader-election-identity=${name}`,
    ]);
    const kc = parseYaml(readFileSync(join(dir, 'kubeconfig'), 'utf8')) as Kubeconfig;
    const cluster = kc.clusters[0]?.cluster;
    const client = new TestClient({
      baseURL: cluster?.server ?? '',
      ca: Buffer.from(cluster?.['certificate-authority-data'] ?? '', 'base64').toString(),
      token: kc.users[0]?.user.token,
    });
    const r = { name, dir, process: proc, client };
    replicas.push(r);
    return r;
  }

  before(async () => {
    etcd = await startEtcd();
    reg = await startRegistry();
    digests.one = (await pushImage(buildOCIImage({ files: { 'v.txt': 'one\n' } }).dir, `${reg.host}/team/app:edge`, { format: 'v2s2' })).digest;
  });

  after(async () => {
    for (const r of replicas) {
      r.client.close();
      // A killed replica has exited already (exitCode stays null after a signal).
      if (r.process.child.exitCode === null && r.process.child.signalCode === null) await r.process.stop('SIGKILL');
      rmSync(r.dir, { recursive: true, force: true });
    }
    await reg?.stop();
    await etcd?.destroy();
  });

  it('only one replica leads and runs the imports; when it dies the other takes over within the lease TTL', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    const leader = await eventually('a leader', () => replicas.find(startedLeading));
    const follower = leader === a ? b : a;

    const created = await follower.client.post('/apis/image.openshift.io/v1/namespaces/ha/imagestreams', {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app' },
      spec: { tags: [{ name: 'edge', from: { kind: 'DockerImage', name: `${reg.host}/team/app:edge` }, importPolicy: { insecure: true, scheduled: true } }] },
    });
    assert.equal(created.status, 201, created.text);
    const newest = async (r: Replica): Promise<string | undefined> => {
      const s = (await r.client.get('/apis/image.openshift.io/v1/namespaces/ha/imagestreams/app')).json<{ status: { tags?: { items: { image: string }[] }[] } }>();
      return s.status.tags?.[0]?.items?.[0]?.image;
    };
    await eventually('the first import', async () => ((await newest(follower)) === digests.one ? true : undefined));
    // A few scheduled rounds go by: all of them on the leader.
    await eventually('scheduled rounds', () => (importsBy(leader).length >= 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(startedLeading(follower), false, 'the other replica never led');
    assert.equal(controllerStarted(follower), false, 'nor ran the import controller');
    assert.deepEqual(importsBy(follower), []);

    // Kill the leader without letting it release the lease: the lease has to expire. The new image
    // is pushed after the kill, so only the new leader can be the one to import it.
    const killedAt = Date.now();
    await leader.process.stop('SIGKILL');
    digests.two = (await pushImage(buildOCIImage({ files: { 'v.txt': 'two\n' } }).dir, `${reg.host}/team/app:edge`, { format: 'v2s2' })).digest;
    await eventually('the takeover', () => (startedLeading(follower) ? true : undefined), (TTL_SECONDS + 10) * 1000);
    const takeover = Date.now() - killedAt;
    assert.ok(takeover <= (TTL_SECONDS + 2) * 1000, `took over after ${takeover} ms (lease TTL ${TTL_SECONDS}s)`);

    await eventually('the new image', async () => ((await newest(follower)) === digests.two ? true : undefined));
    assert.ok(importsBy(follower).length >= 1, 'imported by the new leader');
  });
});
