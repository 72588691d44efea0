// Local mode: everything needed to try the server without a cluster, kept under one directory so
// a second run reuses the data, certificates and token. Directories are 0700 and secrets 0600
// whatever the umask (chmod after creating: modes given to mkdir/open are masked), and a token
// file that someone else could have written is refused rather than trusted.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Creates `dir` (and missing parents) and makes it 0700. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function writeFileWithMode(path: string, data: string, mode: number): void {
  writeFileSync(path, data, { mode });
  chmodSync(path, mode);
}

/** The local directory, its etcd data directory and the certificate directory, all 0700. */
export function prepareLocalDirs(files: LocalFiles): void {
  for (const dir of [files.dir, files.etcdDataDir, files.certDir]) privateDir(dir);
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
  privateDir(dir);
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
  privateDir(certDir);
  const files = ['ca.crt', 'ca.key', 'serving.crt', 'serving.key'].map((f) => join(certDir, f));
  if (files.every((f) => existsSync(f))) {
    const [caCert, caKey, cert, key] = files.map((f) => readFileSync(f, 'utf8'));
    return { ca: { cert: caCert, key: caKey }, serving: { cert, key } };
  }
  const bundle = generateServingBundle(['localhost'], ['127.0.0.1', '::1']);
  writeFileWithMode(files[0], bundle.ca.cert, 0o644);
  writeFileWithMode(files[1], bundle.ca.key, 0o600);
  writeFileWithMode(files[2], bundle.serving.cert, 0o644);
  writeFileWithMode(files[3], bundle.serving.key, 0o600);
  return bundle;
}

/** The admin token, generated on first use; one that others could have replaced is refused. */
export function loadOrCreateToken(dir: string): string {
  const path = join(dir, 'admin-token');
  if (existsSync(path)) {
    const st = statSync(path);
    const ownedByOther = typeof process.getuid === 'function' && st.uid !== process.getuid();
    if ((st.mode & 0o022) !== 0 || ownedByOther) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new Error(`refusing to use ${path} (mode ${mode}${ownedByOther ? ', owned by another user' : ''}): others could have replaced it; remove it to generate a new token`);
    }
    return readFileSync(path, 'utf8').trim();
  }
  privateDir(dir);
  const token = randomBytes(24).toString('base64url');
  writeFileWithMode(path, `${token}\n`, 0o600);
  return token;
}

export function writeKubeconfig(path: string, server: string, caPem: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'image-apiserver', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'image-apiserver', context: { cluster: 'image-apiserver', user: 'admin', namespace: 'default' } }],
    'current-context': 'image-apiserver',
  };
  writeFileWithMode(path, toYaml(doc), 0o600);
}
