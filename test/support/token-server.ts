// A Docker token service (the Bearer flow Docker Hub, quay.io and most registries use) for a
// test registry: GET /token?service=…&scope=repository:<name>:<actions> answers a JWT signed with
// RS256 whose x5c certificate the registry trusts (its rootcertbundle). Anonymous callers get pull
// on the public repositories; the one user gets pull and push on all; wrong credentials get 401.

import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { freePort } from './ports.js';
import type { BasicCreds, TokenAuthConfig } from './registry.js';

export interface TokenServerOptions {
  user: BasicCreds;
  /** Repositories anonymous callers may pull ("public/app"). */
  publicRepositories: string[];
  /** Token lifetime (default 300 s). */
  expiresIn?: number;
}

export interface TokenServerHandle {
  /** What startRegistry({ token }) needs. */
  auth: TokenAuthConfig;
  /** Requests so far, as "user|anonymous|rejected scope". */
  requests: string[];
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'token-server-'));
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-token-issuer', '-keyout', 'key.pem', '-out', 'cert.pem'],
    { cwd: dir, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const certDer = new X509Certificate(readFileSync(join(dir, 'cert.pem'))).raw;
  const port = await freePort();
  const service = 'test-registry';
  const issuer = 'test-token-issuer';
  const requests: string[] = [];

  const sign = (subject: string, access: Array<{ type: string; name: string; actions: string[] }>) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: subject, aud: service, exp: now + (opts.expiresIn ?? 300), nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(key);
    return `${input}.${b64url(signature)}`;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const scopes = url.searchParams.getAll('scope');
    let user = '';
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (u !== opts.user.user || rest.join(':') !== opts.user.pass) {
        requests.push(`rejected ${scopes.join(' ')}`);
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      user = u;
    }
    requests.push(`${user || 'anonymous'} ${scopes.join(' ')}`);
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name) return [];
      const wanted = (actions ?? '').split(',');
      const granted = user ? wanted : opts.publicRepositories.includes(name) ? wanted.filter((a) => a === 'pull') : [];
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const token = sign(user, access);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: opts.expiresIn ?? 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    auth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, rootCertBundle: join(dir, 'cert.pem') },
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
