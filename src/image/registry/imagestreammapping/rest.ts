// imagestreammappings (create only): what the integrated registry posts after a push. Creates the
// Image if it does not exist (an existing one is never changed), then adds the tag event to the
// stream's status (tracking tags follow), and answers 201 with a bare Success Status.

import type { KubeObject } from '../../../apiserver/api/types.js';
import { formatTime } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import { generateName } from '../../../apiserver/registry/names.js';
import type { CreateResult, RESTStorage } from '../../../apiserver/registry/rest.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { decodeDockerImageMetadata, deriveImageMetadata, metadataVersion } from '../../api/metadata.js';
import { DEFAULT_IMAGE_TAG } from '../../api/names.js';
import { formatQuantity, type Quantity } from '../../api/quantity.js';
import { DockerImageReference } from '../../api/reference.js';
import { addTagEvent, latestTagEvent, updateTrackingTags } from '../../api/tag-history.js';
import type { Image, ImageStream, TagEvent } from '../../api/types.js';
import { validateImageStreamMapping } from '../../api/validation/tags.js';
import { LIMIT_TYPE_IMAGE, MANAGED_BY_OPENSHIFT_ANNOTATION, RESOURCE_STORAGE, type ImageStreamMapping } from '../../api/virtual-types.js';
import type { LimitRangeSource } from '../../collaborators.js';
import type { ImageRegistry } from '../image/registry.js';
import type { RegistryHostnames } from '../imagestream/hooks.js';
import { maxLimits } from '../imagestream/limits.js';
import type { ImageStreamRegistry } from '../imagestream/registry.js';
import { gr, IMAGE_STREAM_MAPPINGS } from '../resources.js';
import { beforeCreate, fillSystemFields, successStatus } from '../../../apiserver/registry/lifecycle.js';
import { reportingAs } from '../virtual.js';

export interface ImageStreamMappingRESTOptions {
  streams: ImageStreamRegistry;
  images: ImageRegistry;
  hostnames: RegistryHostnames;
  /** LimitRanges with openshift.io/Image max storage (the ImageLimitRange admission); none when absent. */
  limitRanges?: LimitRangeSource;
  clock?: () => Date;
}

const GR = gr(IMAGE_STREAM_MAPPINGS);

/** The event's identity: what a concurrent writer may have changed. */
const sameEvent = (a: TagEvent | undefined, b: TagEvent | undefined): boolean =>
  (a?.image ?? '') === (b?.image ?? '') && (a?.dockerImageReference ?? '') === (b?.dockerImageReference ?? '');

export class ImageStreamMappingREST implements RESTStorage {
  readonly info = IMAGE_STREAM_MAPPINGS;
  private readonly clock: () => Date;

  constructor(private readonly o: ImageStreamMappingRESTOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  async create(ctx: RequestContext, input: KubeObject): Promise<CreateResult> {
    const mapping = structuredClone(input) as ImageStreamMapping;
    beforeCreate(ctx, mapping, true);
    const meta = mapping.metadata;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    fillSystemFields(meta, this.clock());
    const image: Image = mapping.image ?? { metadata: {} };
    image.metadata ??= {};
    mapping.image = image;
    if (!image.dockerImageReference && this.o.hostnames.internal) {
      image.dockerImageReference = new DockerImageReference({
        registry: this.o.hostnames.internal,
        namespace: meta.namespace,
        name: meta.name,
        id: image.metadata.name,
      }).exact();
    }
    // Signatures are added through images or imagesignatures, never by a push.
    delete image.signatures;
    await this.admitImageSize(ctx, mapping);
    const errs = validateImageStreamMapping(mapping);
    if (errs.length) throw errors.invalid(IMAGE_STREAM_MAPPINGS.kind, IMAGE_STREAM_MAPPINGS.group, meta.name ?? '', errs);

    const streamName = meta.name ?? '';
    const stream = await reportingAs(GR, () => this.o.streams.get(ctx, ctx.namespace, streamName));
    const tag = mapping.tag || DEFAULT_IMAGE_TAG;
    const { created } = await this.o.images.create(ctx, image);

    let reference = image.dockerImageReference ?? '';
    if (!created && image.metadata.annotations?.[MANAGED_BY_OPENSHIFT_ANNOTATION] === 'true') {
      const repo = stream.status?.dockerImageRepository || stream.spec?.dockerImageRepository || '';
      const parsed = DockerImageReference.tryParse(repo);
      if (repo && parsed.ref) reference = parsed.ref.with({ id: image.metadata.name ?? '' }).exact();
    }
    const event: TagEvent = { created: formatTime(this.clock()), dockerImageReference: reference, image: image.metadata.name ?? '', generation: 0 };
    const seen = structuredClone(latestTagEvent(stream, tag));

    await reportingAs(GR, () =>
      this.o.streams.updateStatus(ctx, ctx.namespace, streamName, (current: ImageStream) => {
        // Someone else moved this tag since we looked: their push wins, ours is refused.
        if (seen && current.metadata.resourceVersion !== stream.metadata.resourceVersion && !sameEvent(latestTagEvent(current, tag), seen)) {
          throw errors.conflict(GR, streamName, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        const next = { ...event, generation: current.metadata.generation ?? 0 };
        if (addTagEvent(current, tag, next)) updateTrackingTags(current, tag, next);
        return current;
      }),
    );
    return { object: successStatus(201), code: 201 };
  }

  /** ImageLimitRange: an Image larger than a LimitRange's openshift.io/Image max storage is refused. */
  private async admitImageSize(ctx: RequestContext, mapping: ImageStreamMapping): Promise<void> {
    if (!this.o.limitRanges) return;
    const limits = maxLimitsPerRange(await this.o.limitRanges.list(ctx.namespace));
    if (!limits.length) return;
    const copy = structuredClone(mapping.image ?? { metadata: {} });
    deriveImageMetadata(copy, this.clock());
    const size = decodeDockerImageMetadata(copy.dockerImageMetadata, metadataVersion(copy)).size ?? 0;
    const exceeded = limits
      .filter((max) => max.value < size)
      .map((max) => `requested usage of ${RESOURCE_STORAGE} exceeds the maximum limit per ${LIMIT_TYPE_IMAGE} (${formatQuantity({ value: size, format: 'BinarySI' })} > ${formatQuantity(max)})`);
    if (!exceeded.length) return;
    throw errors.forbidden(GR, mapping.metadata.name ?? '', exceeded.length === 1 ? (exceeded[0] ?? '') : `[${exceeded.join(', ')}]`);
  }
}

/** Each LimitRange's own openshift.io/Image storage max (every range is checked on its own). */
function maxLimitsPerRange(ranges: Parameters<typeof maxLimits>[0]): Quantity[] {
  const out: Quantity[] = [];
  for (const lr of ranges) {
    const q = maxLimits([lr], LIMIT_TYPE_IMAGE, [RESOURCE_STORAGE]).get(RESOURCE_STORAGE);
    if (q) out.push(q);
  }
  return out;
}
