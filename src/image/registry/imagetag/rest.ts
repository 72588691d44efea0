// imagetags: `<stream>:<tag>` with the tag's spec, whole history and newest image. Create adds
// the spec tag (creating the stream if needed), PUT/PATCH replace it or, with spec null, remove
// it (history stays), delete removes spec and history.

import type { KubeList, KubeObject } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import type { CreateResult, DeleteParams, DeleteResult, ListParams, RESTStorage, UpdateResult, UpdateTransform, WriteParams } from '../../../apiserver/registry/rest.js';
import { asKind, type RequestContext } from '../../../apiserver/registry/strategy.js';
import { tableFor, type TableBody } from '../../../apiserver/registry/table.js';
import { imageStreamTagCreateNameError, NAME_FORMAT_MESSAGES, splitImageStreamTag } from '../../api/names.js';
import { latestTagEvent } from '../../api/tag-history.js';
import { defaultTagReference } from '../../api/defaults.js';
import { API_VERSION, type Image, type ImageStream } from '../../api/types.js';
import { validateImageTag, validateImageTagUpdate } from '../../api/validation/tags.js';
import type { ImageTag } from '../../api/virtual-types.js';
import { gr, IMAGE_TAGS } from '../resources.js';
import { parseTagObjectName, selectedListItem, TagWriter, type TagRESTOptions } from '../tag-writer.js';
import { beforeCreate, beforeUpdate, carryUpdateMetadata, fillSystemFields } from '../../../apiserver/registry/lifecycle.js';
import { isNotFound, reportingAs } from '../virtual.js';
import { newImageTag } from './object.js';
import { imageTagTable } from './table.js';

export type ImageTagRESTOptions = TagRESTOptions;

const GR = gr(IMAGE_TAGS);

const parseName = (id: string): { name: string; tag: string } => parseTagObjectName(id, NAME_FORMAT_MESSAGES.imageTag);

export class ImageTagREST implements RESTStorage {
  readonly info = IMAGE_TAGS;
  private readonly clock: () => Date;
  private readonly writer: TagWriter;

  constructor(private readonly o: ImageTagRESTOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.writer = new TagWriter({ streams: o.streams, info: IMAGE_TAGS, clock: this.clock });
  }

  /** The newest event's Image; a tag without one, or a deleted Image, shows `image: null`. */
  private async imageIfAny(ctx: RequestContext, stream: ImageStream, tag: string): Promise<Image | undefined> {
    const id = latestTagEvent(stream, tag)?.image;
    if (!id) return undefined;
    try {
      return await this.o.images.get(ctx, id);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async get(ctx: RequestContext, id: string): Promise<KubeObject> {
    const { name, tag } = parseName(id);
    const stream = await reportingAs(GR, () => this.o.streams.get(ctx, ctx.namespace, name));
    const image = await this.imageIfAny(ctx, stream, tag);
    return newImageTag(tag, stream, image, false, this.clock());
  }

  async list(ctx: RequestContext, params: ListParams): Promise<KubeList> {
    const streams = await this.o.streams.list(ctx, ctx.namespace, params);
    const now = this.clock();
    const items: ImageTag[] = [];
    for (const stream of streams.items) {
      const names = new Set<string>();
      for (const t of stream.spec?.tags ?? []) names.add(t.name ?? '');
      for (const l of stream.status?.tags ?? []) names.add(l.tag ?? '');
      for (const tag of [...names].sort()) {
        const itag = newImageTag(tag, stream, undefined, false, now);
        const item = selectedListItem(itag, params);
        if (item) items.push(item);
      }
    }
    return { kind: IMAGE_TAGS.listKind, apiVersion: API_VERSION, metadata: {}, items };
  }

  async create(ctx: RequestContext, input: KubeObject): Promise<CreateResult> {
    const itag = asKind<ImageTag>(structuredClone(input));
    if (itag.spec) defaultTagReference(itag.spec, { importMode: this.o.importMode });
    beforeCreate(ctx, itag, true);
    const meta = itag.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName;
    fillSystemFields(meta, this.clock());
    const { name: streamName, tag, ok } = splitImageStreamTag(meta.name ?? '');
    if (itag.spec && !itag.spec.name) itag.spec.name = tag;
    itag.status = null;
    itag.image = null;
    const errs = validateImageTag(itag, this.o.allowList());
    if (errs.length) throw errors.invalid(IMAGE_TAGS.kind, IMAGE_TAGS.group, meta.name ?? '', errs);
    if (!ctx.namespace) throw errors.badRequest('a namespace must be specified to import images');
    // openshift-apiserver answers 500 here (a plain error); this is the client's mistake.
    if (!ok) throw errors.badRequest(imageStreamTagCreateNameError(meta.name ?? ''));

    const stream = await this.writer.addSpecTag(ctx, streamName, tag, itag.spec ?? undefined, meta.name ?? '', GR);
    const image = await this.imageIfAny(ctx, stream, tag);
    return { object: newImageTag(tag, stream, image, true, this.clock()), code: 201 };
  }

  async update(ctx: RequestContext, id: string, transform: UpdateTransform, _opts: WriteParams): Promise<UpdateResult> {
    const { name, tag } = parseName(id);
    const result = await this.writer.replace<ImageTag>(ctx, {
      id,
      streamName: name,
      tag,
      synthesize: (stream) => newImageTag(tag, stream, undefined, true, this.clock()),
      transform: async (old) => {
        const obj = asKind<ImageTag>(await transform(structuredClone(old)));
        if (obj.spec) defaultTagReference(obj.spec, { importMode: this.o.importMode });
        beforeUpdate(ctx, obj, id, true);
        return obj;
      },
      prepare: (itag, old, _stream, create) => {
        if (create) {
          fillSystemFields(itag.metadata, this.clock());
          if (itag.spec && !itag.spec.name) itag.spec.name = tag;
          itag.status = null;
          itag.image = null;
          return validateImageTag(itag, this.o.allowList());
        }
        carryUpdateMetadata(itag, old);
        itag.image = old.image ?? null;
        return validateImageTagUpdate(itag, old, this.o.allowList());
      },
      specTag: (itag) => (itag.spec ? structuredClone(itag.spec) : null),
    });
    const image = await this.imageIfAny(ctx, result.stream, tag);
    return { object: newImageTag(tag, result.stream, image, true, this.clock()), created: result.created };
  }

  async delete(ctx: RequestContext, id: string, opts: DeleteParams): Promise<DeleteResult> {
    const { name, tag } = parseName(id);
    return this.writer.deleteTag(ctx, id, name, tag, opts);
  }

  convertToTable(objects: KubeObject[], now: Date): TableBody {
    return tableFor(imageTagTable, objects, now);
  }
}
