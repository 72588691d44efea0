// Runs etcd as a child process on loopback: local mode's own etcd, and the tests' throwaway ones.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface EtcdProcess {
  endpoint: string;
  /** Stops the process, keeping the data. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
}

export interface EtcdProcessOptions {
  dataDir: string;
  clientPort?: number;
  peerPort?: number;
  binary?: string;
  startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      const port = addr.port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(endpoint: string, timeoutMs: number, exited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`etcd exited during startup; see ${logFile}`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy within ${timeoutMs} ms (${String(lastErr)}); see ${logFile}`);
}

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops an etcd that an earlier owner of this data directory left running (it was killed with
 * SIGKILL, so it could not stop its child): it would hold the data lock and no later start could
 * become healthy. Only a process whose command line names this very data directory is touched.
 */
async function stopLeftoverEtcd(pidFile: string, dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return; // gone, or no /proc to tell what it is
  }
  const at = args.indexOf('--data-dir');
  if (at < 0 || args[at + 1] !== dataDir) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startEtcdProcess(opts: EtcdProcessOptions): Promise<EtcdProcess> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = opts.peerPort ?? (await freePort());
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logFile = join(opts.dataDir, 'etcd.log');
  const dataDir = join(opts.dataDir, 'data');
  const pidFile = join(opts.dataDir, 'etcd.pid');
  let proc: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    await stopLeftoverEtcd(pidFile, dataDir);
    const child = spawn(
      opts.binary ?? 'etcd',
      [
        '--name', 'n1',
        '--data-dir', dataDir,
        '--listen-client-urls', endpoint,
        '--advertise-client-urls', endpoint,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `n1=${peer}`,
        '--logger=zap',
        '--log-outputs', logFile,
      ],
      { stdio: 'ignore' },
    );
    proc = child;
    if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 });
    let exited = false;
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      exited = true;
    });
    child.once('exit', () => {
      exited = true;
    });
    try {
      await waitHealthy(endpoint, opts.startTimeoutMs ?? 15000, () => exited, logFile);
    } catch (err) {
      // A start that failed stops what it started: an etcd left running would hold the data lock.
      await stop();
      if (spawnError) throw new Error(`cannot run etcd (${spawnError.message}); install it with: apt-get install etcd-server`);
      throw err;
    }
  };

  async function stop(): Promise<void> {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
    rmSync(pidFile, { force: true });
  }

  await start();
  return { endpoint, stop, start };
}
