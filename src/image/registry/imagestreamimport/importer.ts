// Runs one ImageStreamImport that has passed validation and the caller's permission checks: finds
// the stream (and checks the request's resourceVersion/uid preconditions), reads the namespace's
// pull secrets, fetches from the registries, and with `import: true` stores the Images and
// records the results on the stream (created when missing; not written when nothing changed).
// Used by the imagestreamimports resource and by the scheduled import controller.

import { formatTime } from '../../../apiserver/api/types.js';
import { errors, StatusError } from '../../../apiserver/errors/index.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { DockerImageReference } from '../../api/reference.js';
import { GROUP, type Image, type ImageStream, type ImportModeType } from '../../api/types.js';
import { DOCKER_REPOSITORY_CHECK_ANNOTATION, type ImageImportStatus, type ImageStreamImport } from '../../api/virtual-types.js';
import type { PullSecretSource } from '../../collaborators.js';
import { Keyring, type RegistryClient } from '../../importer/index.js';
import { mapBounded, type ImageRegistry } from '../image/registry.js';
import type { ImageStreamRegistry } from '../imagestream/registry.js';
import { isPullSecret } from '../imagestream/secrets.js';
import { isAlreadyExists, isNotFound } from '../virtual.js';
import { applyImports, comparableStream, failedCondition, type TagImport } from './apply.js';
import { RegistryFetcher } from './fetch.js';

export interface ImageStreamImporterOptions {
  streams: ImageStreamRegistry;
  images: ImageRegistry;
  client: RegistryClient;
  /** The namespace's Secrets; none (anonymous imports only) when absent. */
  pullSecrets?: PullSecretSource;
  /** The cluster's import mode, for comparing streams as they will be stored. */
  importMode?: ImportModeType;
  /** Tags a repository import takes (default 50, as OpenShift); -1 = all. */
  maxImagesPerRepository?: number;
  /** How long one import may spend on registries (default 50 s). */
  timeoutMs?: number;
  /** Registry fetches one import runs at once (default 8). */
  concurrency?: number;
  clock?: () => Date;
}

/** The stream the client said it expects (what `oc import-image` and the controller send). */
export interface StreamPreconditions {
  resourceVersion?: string;
  uid?: string;
}

export const DEFAULT_MAX_IMAGES_PER_REPOSITORY = 50;
export const DEFAULT_IMPORT_TIMEOUT_MS = 50_000;

/** Errors about the stream are named as openshift-apiserver names them here (singular). */
const STREAM_GR = { group: GROUP, resource: 'imagestream' } as const;

const isLimitError = (err: unknown): err is StatusError => err instanceof StatusError && (err.status.message ?? '').includes('exceeds the maximum limit');

export class ImageStreamImporter {
  private readonly fetcher: RegistryFetcher;
  private readonly clock: () => Date;
  private readonly timeoutMs: number;

  constructor(private readonly o: ImageStreamImporterOptions) {
    this.fetcher = new RegistryFetcher({
      client: o.client,
      maxImagesPerRepository: o.maxImagesPerRepository ?? DEFAULT_MAX_IMAGES_PER_REPOSITORY,
      concurrency: o.concurrency ?? 8,
    });
    this.clock = o.clock ?? (() => new Date());
    this.timeoutMs = o.timeoutMs ?? DEFAULT_IMPORT_TIMEOUT_MS;
  }

  /** `isi` is defaulted and valid; its status is filled in (and `status.import` when importing). */
  async import(ctx: RequestContext, isi: ImageStreamImport, pre: StreamPreconditions = {}, cancel?: AbortSignal): Promise<ImageStreamImport> {
    const namespace = ctx.namespace;
    if (!namespace) throw errors.badRequest('a namespace must be specified to import images');
    const name = isi.metadata.name ?? '';
    const stream = await this.findStream(ctx, name, pre);
    const keyring = await this.keyring(namespace);
    const fetched = await this.fetcher.fetch({
      isi,
      stream,
      keyring,
      signal: cancel ? AbortSignal.any([AbortSignal.timeout(this.timeoutMs), cancel]) : AbortSignal.timeout(this.timeoutMs),
      timeoutSeconds: Math.round(this.timeoutMs / 1000),
    });
    // Cancelled (the controller lost leadership or is stopping): record nothing.
    cancel?.throwIfAborted();
    isi.status = {};
    if (fetched.images.length) isi.status.images = fetched.images;
    if (fetched.repository) isi.status.repository = fetched.repository;
    if (!isi.spec.import) {
      clearManifests(isi);
      return isi;
    }

    const now = this.clock();
    const imports = this.tagImports(isi);
    await this.storeImages(ctx, imports);
    clearManifests(isi);
    isi.status.import = await this.writeStream(ctx, name, stream, imports, pre, now);
    return isi;
  }

  private async findStream(ctx: RequestContext, name: string, pre: StreamPreconditions): Promise<ImageStream | undefined> {
    let stream: ImageStream;
    try {
      stream = await this.o.streams.get(ctx, ctx.namespace, name);
    } catch (err) {
      // Preconditions name a stream that must exist.
      if (isNotFound(err) && !pre.resourceVersion && !pre.uid) return undefined;
      throw err;
    }
    if (pre.resourceVersion && pre.resourceVersion !== stream.metadata.resourceVersion) {
      throw errors.conflict(STREAM_GR, name, `the image stream was updated from ${JSON.stringify(pre.resourceVersion)} to ${JSON.stringify(stream.metadata.resourceVersion ?? '')}`);
    }
    if (pre.uid && pre.uid !== stream.metadata.uid) throw errors.notFound(STREAM_GR, name);
    return stream;
  }

  private async keyring(namespace: string): Promise<Keyring | undefined> {
    if (!this.o.pullSecrets) return undefined;
    let items;
    try {
      ({ items } = await this.o.pullSecrets.list(namespace, {}));
    } catch (err) {
      throw errors.internal(`unable to read the pull secrets of namespace ${JSON.stringify(namespace)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const secrets = items.filter(isPullSecret);
    return secrets.length ? Keyring.fromSecrets(secrets).keyring : undefined;
  }

  /** What to record on the stream, repository tags first (spec.images win for a tag named by both). */
  private tagImports(isi: ImageStreamImport): Array<TagImport & { result: ImageImportStatus; includeManifest: boolean }> {
    const out: Array<TagImport & { result: ImageImportStatus; includeManifest: boolean }> = [];
    const repo = isi.spec.repository;
    const repoRef = repo ? DockerImageReference.tryParse(repo.from.name ?? '').ref : undefined;
    if (repo && repoRef) {
      for (const result of isi.status?.repository?.images ?? []) {
        const tag = result.tag ?? '';
        if (!tag) continue;
        out.push({
          tag,
          from: repoRef.with({ tag, id: '' }).exact(),
          importPolicy: repo.importPolicy ?? {},
          referencePolicy: repo.referencePolicy ?? {},
          ensureSpecTagOnFailure: false,
          result,
          includeManifest: repo.includeManifest === true,
          ...outcome(result),
        });
      }
    }
    (isi.spec.images ?? []).forEach((spec, i) => {
      const result = isi.status?.images?.[i];
      const tag = spec.to?.name;
      // Without a target tag an image is only looked at.
      if (!tag || !result) return;
      out.push({
        tag,
        from: spec.from.name ?? '',
        importPolicy: spec.importPolicy ?? {},
        referencePolicy: spec.referencePolicy ?? {},
        ensureSpecTagOnFailure: true,
        result,
        includeManifest: spec.includeManifest === true,
        ...outcome(result),
      });
    });
    return out;
  }

  /**
   * Stores every imported Image (children of a list first) once, without the raw manifest and
   * config; existing Images are left as they are. A result shows the Image as stored when this
   * import created it, else as imported with the stored one's uid and creation time.
   */
  private async storeImages(ctx: RequestContext, imports: Array<TagImport & { result: ImageImportStatus; includeManifest: boolean }>): Promise<void> {
    const stored = new Map<string, Promise<{ image: Image; created: boolean }>>();
    const store = (image: Image): Promise<{ image: Image; created: boolean }> => {
      const name = image.metadata.name ?? '';
      let pending = stored.get(name);
      if (!pending) {
        const copy = structuredClone(image);
        delete copy.signatures;
        delete copy.dockerImageSignatures;
        delete copy.dockerImageManifest;
        delete copy.dockerImageConfig;
        pending = this.o.images.create(ctx, copy);
        stored.set(name, pending);
      }
      return pending;
    };
    await mapBounded(
      imports.filter((t) => t.image),
      8,
      async (t) => {
        for (const child of t.result.manifests ?? []) await store(child);
        const imported = t.result.image;
        if (!imported) return;
        const { image, created } = await store(imported);
        if (!created) {
          // Shown as imported, under the stored Image's identity: oc prints its Created: line from
          // creationTimestamp (openshift-apiserver shows the one its failed create stamped).
          const { uid, resourceVersion, creationTimestamp } = image.metadata;
          t.result.image = { ...imported, metadata: { ...imported.metadata, uid, resourceVersion, creationTimestamp } };
          return;
        }
        const shown = structuredClone(image);
        if (imported.dockerImageManifest) shown.dockerImageManifest = imported.dockerImageManifest;
        if (imported.dockerImageConfig) shown.dockerImageConfig = imported.dockerImageConfig;
        t.result.image = shown;
      },
    );
  }

  /**
   * Records `imports` on the stream: creates it when missing, skips the write when nothing would
   * change (and the stream was imported into before), else updates it with the check annotation.
   */
  private async writeStream(ctx: RequestContext, name: string, found: ImageStream | undefined, imports: readonly TagImport[], pre: StreamPreconditions, now: Date): Promise<ImageStream> {
    const opts = { importMode: this.o.importMode };
    const stamp = formatTime(now);
    if (!found) {
      const fresh: ImageStream = { metadata: { name, namespace: ctx.namespace, annotations: { [DOCKER_REPOSITORY_CHECK_ANNOTATION]: stamp } }, spec: {}, status: {} };
      applyImports(fresh, imports, { now, nextGeneration: 1 });
      try {
        return await this.o.streams.create(ctx, fresh);
      } catch (err) {
        // Created by someone else meanwhile: record the results on theirs.
        if (!isAlreadyExists(err)) throw err;
        found = await this.o.streams.get(ctx, ctx.namespace, name);
      }
    }
    const stream = found;
    const trial = structuredClone(stream);
    applyImports(trial, imports, { now, nextGeneration: (stream.metadata.generation ?? 0) + 1 });
    const checked = (s: ImageStream) => s.metadata.annotations?.[DOCKER_REPOSITORY_CHECK_ANNOTATION] !== undefined;
    if (checked(stream) && comparableStream(trial, opts) === comparableStream(stream, opts)) return stream;
    try {
      return await this.o.streams.update(ctx, ctx.namespace, name, (current) => {
        if (pre.resourceVersion && current.metadata.resourceVersion !== pre.resourceVersion) {
          throw errors.conflict(STREAM_GR, name, `the image stream was updated from ${JSON.stringify(pre.resourceVersion)} to ${JSON.stringify(current.metadata.resourceVersion ?? '')}`);
        }
        const before = comparableStream(current, opts);
        applyImports(current, imports, { now, nextGeneration: (current.metadata.generation ?? 0) + 1 });
        if (checked(current) && comparableStream(current, opts) === before) return current;
        current.metadata.annotations = { ...current.metadata.annotations, [DOCKER_REPOSITORY_CHECK_ANNOTATION]: stamp };
        return current;
      });
    } catch (err) {
      if (isLimitError(err)) await this.recordLimitExceeded(ctx, name, trial, err, now);
      throw err;
    }
  }

  /** A write refused by image stream limits: the tags it would have added say so instead. */
  private async recordLimitExceeded(ctx: RequestContext, name: string, wanted: ImageStream, err: StatusError, now: Date): Promise<void> {
    const failure = { metadata: {}, status: 'Failure' as const, reason: err.status.reason ?? '', message: err.status.message ?? '' };
    await this.o.streams
      .update(ctx, ctx.namespace, name, (current) => {
        const present = new Set((current.status?.tags ?? []).map((t) => t.tag ?? ''));
        const condition = failedCondition(failure, { now, nextGeneration: (current.metadata.generation ?? 0) + 1 });
        for (const t of wanted.status?.tags ?? []) {
          if (present.has(t.tag ?? '')) continue;
          current.status ??= {};
          current.status.tags = [...(current.status.tags ?? []), { tag: t.tag ?? '', items: null, conditions: [condition] }];
        }
        return current;
      })
      .catch(() => undefined);
  }
}

/** How a fetched result enters the stream: its Image, or why there is none. */
function outcome(result: ImageImportStatus): Pick<TagImport, 'image' | 'failure'> {
  if (result.status.status === 'Success' && result.image) return { image: result.image };
  return { failure: result.status };
}

/** Raw manifests and configs are returned only when asked for (they are large). */
function clearManifests(isi: ImageStreamImport): void {
  const clear = (entry: ImageImportStatus, keep: boolean | undefined): void => {
    if (keep) return;
    for (const image of [entry.image, ...(entry.manifests ?? [])]) {
      if (!image) continue;
      delete image.dockerImageManifest;
      delete image.dockerImageConfig;
    }
  };
  (isi.status?.images ?? []).forEach((entry, i) => clear(entry, isi.spec.images?.[i]?.includeManifest));
  for (const entry of isi.status?.repository?.images ?? []) clear(entry, isi.spec.repository?.includeManifest);
}
