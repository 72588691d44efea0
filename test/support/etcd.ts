// Starts a real, throwaway etcd on free loopback ports. Tests fail loudly if it cannot start.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface EtcdHandle {
  endpoint: string;
  dataDir: string;
  /** Stops the process (data kept); start() brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and deletes the data. */
  destroy(): Promise<void>;
}

const ETCD_BIN = process.env.ETCD_BIN ?? 'etcd';

async function waitHealthy(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/health`);
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy: ${String(lastErr)}`);
}

export async function startEtcd(): Promise<EtcdHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'etcd-test-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let proc: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const child = spawn(
      ETCD_BIN,
      [
        '--name', 'n1',
        '--data-dir', join(dataDir, 'data'),
        '--listen-client-urls', endpoint,
        '--advertise-client-urls', endpoint,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `n1=${peer}`,
        '--logger=zap',
        '--log-outputs', join(dataDir, 'etcd.log'),
      ],
      { stdio: 'ignore' },
    );
    proc = child;
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    try {
      await waitHealthy(endpoint, 15000);
    } catch (err) {
      if (exited) throw new Error(`etcd exited early; see ${join(dataDir, 'etcd.log')}`);
      throw err;
    }
  };

  const stop = async (): Promise<void> => {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };

  await start();
  return {
    endpoint,
    dataDir,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
