// How ImageStreams are created and updated (main resource, /status, and the internal writer the
// virtual tag resources use): status handling, generations, computed repository fields, and the
// v1 round-trip rules (spec/status tags keyed by name, sorted).

import { fieldErrors, type FieldError, type FieldErrorList } from '../../../apiserver/errors/field.js';
import type { RequestContext, Strategy, TableConvertor } from '../../../apiserver/registry/strategy.js';
import { canonicalStatus, normalizeImageStream } from '../../api/conversion/imagestream.js';
import { defaultImageStream } from '../../api/defaults.js';
import { DockerImageReference } from '../../api/reference.js';
import { limitTagHistory, propagateTrackingTags } from '../../api/tag-history.js';
import type { ImageStream, ImportModeType } from '../../api/types.js';
import type { RegistryAllowList } from '../../api/validation/allowlist.js';
import { validateImageStream, validateImageStreamStatusUpdate, validateImageStreamUpdate } from '../../api/validation/imagestream.js';
import { ensureSpecTagGenerations, fillObservedGenerations, restoreSpecTagGenerations, specsEqual } from './generations.js';
import type { ImageStreamLimitVerifier, RegistryHostnames, TagResolver } from './hooks.js';
import { imageStreamTable } from './table.js';

export type { ImageStreamLimitVerifier, RegistryHostnames, TagResolver } from './hooks.js';

export interface ImageStreamStrategyOptions {
  /** importPolicy.importMode given to tags without one (cluster setting; Legacy by default). */
  importMode?: ImportModeType;
  /** Registries references may point at (allowedRegistriesForImport); all by default. */
  allowList?: RegistryAllowList;
  /** Resolves spec tags into status history; without it spec tags are stored as given. */
  tagResolver?: TagResolver;
  limitVerifier?: ImageStreamLimitVerifier;
  /** At most this many events per status tag (unbounded when absent or 0, as upstream). */
  tagHistoryLimit?: number;
}

/** The field path Go prints for field.NewPath(""): an empty index. */
const ROOT_PATH = '[]';

/** An ErrorList as its aggregate prints: one message, or "[a, b]" without repeats. */
function aggregate(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map((e) => e.toString()))];
  return msgs.length === 1 ? (msgs[0] ?? '') : `[${msgs.join(', ')}]`;
}

/** Shared by the three ImageStream strategies. */
class ImageStreamBehaviour {
  constructor(
    readonly hostnames: RegistryHostnames,
    readonly opts: ImageStreamStrategyOptions,
  ) {}

  /** Request bodies and stored objects alike: defaults plus the v1 round trip. */
  normalize(stream: ImageStream): void {
    stream.metadata ??= {};
    defaultImageStream(stream, { importMode: this.opts.importMode });
    normalizeImageStream(stream);
  }

  normalizedCopy(stream: ImageStream): ImageStream {
    const copy = structuredClone(stream);
    this.normalize(copy);
    return copy;
  }

  /** <internal registry>/<ns>/<name>, or the spec's repository without an internal registry. */
  dockerImageRepository(stream: ImageStream, defaultNamespace: boolean): string {
    const internal = this.hostnames.internal;
    if (!internal) return stream.spec?.dockerImageRepository ?? '';
    if (!stream.metadata.namespace && defaultNamespace) stream.metadata.namespace = 'default';
    return new DockerImageReference({ registry: internal, namespace: stream.metadata.namespace, name: stream.metadata.name }).toString();
  }

  publicDockerImageRepository(stream: ImageStream): string {
    const external = this.hostnames.external;
    if (!external) return '';
    return new DockerImageReference({ registry: external, namespace: stream.metadata.namespace, name: stream.metadata.name }).toString();
  }

  setRepositories(stream: ImageStream, defaultNamespace: boolean): void {
    const status = stream.status ?? {};
    status.dockerImageRepository = this.dockerImageRepository(stream, defaultNamespace);
    status.publicDockerImageRepository = this.publicDockerImageRepository(stream);
    stream.status = canonicalStatus(status);
  }

  /** Generation 1 for the stream and every spec tag. */
  initGenerations(stream: ImageStream): void {
    stream.metadata.generation = 1;
    for (const ref of stream.spec?.tags ?? []) ref.generation = 1;
  }

  /**
   * The checks before field validation (tag resolution, limits). Their failure is one
   * InternalError cause with path "[]" wrapping the inner error, as openshift-apiserver answers.
   */
  async preValidate(stream: ImageStream, old: ImageStream | undefined, ctx: RequestContext): Promise<FieldErrorList> {
    if (this.opts.tagResolver) {
      const errs = await this.opts.tagResolver.resolveTags(stream, old, ctx);
      normalizeImageStream(stream);
      if (errs.length) {
        return [fieldErrors.internal(ROOT_PATH, `imagestreams ${JSON.stringify(stream.metadata.name ?? '')} is invalid: ${aggregate(errs)}`)];
      }
    }
    this.statusChanged(stream, old);
    const limited = await this.opts.limitVerifier?.verifyLimits(ctx.namespace || (stream.metadata.namespace ?? ''), old, stream);
    return limited ? [fieldErrors.internal(ROOT_PATH, limited)] : [];
  }

  /**
   * Whatever changed the status (resolution, a push, an import, a status update): tags tracking a
   * changed tag follow it, then history is cut to the configured bound.
   */
  statusChanged(stream: ImageStream, old: ImageStream | undefined): void {
    propagateTrackingTags(stream, old);
    limitTagHistory(stream, this.opts.tagHistoryLimit);
    normalizeImageStream(stream);
  }

  /** Spec changes bump the generation; tag generations follow the rules of generations.ts. */
  prepareSpecUpdate(stream: ImageStream, old: ImageStream): void {
    stream.metadata.generation = old.metadata.generation ?? 0;
    restoreSpecTagGenerations(stream, old);
    if (!specsEqual(old, stream) || stream.metadata.generation === 0) stream.metadata.generation = (old.metadata.generation ?? 0) + 1;
    ensureSpecTagGenerations(stream, old);
  }

  /** What every returned object shows: computed repositories, defaults, v1 output repair. */
  decorate(stream: ImageStream): void {
    this.normalize(stream);
    this.setRepositories(stream, true);
    normalizeImageStream(stream, { output: true });
  }

  selectableFields(stream: ImageStream): Record<string, string> {
    return {
      'spec.dockerImageRepository': stream.spec?.dockerImageRepository ?? '',
      'status.dockerImageRepository': stream.status?.dockerImageRepository ?? '',
    };
  }
}

/** Status entries that carry neither history nor conditions are dropped on update. */
function collapseEmptyStatusTags(stream: ImageStream): void {
  const tags = stream.status?.tags;
  if (!tags || !stream.status) return;
  const kept = tags.filter((t) => (t.items?.length ?? 0) > 0 || (t.conditions?.length ?? 0) > 0);
  if (kept.length) stream.status.tags = kept;
  else delete stream.status.tags;
}

/** imagestreams: clients write spec and metadata; status is the server's. */
export class ImageStreamStrategy implements Strategy<ImageStream> {
  readonly allowCreateOnUpdate = false;
  readonly allowUnconditionalUpdate = false;
  readonly table: TableConvertor<ImageStream> = imageStreamTable;
  protected readonly b: ImageStreamBehaviour;

  constructor(hostnames: RegistryHostnames = {}, opts: ImageStreamStrategyOptions = {}) {
    this.b = new ImageStreamBehaviour(hostnames, opts);
  }

  prepareForCreate(stream: ImageStream): void {
    this.b.normalize(stream);
    stream.status = {};
    this.b.setRepositories(stream, false);
    this.b.initGenerations(stream);
  }

  async validate(stream: ImageStream, ctx: RequestContext): Promise<FieldErrorList> {
    const errs = await this.b.preValidate(stream, undefined, ctx);
    errs.push(...validateImageStream(stream, { allowList: this.b.opts.allowList }));
    return errs;
  }

  prepareForUpdate(stream: ImageStream, oldObj: ImageStream): void {
    const old = this.b.normalizedCopy(oldObj);
    this.b.normalize(stream);
    stream.status = structuredClone(old.status ?? {});
    this.b.setRepositories(stream, true);
    this.b.prepareSpecUpdate(stream, old);
  }

  async validateUpdate(stream: ImageStream, oldObj: ImageStream, ctx: RequestContext): Promise<FieldErrorList> {
    const old = this.b.normalizedCopy(oldObj);
    const errs = await this.b.preValidate(stream, old, ctx);
    errs.push(...validateImageStreamUpdate(stream, old, { allowList: this.b.opts.allowList }));
    return errs;
  }

  decorate(obj: ImageStream): void {
    this.b.decorate(obj);
  }

  canonicalize(obj: ImageStream): void {
    this.b.normalize(obj);
  }

  selectableFields(obj: ImageStream): Record<string, string> {
    return this.b.selectableFields(obj);
  }
}

/**
 * imagestreams/status: spec.tags and spec.dockerImageRepository stay as stored (lookupPolicy,
 * labels and annotations from the request are kept), new status events get observed
 * generations, and only references new to the status are checked.
 */
export class ImageStreamStatusStrategy extends ImageStreamStrategy {
  override prepareForUpdate(stream: ImageStream, oldObj: ImageStream): void {
    const old = this.b.normalizedCopy(oldObj);
    this.b.normalize(stream);
    stream.metadata.generation = old.metadata.generation ?? 0;
    const spec = stream.spec ?? {};
    const oldSpec = structuredClone(old.spec ?? {});
    if (oldSpec.tags) spec.tags = oldSpec.tags;
    else delete spec.tags;
    if (oldSpec.dockerImageRepository) spec.dockerImageRepository = oldSpec.dockerImageRepository;
    else delete spec.dockerImageRepository;
    stream.spec = spec;
    fillObservedGenerations(stream, old);
    normalizeImageStream(stream);
    this.b.statusChanged(stream, old);
  }

  override async validateUpdate(stream: ImageStream, oldObj: ImageStream, ctx: RequestContext): Promise<FieldErrorList> {
    const old = this.b.normalizedCopy(oldObj);
    const errs: FieldErrorList = [];
    const limited = await this.b.opts.limitVerifier?.verifyLimits(ctx.namespace || (stream.metadata.namespace ?? ''), old, stream);
    if (limited) errs.push(fieldErrors.forbidden('imageStream', limited));
    errs.push(...validateImageStreamStatusUpdate(stream, old, { allowList: this.b.opts.allowList }));
    return errs;
  }
}

/**
 * Not exposed: how the virtual tag resources write a stream, spec and status in one call.
 * Create keeps the given status; update keeps the new status (minus empty entries).
 */
export class ImageStreamInternalStrategy extends ImageStreamStrategy {
  override prepareForCreate(stream: ImageStream): void {
    this.b.normalize(stream);
    this.b.setRepositories(stream, false);
    this.b.initGenerations(stream);
  }

  override prepareForUpdate(stream: ImageStream, oldObj: ImageStream): void {
    const old = this.b.normalizedCopy(oldObj);
    this.b.normalize(stream);
    collapseEmptyStatusTags(stream);
    this.b.setRepositories(stream, true);
    this.b.prepareSpecUpdate(stream, old);
  }
}
