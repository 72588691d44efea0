// Starts a throwaway etcd that requires TLS client certificates (certificates made with openssl).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface TLSEtcdHandle {
  endpoint: string;
  ca: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  destroy(): Promise<void>;
}

const ETCD_BIN = process.env.ETCD_BIN ?? 'etcd';

function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who}.key`, '-out', `${who}.csr`);
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${who}.ext`, '-out', `${who}.crt`);
  }
}

function healthy(endpoint: string, ca: Buffer, cert: Buffer, key: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/health`, { ca, cert, key, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body.includes('"health":"true"')));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startTLSEtcd(): Promise<TLSEtcdHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-tls-test-'));
  makeCerts(dir);
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    ETCD_BIN,
    [
      '--name', 'n1',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `n1=${peer}`,
      '--cert-file', join(dir, 'server.crt'),
      '--key-file', join(dir, 'server.key'),
      '--trusted-ca-file', join(dir, 'ca.crt'),
      '--client-cert-auth',
      '--logger=zap',
      '--log-outputs', join(dir, 'etcd.log'),
    ],
    { stdio: 'ignore' },
  );
  const ca = readFileSync(join(dir, 'ca.crt'));
  const clientCert = readFileSync(join(dir, 'client.crt'));
  const clientKey = readFileSync(join(dir, 'client.key'));
  const destroy = async () => {
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await healthy(endpoint, ca, clientCert, clientKey))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = join(dir, 'etcd.log');
      await destroy();
      throw new Error(`TLS etcd did not become healthy; see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, ca, clientCert, clientKey, destroy };
}
