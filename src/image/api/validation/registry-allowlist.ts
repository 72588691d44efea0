// The registry allow-list (openshift's "whitelister"): which registries ImageStream references
// and imports may name, from allowedRegistriesForImport entries `host[:port]` with `*` and `?`
// wildcards. The internal registry is always admitted. Messages are the ones clients see.

import { parse as parseYaml } from 'yaml';
import { isObject } from '../../../apiserver/api/types.js';
import { DOCKER_DEFAULT_REGISTRY, DOCKER_DEFAULT_V1_REGISTRY, DOCKER_DEFAULT_V2_REGISTRY, DockerImageReference, splitHostPort } from '../reference.js';
import { allowAllRegistries, type AllowListTransport, type RegistryAllowList } from './allowlist.js';

/** One entry of image.config.openshift.io spec.allowedRegistriesForImport. */
export interface AllowedRegistry {
  domainName: string;
  insecure?: boolean;
}

interface HostPortGlob {
  host: string;
  port: string;
}

/** Only the first few patterns are listed in a refusal. */
const SHOW_MAX = 5;

/** Glob match where `*` is any run of characters and `?` any one. */
export function wildcardMatch(s: string, pattern: string): boolean {
  let prev = new Array<boolean>(s.length + 1).fill(false);
  prev[0] = true;
  for (const p of pattern) {
    const cur = new Array<boolean>(s.length + 1).fill(false);
    cur[0] = prev[0] === true && p === '*';
    for (let i = 1; i <= s.length; i++) {
      cur[i] = p === '*' ? cur[i - 1] === true || prev[i] === true : prev[i - 1] === true && (p === '?' || p === s[i - 1]);
    }
    prev = cur;
  }
  return prev[s.length] === true;
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** docker.io/library/x:latest -> docker.io/library/x: what "the same repository" means. */
function canonicalRepository(ref: DockerImageReference): string {
  return ref.dockerClientDefaults().asRepository().exact();
}

export class InvalidAllowedRegistryError extends Error {}

class GlobAllowList implements RegistryAllowList {
  constructor(
    private readonly globs: HostPortGlob[],
    private readonly repositories: ReadonlySet<string>,
  ) {}

  /** host without a port means 443 (secure) or 80 (insecure); with a port it is taken as given. */
  static globsFor(domainName: string, insecure: boolean): HostPortGlob[] {
    const parts = domainName.split(':');
    if (parts.length > 2) throw new InvalidAllowedRegistryError(`failed to parse allowed registry ${JSON.stringify(domainName)}: too many colons`);
    if (parts.length === 2) return [{ host: parts[0] ?? '', port: parts[1] ?? '' }];
    return [{ host: domainName, port: insecure ? '80' : '443' }];
  }

  admitReference(ref: DockerImageReference, transport: AllowListTransport): string | null {
    if (this.repositories.size && this.repositories.has(canonicalRepository(ref))) return null;
    let host: string;
    let port: string;
    if (transport === 'any') {
      [host, port] = splitHostPort(ref.registry);
      if (!host || !port) {
        host = ref.registry;
        port = '';
      }
      if (!host) host = ref.registryHostPort(false)[0];
    } else {
      [host, port] = ref.registryHostPort(transport === 'insecure');
    }
    const matchHost = (h: string): boolean =>
      this.globs.some((g) => {
        if (!wildcardMatch(h, g.host)) return false;
        if (!port) return g.port === '80' || g.port === '443' || g.port === '*';
        return wildcardMatch(port, g.port);
      });
    if ((host === DOCKER_DEFAULT_V1_REGISTRY || host === DOCKER_DEFAULT_V2_REGISTRY) && matchHost(DOCKER_DEFAULT_REGISTRY)) return null;
    if (matchHost(host)) return null;

    const shown = ref.registry || (port ? joinHostPort(host, port) : host);
    if (this.globs.length === 0) return `registry ${JSON.stringify(shown)} not allowed by empty whitelist`;
    const listed = this.globs.map((g) => JSON.stringify(joinHostPort(g.host, g.port)));
    if (listed.length <= SHOW_MAX) return `registry ${JSON.stringify(shown)} not allowed by whitelist: ${listed.join(', ')}`;
    return `registry ${JSON.stringify(shown)} not allowed by whitelist: ${listed.slice(0, SHOW_MAX - 1).join(', ')}, and ${listed.length - SHOW_MAX + 1} more ...`;
  }

  withPullSpecs(pullSpecs: Iterable<string>): RegistryAllowList {
    const repositories = new Set(this.repositories);
    for (const spec of pullSpecs) {
      const parsed = DockerImageReference.tryParse(spec);
      if (parsed.ref) repositories.add(canonicalRepository(parsed.ref));
    }
    return new GlobAllowList(this.globs, repositories);
  }
}

export interface RegistryAllowListOptions {
  /** Always admitted (secure, or its explicit port), listed first in refusals. */
  internalRegistryHostname?: string;
}

/**
 * The allow-list for `entries`, in their order. No entries: every registry is allowed (what an
 * empty allowedRegistriesForImport means). Throws InvalidAllowedRegistryError on a malformed entry.
 */
export function newRegistryAllowList(entries: readonly AllowedRegistry[], opts: RegistryAllowListOptions = {}): RegistryAllowList {
  if (entries.length === 0) return allowAllRegistries;
  const globs: HostPortGlob[] = [];
  // Later entries are added first and each one goes to the front: a repeated entry keeps its last place.
  const prepend = (g: HostPortGlob): void => {
    if (!globs.some((x) => x.host === g.host && x.port === g.port)) globs.unshift(g);
  };
  for (const e of [...entries].reverse()) for (const g of GlobAllowList.globsFor(e.domainName, e.insecure === true)) prepend(g);
  if (opts.internalRegistryHostname) for (const g of GlobAllowList.globsFor(opts.internalRegistryHostname, false)) prepend(g);
  return new GlobAllowList(globs, new Set());
}

/**
 * Entries from a flag value ("quay.io,insecure://reg.local:5000,*.example.com") or from a JSON or
 * YAML document: a list of {domainName, insecure}, or an object with allowedRegistriesForImport
 * (as in image.config.openshift.io spec, or the whole object).
 */
export function parseAllowedRegistries(text: string, format: 'flag' | 'document'): AllowedRegistry[] {
  if (format === 'flag') {
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (s.startsWith('insecure://') ? { domainName: s.slice('insecure://'.length), insecure: true } : { domainName: s }));
  }
  let doc: unknown = parseYaml(text);
  if (isObject(doc) && isObject(doc.spec)) doc = doc.spec;
  if (isObject(doc)) doc = doc.allowedRegistriesForImport;
  if (doc === undefined || doc === null) return [];
  if (!Array.isArray(doc)) throw new InvalidAllowedRegistryError('allowedRegistriesForImport must be a list of {domainName, insecure}');
  return doc.map((e, i) => {
    if (!isObject(e) || typeof e.domainName !== 'string' || !e.domainName) {
      throw new InvalidAllowedRegistryError(`allowedRegistriesForImport[${i}]: domainName is required`);
    }
    if (e.insecure !== undefined && typeof e.insecure !== 'boolean') {
      throw new InvalidAllowedRegistryError(`allowedRegistriesForImport[${i}].insecure must be a boolean`);
    }
    return { domainName: e.domainName, insecure: e.insecure === true };
  });
}
