// The registry client one server process keeps: shared connections, the per-registry concurrency
// limit, the token, ping and content caches, and the retry policy. Each import asks it for a
// RegistryRepository (a session with that import's credentials and insecure choice).

import { DockerImageReference } from '../api/reference.js';
import type { CachedToken } from './auth.js';
import { KeyedLimiter } from './concurrency.js';
import type { Credential, Keyring } from './credentials.js';
import { HttpTransport } from './http.js';
import { importImage, type ImportedImage, type ImportImageOptions } from './images.js';
import { SizedLRU } from './lru.js';
import type { Manifest } from './manifests.js';
import { ownPlatform, type Platform } from './platform.js';
import { RegistryRepository, type RepositoryLimits } from './repository.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { RegistrySession, type ClientContext, type RequestEvent } from './session.js';

export interface RegistryClientOptions {
  /** Deadline of one HTTP exchange, body included (default 30 s). */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight per registry host (default 5). */
  perRegistryConcurrency?: number;
  /** Bytes of manifests and configs kept (default 64 MiB). */
  cacheMaxBytes?: number;
  cacheMaxEntries?: number;
  /** Layer sizes kept (schema1 only; default 2048, as openshift-apiserver). */
  blobSizeCacheEntries?: number;
  /** How long a registry's /v2/ answer (scheme, challenge) is reused (default 5 min). */
  pingTTLms?: number;
  maxManifestBytes?: number;
  maxConfigBytes?: number;
  maxTagListBytes?: number;
  maxTags?: number;
  /** Extra CAs trusted for registries, besides the system roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  userAgent?: string;
  /** The platform Legacy imports prefer when the tag names none (default: this process's). */
  platform?: Platform;
  now?: () => Date;
  /** Called after every HTTP exchange (logs, metrics, tests). */
  observe?: (e: RequestEvent) => void;
}

export interface RepositoryOptions {
  /** Allow plain HTTP and unverified TLS (the tag's or import's importPolicy.insecure). */
  insecure?: boolean;
  /** Pull secrets to pick a credential from. */
  keyring?: Keyring;
  /** A credential to use as-is (wins over the keyring). */
  credential?: Credential;
}

const MiB = 1024 * 1024;

export class RegistryClient {
  private readonly ctx: ClientContext;
  private readonly content: SizedLRU<Manifest | string>;
  private readonly blobSizes: SizedLRU<number>;
  private readonly limits: RepositoryLimits;
  private readonly platform: Platform;
  private readonly now: () => Date;

  constructor(opts: RegistryClientOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    const concurrency = opts.perRegistryConcurrency ?? 5;
    this.ctx = {
      transport: new HttpTransport({ ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.userAgent ? { userAgent: opts.userAgent } : {}), maxSockets: concurrency }),
      limiter: new KeyedLimiter(concurrency),
      retry: { ...DEFAULT_RETRY_POLICY, ...opts.retry },
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
      pingTTLms: opts.pingTTLms ?? 5 * 60_000,
      tokens: new SizedLRU<CachedToken>(Number.MAX_SAFE_INTEGER, 1024, () => 1),
      pings: new Map(),
      maxTokenBytes: 1 * MiB,
      now: () => this.now().getTime(),
      ...(opts.observe ? { observe: opts.observe } : {}),
    };
    this.content = new SizedLRU<Manifest | string>(opts.cacheMaxBytes ?? 64 * MiB, opts.cacheMaxEntries ?? 4096, (v) =>
      typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.body.length + 256,
    );
    this.blobSizes = new SizedLRU<number>(Number.MAX_SAFE_INTEGER, opts.blobSizeCacheEntries ?? 2048, () => 1);
    this.limits = {
      maxManifestBytes: opts.maxManifestBytes ?? 4 * MiB,
      maxConfigBytes: opts.maxConfigBytes ?? 16 * MiB,
      maxTagListBytes: opts.maxTagListBytes ?? 16 * MiB,
      maxTags: opts.maxTags ?? 100_000,
    };
    this.platform = opts.platform ?? ownPlatform();
  }

  /**
   * A session with the repository of `ref` (its tag or digest is ignored). Docker Hub names
   * ("busybox", "docker.io/library/busybox") reach registry-1.docker.io. Throws
   * InvalidReferenceError for a reference that does not parse.
   */
  repository(ref: DockerImageReference | string, opts: RepositoryOptions = {}): RegistryRepository {
    const parsed = typeof ref === 'string' ? DockerImageReference.parse(ref) : ref;
    const defaults = parsed.dockerClientDefaults();
    const repository = defaults.repositoryName();
    const credential = opts.credential ?? opts.keyring?.first(defaults.registry, repository);
    const session = new RegistrySession(this.ctx, {
      registry: defaults.asV2().registry,
      repository,
      insecure: opts.insecure ?? false,
      ...(credential ? { credential } : {}),
    });
    return new RegistryRepository(session, parsed, defaults, { content: this.content, blobSizes: this.blobSizes }, this.limits);
  }

  /** Imports one tag or digest: the Image(s) an ImageStreamImport would store for it. */
  importImage(repo: RegistryRepository, tagOrDigest: string, opts: ImportImageOptions = {}): Promise<ImportedImage> {
    return importImage(repo, tagOrDigest, { platform: this.platform, now: this.now }, opts);
  }

  /** Drops cached manifests, configs, tokens and /v2/ answers. */
  clearCaches(): void {
    this.content.clear();
    this.blobSizes.clear();
    this.ctx.tokens.clear();
    this.ctx.pings.clear();
  }

  /** Closes idle connections; the client must not be used afterwards. */
  close(): void {
    this.ctx.transport.close();
  }
}
