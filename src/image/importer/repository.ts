// The read operations on one repository: manifests by tag or digest (verified, cached by
// digest), config blobs (verified, cached), blob sizes, and the full tag list (Link pagination).
// Cache hits still ask the registry (a HEAD) whether this caller may read the image, so a cached
// private manifest is never served to a request that could not have fetched it.

import { computeDigest, isDigest } from '../api/digest.js';
import type { DockerImageReference } from '../api/reference.js';
import { RegistryError, isRegistryError, type CredentialUse, type RegistryErrorInit } from './errors.js';
import type { HttpResponse } from './http.js';
import type { SizedLRU } from './lru.js';
import { decodeManifest, MANIFEST_ACCEPT, type Manifest } from './manifests.js';
import type { RegistrySession } from './session.js';

export interface ContentCaches {
  /** Manifests and configs, keyed by registry/repository@digest. */
  content: SizedLRU<Manifest | string>;
  /** Blob sizes (schema1 images), keyed the same way. */
  blobSizes: SizedLRU<number>;
}

export interface RepositoryLimits {
  maxManifestBytes: number;
  maxConfigBytes: number;
  maxTagListBytes: number;
  maxTags: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses an RFC 8288 Link header and returns the rel="next" target. */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const value of values) {
    for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]*)*)/g)) {
      const rel = /;\s*rel\s*=\s*"?([^";,]*)"?/i.exec(m[2] ?? '')?.[1] ?? '';
      if (rel.split(/\s+/).includes('next')) {
        try {
          return new URL(m[1] ?? '', base);
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

export class RegistryRepository {
  constructor(
    private readonly session: RegistrySession,
    /** The reference as the caller named it (its tag/digest are ignored). */
    readonly ref: DockerImageReference,
    /** The reference with docker defaults (docker.io/library/...), for messages. */
    private readonly display: DockerImageReference,
    private readonly caches: ContentCaches,
    private readonly limits: RepositoryLimits,
  ) {}

  /** host[:port] the client talks to. */
  get registry(): string {
    return this.session.target.registry;
  }

  /** The repository path inside the registry ("library/busybox"). */
  get name(): string {
    return this.session.target.repository;
  }

  /** How credentials fared in this session ("none" when there were none). */
  get credentialUse(): CredentialUse {
    return this.session.credentialUse;
  }

  /** registry/repository:tag or @digest, with docker defaults, as errors name it. */
  displayReference(tagOrDigest?: string): string {
    if (!tagOrDigest) return this.display.with({ tag: '', id: '' }).exact();
    return (isDigest(tagOrDigest) ? this.display.with({ tag: '', id: tagOrDigest }) : this.display.with({ tag: tagOrDigest, id: '' })).exact();
  }

  /** The pull spec an Image stores: the caller's repository @ digest. */
  pullSpec(digest: string): string {
    return this.ref.with({ tag: '', id: digest }).exact();
  }

  private key(digest: string): string {
    return `${this.registry}/${this.name}@${digest}`;
  }

  private init(reference: string): RegistryErrorInit {
    return { registry: this.registry, reference, repository: this.name };
  }

  /** Checks the registry answers /v2/ (and how it wants to be authenticated). */
  async ping(opts: CallOptions = {}): Promise<void> {
    await this.session.endpoint(this.displayReference(), opts.signal);
  }

  /** A manifest by tag or digest, verified against the digest asked for or announced. */
  async getManifest(tagOrDigest: string, opts: CallOptions = {}): Promise<Manifest> {
    const reference = this.displayReference(tagOrDigest);
    const byDigest = isDigest(tagOrDigest);
    const path = `manifests/${tagOrDigest}`;
    const head = async (): Promise<string | undefined> => {
      try {
        const res = await this.session.request({ method: 'HEAD', path, accept: MANIFEST_ACCEPT, maxBytes: 0, what: 'manifest', reference, ...opts });
        return digestHeader(res);
      } catch (err) {
        // HEAD answers carry no error body: a definite answer is final; anything unclassified
        // (405 from a proxy, say) falls back to GET, which reports properly.
        if (!isRegistryError(err, 'Unexpected')) throw err;
        return undefined;
      }
    };
    // A cached manifest is only served after a HEAD with this caller's credentials succeeds. For
    // tags the HEAD also tells the digest without a body (Docker Hub does not count HEADs
    // against pull limits); a digest nobody fetched yet goes straight to GET.
    let announced: string | undefined;
    if (byDigest) {
      const hit = this.caches.content.get(this.key(tagOrDigest));
      if (hit && typeof hit !== 'string') {
        await head();
        return hit;
      }
    } else {
      announced = await head();
      const hit = announced ? this.caches.content.get(this.key(announced)) : undefined;
      if (hit && typeof hit !== 'string') return hit;
    }
    const res = await this.session.request({ path, accept: MANIFEST_ACCEPT, maxBytes: this.limits.maxManifestBytes, what: 'manifest', reference, ...opts });
    const header = digestHeader(res) ?? announced;
    const manifest = decodeManifest(
      res.body,
      firstHeader(res.headers['content-type']),
      { ...(byDigest ? { requested: tagOrDigest } : {}), ...(header ? { announced: header } : {}) },
      this.init(reference),
    );
    this.caches.content.set(this.key(manifest.digest), manifest);
    return manifest;
  }

  /** The image config blob (JSON text) of a schema2 / OCI manifest, verified against its digest. */
  async getConfig(digest: string, opts: CallOptions = {}): Promise<string> {
    const hit = this.caches.content.get(this.key(digest));
    if (typeof hit === 'string') return hit;
    const reference = this.displayReference(digest);
    const res = await this.session.request({ path: `blobs/${digest}`, maxBytes: this.limits.maxConfigBytes, followRedirects: true, what: 'config blob', reference, ...opts });
    const actual = digest.startsWith('sha256:') ? computeDigest(res.body) : computeDigest(res.body, digest.slice(0, digest.indexOf(':')) as 'sha384' | 'sha512');
    if (actual !== digest) {
      throw new RegistryError('DigestMismatch', `content integrity error: the image config retrieved with digest ${digest} does not match the digest calculated from the content ${actual}`, this.init(reference));
    }
    let text: string;
    try {
      text = utf8.decode(res.body);
    } catch {
      throw new RegistryError('InvalidManifest', `the image config ${digest} is not UTF-8 text`, this.init(reference));
    }
    this.caches.content.set(this.key(digest), text);
    return text;
  }

  /** A blob's size from a HEAD (schema1 manifests do not record layer sizes). */
  async blobSize(digest: string, opts: CallOptions = {}): Promise<number> {
    const hit = this.caches.blobSizes.get(this.key(digest));
    if (hit !== undefined) return hit;
    const reference = this.displayReference(digest);
    const res = await this.session.request({ method: 'HEAD', path: `blobs/${digest}`, maxBytes: 0, followRedirects: true, what: 'layer', reference, ...opts });
    const size = Number(firstHeader(res.headers['content-length']));
    if (!Number.isFinite(size) || size < 0) {
      throw new RegistryError('Unexpected', `the registry ${this.registry} did not report the size of ${digest}`, this.init(reference));
    }
    this.caches.blobSizes.set(this.key(digest), size);
    return size;
  }

  /** Every tag of the repository, in the registry's order, following Link pagination. */
  async listTags(opts: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    const reference = this.displayReference();
    const tags: string[] = [];
    const seen = new Set<string>();
    let page: string | URL = opts.pageSize ? `tags/list?n=${opts.pageSize}` : 'tags/list';
    for (;;) {
      const res = await this.session.request({ path: page, maxBytes: this.limits.maxTagListBytes, what: 'tag list', reference, ...(opts.signal ? { signal: opts.signal } : {}) });
      let doc: unknown;
      try {
        doc = JSON.parse(res.body.toString('utf8'));
      } catch {
        throw new RegistryError('Unexpected', `the registry ${this.registry} answered the tag list of ${reference} with something other than JSON`, this.init(reference));
      }
      const list = (doc as { tags?: unknown } | null)?.tags;
      if (list !== null && list !== undefined && !Array.isArray(list)) {
        throw new RegistryError('Unexpected', `the registry ${this.registry} answered the tag list of ${reference} without a list of tags`, this.init(reference));
      }
      for (const t of (list as unknown[] | null | undefined) ?? []) if (typeof t === 'string') tags.push(t);
      if (tags.length > this.limits.maxTags) {
        throw new RegistryError('Unexpected', `the repository ${reference} has more than ${this.limits.maxTags} tags`, this.init(reference));
      }
      const next = nextLink(res.headers.link, res.url);
      if (!next || seen.has(next.href)) return tags;
      if (next.origin !== res.url.origin) {
        // Our Authorization header must not follow a link to another host.
        throw new RegistryError('Unexpected', `the registry ${this.registry} paginates the tag list of ${reference} to another host (${next.host})`, this.init(reference));
      }
      seen.add(next.href);
      page = next;
    }
  }
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function digestHeader(res: HttpResponse): string | undefined {
  const d = firstHeader(res.headers['docker-content-digest'])?.trim();
  return d && isDigest(d) ? d : undefined;
}
