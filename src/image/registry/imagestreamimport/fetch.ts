// The registry half of an import: fetches every spec.images entry and the tags of spec.repository
// through the registry client and reports each as an ImageImportStatus (the Image(s) on success,
// OpenShift's status on failure). Nothing is written here.

import { errors } from '../../../apiserver/errors/index.js';
import { fieldErrors } from '../../../apiserver/errors/field.js';
import { isDigest } from '../../api/digest.js';
import { DEFAULT_IMAGE_TAG } from '../../api/names.js';
import { DockerImageReference } from '../../api/reference.js';
import { specTag } from '../../api/tag-history.js';
import { GROUP, type ImageStream, type TagImportPolicy } from '../../api/types.js';
import {
  PREFER_ARCH_ANNOTATION,
  PREFER_OS_ANNOTATION,
  type EmbeddedStatus,
  type ImageImportStatus,
  type ImageStreamImport,
  type RepositoryImportStatus,
} from '../../api/virtual-types.js';
import { importStatusFor, importSuccess, repositoryImportFailure, type ImportedImage, type Keyring, type RegistryClient } from '../../importer/index.js';
import { mapBounded } from '../image/registry.js';
import { prioritizeTags } from './tag-order.js';

export interface FetchOptions {
  client: RegistryClient;
  /** Tags a repository import takes at most (the rest are listed as additionalTags); <0 = all. */
  maxImagesPerRepository: number;
  /** Registry fetches one import runs at once (the client also bounds each registry). */
  concurrency: number;
}

export interface FetchRequest {
  isi: ImageStreamImport;
  /** The target stream as stored (its spec tags may prefer a platform); undefined if new. */
  stream: ImageStream | undefined;
  keyring: Keyring | undefined;
  signal: AbortSignal;
  /** How long `signal` allows, for the message when it fires. */
  timeoutSeconds: number;
}

export interface FetchResult {
  images: ImageImportStatus[];
  repository?: RepositoryImportStatus;
}

interface Job {
  ref: DockerImageReference;
  tagOrDigest: string;
  policy: TagImportPolicy | undefined;
  /** The stream tag the result goes to (its prefer-arch/os annotations apply). */
  target: string;
}

const invalidName = (name: string, why: string): EmbeddedStatus =>
  importStatusFor(errors.invalid('DockerImage', GROUP, name, [fieldErrors.invalid('from.name', name, why)]));

export class RegistryFetcher {
  constructor(private readonly o: FetchOptions) {}

  async fetch(req: FetchRequest): Promise<FetchResult> {
    // One fetch per repository/tag/mode/platform in a request, however often it is named.
    const cache = new Map<string, Promise<ImportedImage>>();
    const spec = req.isi.spec;
    const images = mapBounded(spec.images ?? [], this.o.concurrency, async (image): Promise<ImageImportStatus> => {
      const name = image.from.name ?? '';
      const parsed = DockerImageReference.tryParse(name);
      if (!parsed.ref) return { status: invalidName(name, parsed.error) };
      const ref = parsed.ref;
      const tagOrDigest = ref.id || ref.tag || DEFAULT_IMAGE_TAG;
      const tag = isDigest(tagOrDigest) ? '' : tagOrDigest;
      const status = await this.fetchOne(req, cache, { ref, tagOrDigest, policy: image.importPolicy, target: image.to?.name ?? '' });
      return { ...status, tag };
    });
    const repository = spec.repository ? this.fetchRepository(req, cache) : undefined;
    const result: FetchResult = { images: await images };
    if (repository) result.repository = await repository;
    return result;
  }

  private async fetchRepository(req: FetchRequest, cache: Map<string, Promise<ImportedImage>>): Promise<RepositoryImportStatus> {
    const spec = req.isi.spec.repository;
    const name = spec?.from.name ?? '';
    const parsed = DockerImageReference.tryParse(name);
    if (!parsed.ref) return { status: invalidName(name, parsed.error) };
    const ref = parsed.ref;
    let tags: string[];
    try {
      const repo = this.o.client.repository(ref, this.repositoryOptions(req, spec?.importPolicy));
      tags = await repo.listTags({ signal: req.signal });
    } catch (err) {
      return { status: this.failure(err, req, ref.exact()) };
    }
    const unique = prioritizeTags([...new Set(tags.map((t) => t || DEFAULT_IMAGE_TAG))]);
    const max = this.o.maxImagesPerRepository;
    const taken = max < 0 ? unique : unique.slice(0, max);
    const additional = max < 0 ? [] : unique.slice(max);
    const images = await mapBounded(taken, this.o.concurrency, async (tag): Promise<ImageImportStatus> => ({
      ...(await this.fetchOne(req, cache, { ref: ref.with({ tag, id: '' }), tagOrDigest: tag, policy: spec?.importPolicy, target: tag })),
      tag,
    }));
    const failed = images.filter((i) => i.status.status !== 'Success').length;
    const out: RepositoryImportStatus = { status: failed ? repositoryImportFailure(failed) : importSuccess(), images };
    if (additional.length) out.additionalTags = additional;
    return out;
  }

  private repositoryOptions(req: FetchRequest, policy: TagImportPolicy | undefined): { insecure: boolean; keyring?: Keyring } {
    return { insecure: policy?.insecure === true, ...(req.keyring ? { keyring: req.keyring } : {}) };
  }

  private async fetchOne(req: FetchRequest, cache: Map<string, Promise<ImportedImage>>, job: Job): Promise<Omit<ImageImportStatus, 'tag'>> {
    const mode = job.policy?.importMode === 'PreserveOriginal' ? 'PreserveOriginal' : 'Legacy';
    const annotations = (req.stream && job.target ? specTag(req.stream, job.target)?.annotations : undefined) ?? {};
    const preferArch = annotations[PREFER_ARCH_ANNOTATION] ?? '';
    const preferOS = annotations[PREFER_OS_ANNOTATION] ?? '';
    const options = this.repositoryOptions(req, job.policy);
    try {
      const repo = this.o.client.repository(job.ref, options);
      const key = [repo.registry, repo.name, options.insecure, job.tagOrDigest, mode, preferArch, preferOS].join('|');
      let pending = cache.get(key);
      if (!pending) {
        pending = this.o.client.importImage(repo, job.tagOrDigest, { importMode: mode, preferArch, preferOS, signal: req.signal });
        cache.set(key, pending);
      }
      const imported = await pending;
      return { status: importSuccess(), image: structuredClone(imported.image), ...(imported.manifests ? { manifests: structuredClone(imported.manifests) } : {}) };
    } catch (err) {
      return { status: this.failure(err, req, job.ref.exact()) };
    }
  }

  private failure(err: unknown, req: FetchRequest, ref: string): EmbeddedStatus {
    if (req.signal.aborted && (err === req.signal.reason || (err instanceof Error && err.name === 'TimeoutError'))) {
      return {
        metadata: {},
        status: 'Failure',
        reason: 'Timeout',
        code: 504,
        message: `importing ${JSON.stringify(ref)} did not finish within ${req.timeoutSeconds}s; try again, or import fewer images in one request`,
      };
    }
    // Registry errors name the image themselves (with Docker Hub's defaults filled in).
    return importStatusFor(err);
  }
}
