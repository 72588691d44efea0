// The stream writes shared by imagestreamtags and imagetags: add a spec tag (creating the stream
// when missing), replace one with the resourceVersion rules of a tag object (blind writes retried
// on conflict), and delete a tag's spec and history together.

import type { GroupResource, KubeObject } from '../../apiserver/api/types.js';
import type { FieldErrorList } from '../../apiserver/errors/field.js';
import { errors, StatusError } from '../../apiserver/errors/index.js';
import type { DeleteParams, DeleteResult, ListParams } from '../../apiserver/registry/rest.js';
import type { RequestContext, ResourceInfo } from '../../apiserver/registry/strategy.js';
import { specTag, statusTagList } from '../api/tag-history.js';
import { NameFormatError, parseImageStreamTagName } from '../api/names.js';
import type { ImageStream, ImportModeType, TagReference } from '../api/types.js';
import type { RegistryAllowList } from '../api/validation/allowlist.js';
import type { ImageRegistry } from './image/registry.js';
import type { ImageStreamRegistry, StreamMutation } from './imagestream/registry.js';
import { gr, IMAGE_STREAMS } from './resources.js';
import { fillSystemFields, successStatus } from '../../apiserver/registry/lifecycle.js';
import { asRequestResource, isAlreadyExists, MAX_WRITE_ATTEMPTS, reportingAs } from './virtual.js';

export interface TagWriterOptions {
  streams: ImageStreamRegistry;
  /** The tag resource on whose behalf the writes are made (errors are named after it). */
  info: ResourceInfo;
  clock: () => Date;
}

export interface ReplaceRequest<T extends KubeObject> {
  /** The object name, `<stream>:<tag>`. */
  id: string;
  streamName: string;
  tag: string;
  /** The current tag object, from the stream (which may be a stand-in for a missing one). */
  synthesize(stream: ImageStream): T;
  /** The requested object (the PUT body, or the patch applied to the current object). */
  transform(old: T): Promise<T>;
  /** Defaults and validation, for a create (no stream yet) or an update. */
  prepare(obj: T, old: T, stream: ImageStream, create: boolean): FieldErrorList;
  /** The spec tag to store; null removes it. */
  specTag(obj: T, stream: ImageStream): TagReference | null;
}

/** The stream store's NotFound for the stream itself (not one raised on the tag's behalf). */
function isMissingStream(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404 && err.isAbout(gr(IMAGE_STREAMS));
}

function setSpecTag(stream: ImageStream, tag: string, ref: TagReference | null): void {
  stream.spec ??= {};
  const others = (stream.spec.tags ?? []).filter((t) => (t.name ?? '') !== tag);
  stream.spec.tags = ref ? [...others, { ...ref, name: tag }] : others;
}

export class TagWriter {
  private readonly gr: GroupResource;

  constructor(private readonly o: TagWriterOptions) {
    this.gr = gr(o.info);
  }

  /** A stand-in for a stream that does not exist yet (what the tag object is built from). */
  private standIn(ctx: RequestContext, name: string): ImageStream {
    const stream: ImageStream = { metadata: { name, namespace: ctx.namespace } };
    fillSystemFields(stream.metadata, this.o.clock());
    return stream;
  }

  private create(ctx: RequestContext, stream: ImageStream): Promise<ImageStream> {
    return this.o.streams.create(ctx, { ...stream, metadata: { name: stream.metadata.name, namespace: ctx.namespace } });
  }

  /**
   * Writes an existing stream with `mutate`, or (undefined) reports that it does not exist. The
   * stream store re-runs `mutate` on the newer stream when it loses a race, so concurrent writers
   * never fail each other.
   */
  private async updateExisting(ctx: RequestContext, name: string, mutate: StreamMutation): Promise<ImageStream | undefined> {
    try {
      return await this.o.streams.update(ctx, ctx.namespace, name, mutate);
    } catch (err) {
      if (isMissingStream(err)) return undefined;
      throw asRequestResource(err, this.gr);
    }
  }

  /** Adds a spec tag (or just ensures the stream exists when `ref` is undefined); 409 if the tag exists. */
  async addSpecTag(ctx: RequestContext, streamName: string, tag: string, ref: TagReference | undefined, objectName: string, existsAs: GroupResource): Promise<ImageStream> {
    const add = (stream: ImageStream): ImageStream => {
      if (specTag(stream, tag)) throw errors.alreadyExists(existsAs, objectName);
      if (ref) setSpecTag(stream, tag, structuredClone(ref));
      return stream;
    };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const updated = await this.updateExisting(ctx, streamName, add);
      if (updated) return updated;
      try {
        return await this.create(ctx, add({ metadata: { name: streamName, namespace: ctx.namespace } }));
      } catch (err) {
        // Created by someone else meanwhile: add the tag to theirs.
        if (isAlreadyExists(err)) continue;
        throw asRequestResource(err, this.gr);
      }
    }
    throw errors.serverTimeout(this.gr, 'create', 2);
  }

  /**
   * PUT/PATCH of a tag object. Without a resourceVersion the write is blind (re-applied to the
   * newest stream when it changes meanwhile); with one it must be the stream's. A missing stream
   * is created.
   */
  async replace<T extends KubeObject>(ctx: RequestContext, req: ReplaceRequest<T>): Promise<{ stream: ImageStream; created: boolean }> {
    const invalid = (obj: T, errs: FieldErrorList): Error => errors.invalid(this.o.info.kind, this.o.info.group, obj.metadata.name ?? req.id, errs);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      let existed = false;
      const updated = await this.updateExisting(ctx, req.streamName, async (stream) => {
        const old = req.synthesize(stream);
        const obj = await req.transform(structuredClone(old));
        const current = stream.metadata.resourceVersion;
        if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current) {
          throw errors.conflict(this.gr, obj.metadata.name ?? req.id, `another caller has updated the resource version to ${current ?? ''}`);
        }
        obj.metadata.resourceVersion = current;
        const errs = req.prepare(obj, old, stream, false);
        if (errs.length) throw invalid(obj, errs);
        existed = specTag(stream, req.tag) !== undefined;
        setSpecTag(stream, req.tag, req.specTag(obj, stream));
        return stream;
      });
      if (updated) return { stream: updated, created: !existed };

      const stream = this.standIn(ctx, req.streamName);
      const old = req.synthesize(stream);
      const obj = await req.transform(structuredClone(old));
      if (obj.metadata.resourceVersion) throw errors.notFound(this.gr, req.id);
      const errs = req.prepare(obj, old, stream, true);
      if (errs.length) throw invalid(obj, errs);
      setSpecTag(stream, req.tag, req.specTag(obj, stream));
      try {
        return { stream: await this.create(ctx, stream), created: true };
      } catch (err) {
        // Created by someone else meanwhile: a blind write becomes an update of theirs.
        if (isAlreadyExists(err)) continue;
        throw asRequestResource(err, this.gr);
      }
    }
    throw errors.serverTimeout(this.gr, 'update', 2);
  }

  /** Removes both the spec tag and its history; 404 when neither exists. */
  async deleteTag(ctx: RequestContext, id: string, streamName: string, tag: string, opts: DeleteParams): Promise<DeleteResult> {
    await reportingAs(this.gr, () =>
      this.o.streams.update(ctx, ctx.namespace, streamName, (stream) => {
        const uid = opts.preconditions?.uid;
        if (uid !== undefined && uid !== stream.metadata.uid) throw errors.conflict(this.gr, id, 'the UID precondition was not met');
        const hadStatus = statusTagList(stream, tag) !== undefined;
        const hadSpec = specTag(stream, tag) !== undefined;
        if (!hadStatus && !hadSpec) throw errors.notFound(this.gr, id);
        if (stream.status?.tags) stream.status.tags = stream.status.tags.filter((l) => (l.tag ?? '') !== tag);
        setSpecTag(stream, tag, null);
        // The write must not be mistaken for a stale one: it applies to what was just read.
        return stream;
      }),
    );
    return { object: successStatus(200), code: 200 };
  }
}

/** What imagestreamtags and imagetags are built from. */
export interface TagRESTOptions {
  streams: ImageStreamRegistry;
  images: ImageRegistry;
  allowList: () => RegistryAllowList;
  /** importPolicy.importMode given to tag references without one (as decoding defaults them). */
  importMode?: ImportModeType;
  clock?: () => Date;
}

/** `<stream>:<tag>` with the strict parser of GET/PUT/PATCH/DELETE; a bad name is 400 with `message`. */
export function parseTagObjectName(id: string, message: string): { name: string; tag: string } {
  try {
    return parseImageStreamTagName(id);
  } catch (err) {
    if (err instanceof NameFormatError) throw errors.badRequest(message);
    throw err;
  }
}

/** A tag object as a list item (no kind/apiVersion), or undefined when the list's selectors exclude it. */
export function selectedListItem<T extends KubeObject>(obj: T, params: ListParams): T | undefined {
  const fields = { 'metadata.name': obj.metadata.name ?? '', 'metadata.namespace': obj.metadata.namespace ?? '' };
  if (!params.labelSelector.matches(obj.metadata.labels) || !params.fieldSelector.matches(fields)) return undefined;
  const { kind: _k, apiVersion: _a, ...item } = obj;
  return item as T;
}
