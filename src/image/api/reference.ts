// Docker image references ("registry/namespace/name:tag@digest") parsed the way OpenShift's
// library-go does: the docker/distribution grammar, its error strings, then a split into
// registry / namespace / name / tag / id with OpenShift's heuristics for what is a registry.

import { digestError, isDigest } from './digest.js';

export const NAME_TOTAL_LENGTH_MAX = 255;

export const DOCKER_DEFAULT_REGISTRY = 'docker.io';
export const DOCKER_DEFAULT_V1_REGISTRY = 'index.docker.io';
export const DOCKER_DEFAULT_V2_REGISTRY = 'registry-1.docker.io';

export const REFERENCE_ERRORS = {
  empty: 'repository name must have at least one component',
  uppercase: 'repository name must be lowercase',
  format: 'invalid reference format',
  tooLong: `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
} as const;

// The grammar of distribution's reference/regexp.go. Upstream writes the separator between name
// characters as `[._]|__|[-]*`; the empty alternative makes JavaScript's backtracking engine
// exponential on long invalid names, so it is written without it (same language: adjacent runs of
// [a-z0-9] simply merge).
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const NAME_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const HOST_COMPONENT = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const HOSTNAME = `${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${HOSTNAME}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
/** `algorithm:hex` with at least 32 hex digits; the algorithm is checked separately. */
export const DIGEST_PATTERN = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST_PATTERN}))?$`);

export class InvalidReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

export interface ReferenceParts {
  registry?: string;
  namespace?: string;
  name?: string;
  tag?: string;
  id?: string;
}

/** An immutable parsed reference; every "modifier" returns a new one. */
export class DockerImageReference {
  readonly registry: string;
  readonly namespace: string;
  readonly name: string;
  readonly tag: string;
  /** A digest ("sha256:...") or, for very old registries, a v1 image id used like a tag. */
  readonly id: string;

  constructor(parts: ReferenceParts = {}) {
    this.registry = parts.registry ?? '';
    this.namespace = parts.namespace ?? '';
    this.name = parts.name ?? '';
    this.tag = parts.tag ?? '';
    this.id = parts.id ?? '';
  }

  /** Parses a pull spec; throws InvalidReferenceError with the upstream message. */
  static parse(spec: string): DockerImageReference {
    const m = REFERENCE.exec(spec);
    if (!m) {
      if (spec === '') throw new InvalidReferenceError(REFERENCE_ERRORS.empty);
      if (REFERENCE.test(spec.toLowerCase())) throw new InvalidReferenceError(REFERENCE_ERRORS.uppercase);
      throw new InvalidReferenceError(REFERENCE_ERRORS.format);
    }
    const [, fullName = '', tag = '', digest = ''] = m;
    if (fullName.length > NAME_TOTAL_LENGTH_MAX) throw new InvalidReferenceError(REFERENCE_ERRORS.tooLong);
    if (digest) {
      const err = digestError(digest);
      if (err) throw new InvalidReferenceError(err);
    }

    const slash = fullName.indexOf('/');
    const first = slash === -1 ? fullName : fullName.slice(0, slash);
    // A lone component is a registry when it looks like a host; a leading path component is one
    // when it has a dot or a port, or is exactly "localhost".
    const registryOnly = slash === -1 && (fullName.includes('.') || fullName.startsWith('localhost'));
    const nameOnly = (slash === -1 && !registryOnly) || (slash !== -1 && !/[:.]/.test(first) && first !== 'localhost');

    let registry = '';
    let path = '';
    if (registryOnly) {
      // Upstream keeps the whole reference text (tag and digest included) as the registry.
      registry = fullName + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
    } else if (nameOnly) {
      path = fullName;
    } else {
      registry = first;
      path = fullName.slice(slash + 1);
    }
    let namespace = '';
    const nsSlash = path.indexOf('/');
    if (nsSlash !== -1) {
      namespace = path.slice(0, nsSlash);
      path = path.slice(nsSlash + 1);
    }
    return new DockerImageReference({ registry, namespace, name: path, tag: registryOnly ? '' : tag, id: digest });
  }

  /** Parses without throwing: the reference, or the error message. */
  static tryParse(spec: string): { ref: DockerImageReference; error?: undefined } | { ref?: undefined; error: string } {
    try {
      return { ref: DockerImageReference.parse(spec) };
    } catch (err) {
      if (err instanceof InvalidReferenceError) return { error: err.message };
      throw err;
    }
  }

  with(parts: ReferenceParts): DockerImageReference {
    return new DockerImageReference({ ...this.parts(), ...parts });
  }

  parts(): Required<ReferenceParts> {
    return { registry: this.registry, namespace: this.namespace, name: this.name, tag: this.tag, id: this.id };
  }

  equals(other: DockerImageReference): boolean {
    const a = this.dockerClientDefaults();
    const b = other.dockerClientDefaults();
    return a.registry === b.registry && a.namespace === b.namespace && a.name === b.name && a.tag === b.tag && a.id === b.id;
  }

  /** Fills what the Docker client assumes: docker.io, library (on Docker Hub), latest. */
  dockerClientDefaults(): DockerImageReference {
    const registry = this.registry || DOCKER_DEFAULT_REGISTRY;
    return this.with({
      registry,
      namespace: this.namespace || (isRegistryDockerHub(registry) ? 'library' : ''),
      tag: this.tag || 'latest',
    });
  }

  /** Drops a "latest" tag. */
  minimal(): DockerImageReference {
    return this.tag === 'latest' ? this.with({ tag: '' }) : this;
  }

  asRepository(): DockerImageReference {
    return this.with({ tag: '', id: '' });
  }

  /** The registry-relative repository ("namespace/name"). */
  repositoryName(): string {
    return this.with({ tag: '', id: '', registry: '' }).exact();
  }

  /** docker.io and index.docker.io become the v2 endpoint registry-1.docker.io. */
  asV2(): DockerImageReference {
    return this.registry === DOCKER_DEFAULT_V1_REGISTRY || this.registry === DOCKER_DEFAULT_REGISTRY
      ? this.with({ registry: DOCKER_DEFAULT_V2_REGISTRY })
      : this;
  }

  /** Host and port of the registry (Docker Hub by default; 443, or 80 when insecure). */
  registryHostPort(insecure: boolean): [host: string, port: string] {
    const host = this.asV2().dockerClientDefaults().registry;
    if (host.includes(':')) return splitHostPort(host);
    return [host, insecure ? '80' : '443'];
  }

  /** Clears what the Docker daemon assumes anyway. */
  daemonMinimal(): DockerImageReference {
    const hub = this.registry === DOCKER_DEFAULT_V1_REGISTRY || this.registry === DOCKER_DEFAULT_V2_REGISTRY;
    const registry = hub ? DOCKER_DEFAULT_REGISTRY : this.registry;
    const namespace = isRegistryDockerHub(registry) && this.namespace === 'library' ? '' : this.namespace;
    return this.with({ registry, namespace }).minimal();
  }

  /** Prefers a digest over a tag; a non-digest id is demoted to a tag when there is none. */
  mostSpecific(): DockerImageReference {
    if (!this.id) return this;
    if (isDigest(this.id)) return this.with({ tag: '' });
    if (!this.tag) return this.with({ tag: this.id, id: '' });
    return this;
  }

  /** name[:tag|@id], or "" without a name. */
  nameString(): string {
    if (!this.name) return '';
    if (this.id) return this.name + (isDigest(this.id) ? '@' : ':') + this.id;
    if (this.tag) return `${this.name}:${this.tag}`;
    return this.name;
  }

  /** Exactly the fields that are set: [registry/][namespace/]name[:tag|@id]. */
  exact(): string {
    const name = this.nameString();
    if (!name) return '';
    let s = this.registry ? `${this.registry}/` : '';
    if (this.namespace) s += `${this.namespace}/`;
    return s + name;
  }

  /** A pull spec: like exact(), with the implied "library" namespace on Docker Hub. */
  toString(): string {
    if (!this.namespace && isRegistryDockerHub(this.registry)) return this.with({ namespace: 'library' }).exact();
    return this.exact();
  }
}

export function isRegistryDockerHub(registry: string): boolean {
  return registry === DOCKER_DEFAULT_REGISTRY || registry === DOCKER_DEFAULT_V1_REGISTRY || registry === DOCKER_DEFAULT_V2_REGISTRY;
}

/** host:port or [v6]:port split like Go's net.SplitHostPort; ["", ""] when malformed. */
export function splitHostPort(hostport: string): [host: string, port: string] {
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end === -1 || hostport[end + 1] !== ':') return ['', ''];
    return [hostport.slice(1, end), hostport.slice(end + 2)];
  }
  const colon = hostport.indexOf(':');
  if (colon === -1 || hostport.indexOf(':', colon + 1) !== -1) return ['', ''];
  return [hostport.slice(0, colon), hostport.slice(colon + 1)];
}

/** The parse error message for `spec`, or null when it parses. */
export function referenceError(spec: string): string | null {
  const r = DockerImageReference.tryParse(spec);
  return r.error ?? null;
}
