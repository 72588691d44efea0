// A real three-member etcd cluster on loopback, for failover tests: find the leader, kill a member.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/app/etcd-process.js';

export interface EtcdCluster {
  endpoints: string[];
  /** The index of the current leader, as the members report it. */
  leader(): Promise<number>;
  /** kill -9 of one member. */
  kill(i: number): Promise<void>;
  destroy(): Promise<void>;
}

interface Status {
  header: { member_id: string };
  leader: string;
}

async function status(endpoint: string): Promise<Status> {
  const res = await fetch(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
  return (await res.json()) as Status;
}

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-cluster-'));
  const ports = await Promise.all(Array.from({ length: size * 2 }, () => freePort()));
  const members = Array.from({ length: size }, (_, i) => ({
    name: `m${i}`,
    client: `http://127.0.0.1:${ports[2 * i]}`,
    peer: `http://127.0.0.1:${ports[2 * i + 1]}`,
  }));
  const initial = members.map((m) => `${m.name}=${m.peer}`).join(',');
  const procs: ChildProcess[] = members.map((m) =>
    spawn(
      process.env.ETCD_BIN ?? 'etcd',
      [
        '--name', m.name,
        '--data-dir', join(dir, m.name),
        '--listen-client-urls', m.client,
        '--advertise-client-urls', m.client,
        '--listen-peer-urls', m.peer,
        '--initial-advertise-peer-urls', m.peer,
        '--initial-cluster', initial,
        '--initial-cluster-state', 'new',
        '--logger=zap',
        '--log-outputs', join(dir, `${m.name}.log`),
      ],
      { stdio: 'ignore' },
    ),
  );
  const destroy = async (): Promise<void> => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((done) => {
            if (p.exitCode !== null || p.signalCode !== null) return done();
            p.once('exit', () => done());
            p.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const healthy = await Promise.all(members.map((m) => fetch(`${m.client}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)));
    if (healthy.every(Boolean)) break;
    if (Date.now() > deadline || procs.some((p) => p.exitCode !== null)) {
      await destroy();
      throw new Error(`etcd cluster did not become healthy (logs in ${dir})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoints: members.map((m) => m.client),
    leader: async () => {
      for (const [i, m] of members.entries()) {
        if (procs[i].exitCode !== null || procs[i].signalCode !== null) continue;
        const s = await status(m.client).catch(() => undefined);
        if (s && s.leader === s.header.member_id) return i;
      }
      throw new Error('no member reports itself leader');
    },
    kill: (i) =>
      new Promise<void>((done) => {
        procs[i].once('exit', () => done());
        procs[i].kill('SIGKILL');
      }),
    destroy,
  };
}
