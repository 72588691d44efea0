// Registry credentials from pull secrets (kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg)
// and how an image picks one, following the kubelet's keyring: a config key is a host (with an
// optional port, `*` wildcards per DNS label) and an optional path prefix; every key that matches
// the image's registry/repository applies, most specific first. Docker Hub's names
// (docker.io, index.docker.io, registry-1.docker.io) are one registry.

import { DOCKER_DEFAULT_REGISTRY, DOCKER_DEFAULT_V1_REGISTRY, DOCKER_DEFAULT_V2_REGISTRY } from '../api/reference.js';

export interface Credential {
  username: string;
  password: string;
  /** The config key it came from, for logs ("quay.io/team"). */
  server: string;
}

/** The parts of a core/v1 Secret the keyring reads. `data` values are base64, as the API serves them. */
export interface PullSecret {
  metadata?: { name?: string; namespace?: string };
  type?: string;
  data?: Record<string, string> | null;
}

export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
const KEY_DOCKER_CONFIG_JSON = '.dockerconfigjson';
const KEY_DOCKERCFG = '.dockercfg';

const HUB_ALIASES = new Set([DOCKER_DEFAULT_REGISTRY, DOCKER_DEFAULT_V1_REGISTRY, DOCKER_DEFAULT_V2_REGISTRY]);

interface Entry {
  key: string;
  hostLabels: string[];
  port: string;
  /** "" or "/seg/seg" without a trailing slash. */
  path: string;
  wildcard: boolean;
  credential: Credential;
}

function splitHost(hostport: string): [host: string, port: string] {
  const m = /^(.*?)(?::(\d+))?$/.exec(hostport);
  const host = (m?.[1] ?? hostport).toLowerCase();
  let port = m?.[2] ?? '';
  if (port === '443') port = ''; // the canonical HTTPS port is the same registry as no port
  return [HUB_ALIASES.has(host) ? DOCKER_DEFAULT_REGISTRY : host, port];
}

/** Normalises a config key ("https://quay.io/v1/", "*.example.com:5000/team/") to host, port, path. */
function parseKey(raw: string): { hostLabels: string[]; port: string; path: string } | null {
  let s = raw.trim().replace(/^https?:\/\//i, '');
  if (!s) return null;
  const slash = s.indexOf('/');
  const hostport = slash === -1 ? s : s.slice(0, slash);
  let path = slash === -1 ? '' : s.slice(slash);
  // The docker client treats /v1/ and /v2/ as the registry root.
  path = path.replace(/^\/v[12](?=\/|$)/, '');
  path = path.replace(/\/+$/, '');
  s = hostport;
  if (!s || /[\s]/.test(s)) return null;
  const [host, port] = splitHost(s);
  if (!host) return null;
  return { hostLabels: host.split('.'), port, path };
}

function globLabel(pattern: string, label: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === label;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(label);
}

function decodeMaybeBase64(value: string): string {
  const trimmed = value.trim();
  // Plain JSON passed directly (tests, stringData-like callers); API objects carry base64.
  if (trimmed.startsWith('{')) return trimmed;
  return Buffer.from(trimmed, 'base64').toString('utf8');
}

export class Keyring {
  private readonly entries: Entry[] = [];

  /** Credentials of every pull secret, with a note for each secret or entry that could not be read. */
  static fromSecrets(secrets: readonly PullSecret[]): { keyring: Keyring; problems: string[] } {
    const keyring = new Keyring();
    const problems: string[] = [];
    for (const secret of secrets) {
      const name = secret.metadata?.name ?? '<unnamed>';
      const data = secret.data ?? {};
      const isJSON = secret.type === SECRET_TYPE_DOCKER_CONFIG_JSON || (secret.type === undefined && KEY_DOCKER_CONFIG_JSON in data);
      const isCfg = secret.type === SECRET_TYPE_DOCKERCFG || (secret.type === undefined && KEY_DOCKERCFG in data);
      if (!isJSON && !isCfg) continue;
      const raw = data[isJSON ? KEY_DOCKER_CONFIG_JSON : KEY_DOCKERCFG];
      if (raw === undefined) {
        problems.push(`secret ${name}: no ${isJSON ? KEY_DOCKER_CONFIG_JSON : KEY_DOCKERCFG} key`);
        continue;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(decodeMaybeBase64(raw));
      } catch (err) {
        problems.push(`secret ${name}: ${(err as Error).message}`);
        continue;
      }
      const auths = isJSON ? (doc as { auths?: unknown } | null)?.auths : doc;
      for (const p of keyring.addConfig(auths)) problems.push(`secret ${name}: ${p}`);
    }
    return { keyring, problems };
  }

  /** Adds the entries of a docker config's `auths` map (or a .dockercfg document); returns problems. */
  addConfig(auths: unknown): string[] {
    if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) return ['no auths map'];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
      const cred = credentialFromEntry(value);
      if (typeof cred === 'string') {
        problems.push(`${key}: ${cred}`);
        continue;
      }
      if (cred === null) continue;
      if (!this.add(key, cred.username, cred.password)) problems.push(`${key}: not a registry host`);
    }
    return problems;
  }

  add(server: string, username: string, password: string): boolean {
    const parsed = parseKey(server);
    if (!parsed) return false;
    this.entries.push({
      key: server,
      ...parsed,
      wildcard: parsed.hostLabels.some((l) => l.includes('*') || l.includes('?')),
      credential: { username, password, server },
    });
    return true;
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Every credential whose key matches `registry` (host[:port]; "" = Docker Hub) and `repository`
   * ("team/app"), most specific first: longer path, then exact host over wildcard.
   */
  lookup(registry: string, repository: string): Credential[] {
    const [host, port] = splitHost(registry || DOCKER_DEFAULT_REGISTRY);
    const labels = host.split('.');
    const path = `/${repository.replace(/^\/+|\/+$/g, '')}`;
    const matches = this.entries.filter(
      (e) =>
        e.port === port &&
        e.hostLabels.length === labels.length &&
        e.hostLabels.every((p, i) => globLabel(p, labels[i] ?? '')) &&
        (e.path === '' || path === e.path || path.startsWith(`${e.path}/`)),
    );
    const segments = (p: string) => (p ? p.split('/').length : 0);
    matches.sort((a, b) => segments(b.path) - segments(a.path) || Number(a.wildcard) - Number(b.wildcard) || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
    return matches.map((e) => e.credential);
  }

  /** The credential an import uses: the most specific match. */
  first(registry: string, repository: string): Credential | undefined {
    return this.lookup(registry, repository)[0];
  }
}

/** A credential, null for an entry without any (ignored), or why the entry is unusable. */
function credentialFromEntry(value: unknown): { username: string; password: string } | null | string {
  if (typeof value !== 'object' || value === null) return 'entry is not an object';
  const e = value as { auth?: unknown; username?: unknown; password?: unknown };
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return 'auth is not base64 of "username:password"';
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const username = typeof e.username === 'string' ? e.username : '';
  const password = typeof e.password === 'string' ? e.password : '';
  if (!username && !password) return null;
  return { username, password };
}
