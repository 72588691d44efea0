// How import results change a stream (pure, on the stream object): a successful tag gets a new
// history event and a spec tag pointing at its source (only when something changed, so a
// re-import of the same image writes nothing); a failed tag gets an ImportSuccess=False
// condition (only when it says something new, so repeated failures do not churn the stream).

import { formatTime } from '../../../apiserver/api/types.js';
import { canonicalSpec, canonicalStatus } from '../../api/conversion/imagestream.js';
import { defaultImageStream, type DefaultingOptions } from '../../api/defaults.js';
import { DockerImageReference } from '../../api/reference.js';
import { addTagEvent, specTag, statusTagList } from '../../api/tag-history.js';
import type { Image, ImageStream, NamedTagEventList, TagEvent, TagEventCondition, TagImportPolicy, TagReference, TagReferencePolicy } from '../../api/types.js';
import { IMPORT_SUCCESS_CONDITION, type EmbeddedStatus } from '../../api/virtual-types.js';

/** One result to record under a tag of the stream. */
export interface TagImport {
  tag: string;
  /** The spec tag's source when (re)set: the request's from.name, or `<repo>:<tag>`. */
  from: string;
  importPolicy: TagImportPolicy;
  referencePolicy: TagReferencePolicy;
  /** The stored Image on success. */
  image?: Image;
  /** Why it failed: the import's status, or the failure to store its Image. */
  failure?: EmbeddedStatus;
  /** spec.images entries: a failed import still leaves a spec tag to retry from. */
  ensureSpecTagOnFailure: boolean;
}

export interface ApplyContext {
  now: Date;
  /** The stream's generation after the write that records this import. */
  nextGeneration: number;
}

/** The pull spec an event records: the image's repository at its digest. */
export function mostSpecificPullSpec(image: Image): string {
  const reference = image.dockerImageReference ?? '';
  const parsed = DockerImageReference.tryParse(reference);
  if (!parsed.ref) return reference;
  const id = image.metadata.name ?? '';
  return (id ? parsed.ref.with({ id }) : parsed.ref).mostSpecific().exact();
}

function setSpecTag(stream: ImageStream, ref: TagReference): void {
  stream.spec ??= {};
  const others = (stream.spec.tags ?? []).filter((t) => (t.name ?? '') !== ref.name);
  stream.spec.tags = [...others, ref];
}

/**
 * The spec tag of `tag`; created (or with `reset`, re-pointed) at DockerImage `from` with
 * generation 0, which the write turns into the new stream generation. An existing reference
 * policy is kept: importing does not change how the image is handed out.
 */
function ensureSpecTag(stream: ImageStream, t: TagImport, reset: boolean): TagReference {
  const existing = specTag(stream, t.tag);
  if (existing && !reset) return existing;
  const ref: TagReference = existing ? structuredClone(existing) : { name: t.tag };
  ref.from = { kind: 'DockerImage', name: t.from };
  ref.generation = 0;
  ref.importPolicy = structuredClone(t.importPolicy);
  if (!ref.referencePolicy?.type) ref.referencePolicy = structuredClone(t.referencePolicy);
  setSpecTag(stream, ref);
  return ref;
}

function ensureStatusTag(stream: ImageStream, tag: string): NamedTagEventList {
  stream.status ??= {};
  stream.status.tags ??= [];
  let list = statusTagList(stream, tag);
  if (!list) {
    list = { tag, items: null };
    stream.status.tags.push(list);
  }
  return list;
}

export function failedCondition(failure: EmbeddedStatus | undefined, ctx: ApplyContext): TagEventCondition {
  return {
    type: IMPORT_SUCCESS_CONDITION,
    status: 'False',
    lastTransitionTime: formatTime(ctx.now),
    reason: failure?.reason ?? '',
    message: failure?.message || 'unknown error prevented import',
    generation: ctx.nextGeneration,
  };
}

/** Records a failure unless the tag already says exactly that (then nothing changes). */
function recordFailure(stream: ImageStream, t: TagImport, ctx: ApplyContext): void {
  const condition = failedCondition(t.failure, ctx);
  const same = (statusTagList(stream, t.tag)?.conditions ?? []).some(
    (c) => c.type === condition.type && c.status === condition.status && (c.reason ?? '') === condition.reason && (c.message ?? '') === condition.message,
  );
  if (!same) {
    ensureStatusTag(stream, t.tag).conditions = [condition];
    const ref = specTag(stream, t.tag);
    // Asks for another import of this tag at the new generation.
    if (ref) ref.generation = 0;
  }
  if (t.ensureSpecTagOnFailure) ensureSpecTag(stream, t, false);
}

/** Whether the tag's newest event or its spec generation differs from what `event` records. */
function tagChanged(stream: ImageStream, tag: string, event: TagEvent): boolean {
  const newest = statusTagList(stream, tag)?.items?.[0];
  if (!newest) return true;
  if ((newest.dockerImageReference ?? '') !== event.dockerImageReference || (newest.image ?? '') !== event.image) return true;
  const ref = specTag(stream, tag);
  if (!ref || typeof ref.generation !== 'number') return true;
  return ref.generation > (newest.generation ?? 0);
}

function recordSuccess(stream: ImageStream, t: TagImport, image: Image, ctx: ApplyContext): void {
  const event: TagEvent = {
    created: formatTime(ctx.now),
    dockerImageReference: mostSpecificPullSpec(image),
    image: image.metadata.name ?? '',
    generation: ctx.nextGeneration,
  };
  let ref = specTag(stream, t.tag);
  if (!ref || tagChanged(stream, t.tag, event)) {
    ref = ensureSpecTag(stream, t, true);
    addTagEvent(stream, t.tag, event);
  }
  // The request's policy always wins (a scheduled import may be turned off this way).
  ref.importPolicy = structuredClone(t.importPolicy);
  const list = statusTagList(stream, t.tag);
  if (list?.conditions?.length) delete list.conditions;
}

/** Applies every result, in order (a tag named twice ends with the last one). Mutates. */
export function applyImports(stream: ImageStream, imports: readonly TagImport[], ctx: ApplyContext): void {
  for (const t of imports) {
    if (t.image && !t.failure) recordSuccess(stream, t, t.image, ctx);
    else recordFailure(stream, t, ctx);
  }
}

/** Spec and status as stored, for "did the import change anything?". */
export function comparableStream(stream: ImageStream, opts: DefaultingOptions): string {
  const copy: ImageStream = { metadata: {}, spec: structuredClone(stream.spec ?? {}), status: structuredClone(stream.status ?? {}) };
  defaultImageStream(copy, opts);
  const status = canonicalStatus(copy.status);
  // Computed on every read; not something an import changes.
  delete status.dockerImageRepository;
  delete status.publicDockerImageRepository;
  return JSON.stringify({ spec: canonicalSpec(copy.spec), status });
}
