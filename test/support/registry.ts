// A real, throwaway container registry (Debian's docker-registry, distribution 2.8) on a free
// loopback port with its own config: filesystem storage in a temp dir, deletes enabled, and
// optionally TLS (a fresh CA), htpasswd Basic auth, or Bearer token auth against a token server.
// Images get in with skopeo (pushImage). Tests fail loudly when a tool is missing or the
// registry cannot start. Install the tools with: bash hack/install-tools.sh registry

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface BasicCreds {
  user: string;
  pass: string;
}

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file with the certificate that signs tokens. */
  rootCertBundle: string;
}

export interface RegistryOptions {
  htpasswd?: BasicCreds;
  tls?: boolean;
  token?: TokenAuthConfig;
  /** Accept (signed) Docker schema1 pushes, which distribution 2.8 refuses by default. */
  schema1?: boolean;
}

export interface RegistryHandle {
  /** 127.0.0.1:<port>: the registry part of image references. */
  host: string;
  port: number;
  /** http(s)://127.0.0.1:<port> */
  url: string;
  tls: boolean;
  /** PEM of the CA that signed the TLS certificate (tls only). */
  ca?: string;
  /** Filesystem storage root. */
  storageDir: string;
  /** The registry's log (stdout and stderr). */
  logFile: string;
  /** Where the registry keeps a blob's bytes (manifests are blobs too). */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

export function requireTool(name: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not installed; run: bash hack/install-tools.sh registry`);
}

/** A CA and a certificate for 127.0.0.1/localhost signed by it (EC keys: fast to make). */
export function makeServerCertificate(dir: string, cn = 'registry'): { ca: string; cert: string; key: string; caFile: string; certFile: string; keyFile: string } {
  const ssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-days', '2', '-subj', `/CN=${cn}-test-ca`, '-keyout', 'ca.key', '-out', 'ca.crt');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl('req', ...ec, '-subj', `/CN=${cn}`, '-keyout', 'server.key', '-out', 'server.csr');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt');
  return {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    cert: readFileSync(join(dir, 'server.crt'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
  };
}

function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(`${url}/v2/`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<RegistryHandle> {
  requireTool('docker-registry');
  const root = mkdtempSync(join(tmpdir(), 'registry-test-'));
  const storageDir = join(root, 'storage');
  const logFile = join(root, 'registry.log');
  const port = await freePort();
  const tls = opts.tls ?? false;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: test-registry-secret',
  ];
  if (opts.schema1) lines.push('compatibility:', '  schema1:', '    enabled: true');
  let ca: string | undefined;
  if (tls) {
    const certs = makeServerCertificate(root);
    ca = certs.ca;
    lines.push('  tls:', `    certificate: ${certs.certFile}`, `    key: ${certs.keyFile}`);
  }
  if (opts.htpasswd && opts.token) throw new Error('startRegistry: htpasswd and token auth are exclusive');
  if (opts.htpasswd) {
    requireTool('htpasswd');
    const { stdout } = await run('htpasswd', ['-Bbn', opts.htpasswd.user, opts.htpasswd.pass]);
    writeFileSync(join(root, 'htpasswd'), stdout);
    lines.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${join(root, 'htpasswd')}`);
  }
  if (opts.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${opts.token.realm}`,
      `    service: ${opts.token.service}`,
      `    issuer: ${opts.token.issuer}`,
      `    rootcertbundle: ${opts.token.rootCertBundle}`,
    );
  }
  writeFileSync(join(root, 'config.yml'), `${lines.join('\n')}\n`);

  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', join(root, 'config.yml')], { stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));

  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await probe(url);
    if (status === 200 || status === 401) break;
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      throw new Error(`docker-registry did not start on ${url}:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    host: `127.0.0.1:${port}`,
    port,
    url,
    tls,
    ...(ca ? { ca } : {}),
    storageDir,
    logFile,
    blobPath: (digest: string) => {
      const hex = digest.slice(digest.indexOf(':') + 1);
      return join(storageDir, 'docker', 'registry', 'v2', 'blobs', digest.slice(0, digest.indexOf(':')), hex.slice(0, 2), hex, 'data');
    },
    stop: async () => {
      if (!exited) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
        });
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface PushOptions {
  /**
   * oci keeps OCI media types; v2s2 converts to Docker schema2 (and a Docker manifest list with
   * `all`); v2s1 to signed Docker schema1.
   */
  format?: 'oci' | 'v2s2' | 'v2s1';
  /** Copy every image of an index (a multi-platform push). */
  all?: boolean;
  creds?: BasicCreds;
  /** The layout's ref name (default "latest"). */
  srcTag?: string;
}

/**
 * Pushes an OCI layout to `ref` (127.0.0.1:PORT/ns/name:tag) with skopeo and returns the digest
 * of the manifest (or list) the registry stored.
 */
export async function pushImage(layoutDir: string, ref: string, opts: PushOptions = {}): Promise<{ digest: string }> {
  requireTool('skopeo');
  const digestFile = join(mkdtempSync(join(tmpdir(), 'skopeo-digest-')), 'digest');
  const args = ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile];
  if (opts.format) args.push('--format', opts.format);
  if (opts.all) args.push('--all');
  if (opts.creds) args.push('--dest-creds', `${opts.creds.user}:${opts.creds.pass}`);
  else args.push('--dest-no-creds');
  args.push(`oci:${layoutDir}:${opts.srcTag ?? 'latest'}`, `docker://${ref}`);
  try {
    // An empty auth file keeps the machine's own registry logins out of the tests.
    const authFile = join(digestFile, '..', 'auth.json');
    writeFileSync(authFile, '{}');
    await run('skopeo', args, { env: { ...process.env, REGISTRY_AUTH_FILE: authFile }, timeout: 60_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`skopeo ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
  const digest = readFileSync(digestFile, 'utf8').trim();
  rmSync(join(digestFile, '..'), { recursive: true, force: true });
  return { digest };
}

/** The raw manifest skopeo reads for `ref` (what the registry serves). */
export async function inspectRaw(ref: string, creds?: BasicCreds): Promise<string> {
  requireTool('skopeo');
  const args = ['inspect', '--raw', '--tls-verify=false', ...(creds ? ['--creds', `${creds.user}:${creds.pass}`] : ['--no-creds']), `docker://${ref}`];
  const { stdout } = await run('skopeo', args, { timeout: 30_000 });
  return stdout;
}
