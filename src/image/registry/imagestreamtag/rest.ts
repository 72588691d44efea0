// imagestreamtags: `<stream>:<tag>` read from and written to its ImageStream. Create adds a spec
// tag (creating the stream if needed), PUT/PATCH replace it (blind writes allowed), delete
// removes the tag's spec and history. Lists show only tags whose newest event has an image.

import type { KubeList, KubeObject } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import type {
  CreateResult,
  DeleteParams,
  DeleteResult,
  ListParams,
  RESTStorage,
  UpdateResult,
  UpdateTransform,
  WriteParams,
} from '../../../apiserver/registry/rest.js';
import { asKind, type RequestContext } from '../../../apiserver/registry/strategy.js';
import { tableFor, type TableBody } from '../../../apiserver/registry/table.js';
import { imageStreamTagCreateNameError, NAME_FORMAT_MESSAGES, splitImageStreamTag } from '../../api/names.js';
import { specTag } from '../../api/tag-history.js';
import { defaultTagReference } from '../../api/defaults.js';
import { API_VERSION, type Image, type ImageStream, type TagReference } from '../../api/types.js';
import { validateImageStreamTag, validateImageStreamTagUpdate } from '../../api/validation/tags.js';
import type { ImageStreamTag } from '../../api/virtual-types.js';
import { gr, IMAGE_STREAM_TAGS } from '../resources.js';
import { parseTagObjectName, selectedListItem, TagWriter, type TagRESTOptions } from '../tag-writer.js';
import { beforeCreate, beforeUpdate, carryUpdateMetadata, fillSystemFields } from '../../../apiserver/registry/lifecycle.js';
import { isNotFound, reportingAs } from '../virtual.js';
import { newImageStreamTag, taggedImageEvent } from './object.js';
import { imageStreamTagTable } from './table.js';

export type ImageStreamTagRESTOptions = TagRESTOptions;

const GR = gr(IMAGE_STREAM_TAGS);

const parseName = (id: string): { name: string; tag: string } => parseTagObjectName(id, NAME_FORMAT_MESSAGES.imageStreamTag);

export class ImageStreamTagREST implements RESTStorage {
  readonly info = IMAGE_STREAM_TAGS;
  private readonly clock: () => Date;
  private readonly writer: TagWriter;

  constructor(private readonly o: ImageStreamTagRESTOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.writer = new TagWriter({ streams: o.streams, info: IMAGE_STREAM_TAGS, clock: this.clock });
  }

  /** The newest image of the tag; NotFound (of this resource) when the tag has none. */
  private async imageFor(ctx: RequestContext, stream: ImageStream, tag: string): Promise<Image> {
    const event = taggedImageEvent(stream, tag);
    if (!event) throw errors.notFound(GR, `${stream.metadata.name ?? ''}:${tag}`);
    return reportingAs(GR, () => this.o.images.get(ctx, event.image ?? ''));
  }

  /** Like imageFor, but a tag without an image (or a missing Image) is simply not shown. */
  private async imageIfAny(ctx: RequestContext, stream: ImageStream, tag: string): Promise<Image | undefined> {
    try {
      return await this.imageFor(ctx, stream, tag);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async get(ctx: RequestContext, id: string): Promise<KubeObject> {
    const { name, tag } = parseName(id);
    const stream = await reportingAs(GR, () => this.o.streams.get(ctx, ctx.namespace, name));
    const image = await this.imageFor(ctx, stream, tag);
    return newImageStreamTag(tag, stream, image, false, this.clock());
  }

  async list(ctx: RequestContext, params: ListParams): Promise<KubeList> {
    const streams = await this.o.streams.list(ctx, ctx.namespace, params);
    const now = this.clock();
    const items: ImageStreamTag[] = [];
    for (const stream of streams.items) {
      const tags = (stream.status?.tags ?? []).map((l) => l.tag ?? '').sort();
      for (const tag of tags) {
        if (!taggedImageEvent(stream, tag)) continue;
        const istag = newImageStreamTag(tag, stream, undefined, false, now);
        const item = selectedListItem(istag, params);
        if (item) items.push(item);
      }
    }
    return { kind: IMAGE_STREAM_TAGS.listKind, apiVersion: API_VERSION, metadata: {}, items };
  }

  async create(ctx: RequestContext, input: KubeObject): Promise<CreateResult> {
    const istag = asKind<ImageStreamTag>(structuredClone(input));
    if (istag.tag) defaultTagReference(istag.tag, { importMode: this.o.importMode });
    beforeCreate(ctx, istag, true);
    const meta = istag.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName;
    fillSystemFields(meta, this.clock());
    const { name: streamName, tag, ok } = splitImageStreamTag(meta.name ?? '');
    // PrepareForCreate: the tag is named after the object; server fields are cleared.
    if (istag.tag && !istag.tag.name) istag.tag.name = tag;
    delete istag.conditions;
    istag.image = { metadata: {} };
    const errs = validateImageStreamTag(istag, this.o.allowList());
    if (errs.length) throw errors.invalid(IMAGE_STREAM_TAGS.kind, IMAGE_STREAM_TAGS.group, meta.name ?? '', errs);
    if (!ctx.namespace) throw errors.badRequest('a namespace must be specified to import images');
    // openshift-apiserver answers 500 here (a plain error); this is the client's mistake.
    if (!ok) throw errors.badRequest(imageStreamTagCreateNameError(meta.name ?? ''));

    const stream = await this.writer.addSpecTag(ctx, streamName, tag, istag.tag ?? undefined, meta.name ?? '', { group: GR.group, resource: 'imagestreamtag' });
    const image = await this.imageIfAny(ctx, stream, tag);
    return { object: newImageStreamTag(tag, stream, image, true, this.clock()), code: 201 };
  }

  async update(ctx: RequestContext, id: string, transform: UpdateTransform, _opts: WriteParams): Promise<UpdateResult> {
    const { name, tag } = parseName(id);
    const result = await this.writer.replace<ImageStreamTag>(ctx, {
      id,
      streamName: name,
      tag,
      synthesize: (stream) => newImageStreamTag(tag, stream, undefined, true, this.clock()),
      transform: async (old) => {
        const obj = asKind<ImageStreamTag>(await transform(structuredClone(old)));
        if (obj.tag) defaultTagReference(obj.tag, { importMode: this.o.importMode });
        beforeUpdate(ctx, obj, id, true);
        return obj;
      },
      prepare: (istag, old, stream, create) => {
        if (stream.metadata.labels && Object.keys(stream.metadata.labels).length && !Object.keys(istag.metadata.labels ?? {}).length) {
          istag.metadata.labels = { ...stream.metadata.labels };
        }
        if (create) {
          fillSystemFields(istag.metadata, this.clock());
          if (istag.tag && !istag.tag.name) istag.tag.name = tag;
          delete istag.conditions;
          istag.image = { metadata: {} };
          return validateImageStreamTag(istag, this.o.allowList());
        }
        carryUpdateMetadata(istag, old);
        if (istag.tag) istag.tag.annotations = istag.metadata.annotations ?? null;
        if (old.conditions) istag.conditions = old.conditions;
        else delete istag.conditions;
        istag.image = old.image;
        return validateImageStreamTagUpdate(istag, old, this.o.allowList());
      },
      specTag: (istag, stream) => {
        const existing = specTag(stream, tag);
        if (!existing && !istag.tag) {
          throw errors.badRequest(
            `imagestreamtag ${tag} is not a spec tag in imagestream ${stream.metadata.namespace ?? ''}/${stream.metadata.name ?? ''}, cannot be updated`,
          );
        }
        const ref: TagReference = structuredClone(istag.tag ?? existing ?? {});
        ref.name = tag;
        ref.annotations = istag.metadata.annotations ?? null;
        return ref;
      },
    });
    const image = await this.imageIfAny(ctx, result.stream, tag);
    return { object: newImageStreamTag(tag, result.stream, image, true, this.clock()), created: result.created };
  }

  async delete(ctx: RequestContext, id: string, opts: DeleteParams): Promise<DeleteResult> {
    const { name, tag } = parseName(id);
    return this.writer.deleteTag(ctx, id, name, tag, opts);
  }

  convertToTable(objects: KubeObject[], now: Date): TableBody {
    return tableFor(imageStreamTagTable, objects, now);
  }
}
