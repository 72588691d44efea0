// Local mode: everything needed to try the server without a cluster, kept under one directory so
// a second run reuses the data, certificates and token.

import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { generateServingBundle, type ServingBundle } from '../apiserver/server/selfsigned.js';

export interface LocalFiles {
  dir: string;
  etcdDataDir: string;
  certDir: string;
  kubeconfigPath: string;
}

export function localFiles(dir: string, certDir: string, kubeconfigOut: string): LocalFiles {
  const abs = resolve(dir);
  return {
    dir: abs,
    etcdDataDir: join(abs, 'etcd'),
    certDir: certDir ? resolve(certDir) : join(abs, 'certs'),
    kubeconfigPath: kubeconfigOut ? resolve(kubeconfigOut) : join(abs, 'kubeconfig'),
  };
}

/** A second server on the same local directory would fight the first over its etcd data. */
export class LocalDirInUseError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`another image-apiserver is already running in ${dir} (PID ${pid}); stop it first, or pass another --local-dir`);
  }
}

/** Whether `pid` is a live local-mode server (not a process that reused the PID of one, after a reboot). */
function runsLocalMode(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg === '--local' || arg.startsWith('--local='));
  } catch {
    return true; // no /proc to ask: alive is all we know
  }
}

/**
 * Claims the local directory for this process with a PID file, created with its content in one
 * step (a hard link of a file already written), so a concurrent start never reads it half-made. A
 * file left by a process that is gone is taken over. Returns the release, which removes the file.
 */
export function lockLocalDir(dir: string, pid = process.pid): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'image-apiserver.pid');
  const mine = `${path}.${pid}`;
  writeFileSync(mine, `${pid}\n`, { mode: 0o600 });
  try {
    for (;;) {
      try {
        linkSync(mine, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== pid && runsLocalMode(holder)) throw new LocalDirInUseError(dir, holder);
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  return () => {
    try {
      if (Number.parseInt(readFileSync(path, 'utf8'), 10) === pid) rmSync(path, { force: true });
    } catch {
      // Already removed.
    }
  };
}

/** Loads the serving bundle from certDir, generating (and saving) it on first use. */
export function loadOrCreateServingBundle(certDir: string): ServingBundle {
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const files = ['ca.crt', 'ca.key', 'serving.crt', 'serving.key'].map((f) => join(certDir, f));
  if (files.every((f) => existsSync(f))) {
    const [caCert, caKey, cert, key] = files.map((f) => readFileSync(f, 'utf8'));
    return { ca: { cert: caCert, key: caKey }, serving: { cert, key } };
  }
  const bundle = generateServingBundle(['localhost'], ['127.0.0.1', '::1']);
  writeFileSync(files[0], bundle.ca.cert);
  writeFileSync(files[1], bundle.ca.key, { mode: 0o600 });
  writeFileSync(files[2], bundle.serving.cert);
  writeFileSync(files[3], bundle.serving.key, { mode: 0o600 });
  return bundle;
}

export function loadOrCreateToken(dir: string): string {
  const path = join(dir, 'admin-token');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}

export function writeKubeconfig(path: string, server: string, caPem: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'image-apiserver', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'image-apiserver', context: { cluster: 'image-apiserver', user: 'admin', namespace: 'default' } }],
    'current-context': 'image-apiserver',
  };
  writeFileSync(path, toYaml(doc), { mode: 0o600 });
}
