// imagestreamimages: `<stream>@<id>`, an image the stream knows (its history or a manifest list
// child of it), where the id may be a prefix of the digest. A prefix several images share is a
// 409 listing them (openshift-apiserver returns any one of them).

import type { KubeObject, ObjectMeta } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import type { RESTStorage } from '../../../apiserver/registry/rest.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { tableFor, type TableBody } from '../../../apiserver/registry/table.js';
import { isDigest } from '../../api/digest.js';
import { digestOrImageMatch, joinImageStreamImage, NAME_FORMAT_MESSAGES, NameFormatError, parseImageStreamImageName } from '../../api/names.js';
import { IMAGE_STREAM_IMAGE_GR } from '../../api/tag-history.js';
import { API_VERSION } from '../../api/types.js';
import type { ImageStreamImage } from '../../api/virtual-types.js';
import { embeddedImage } from '../image/embedded.js';
import type { ImageRegistry } from '../image/registry.js';
import { computeImageStreamLayers, historyImages } from '../imagestream/layers.js';
import type { ImageStreamRegistry } from '../imagestream/registry.js';
import { gr, IMAGE_STREAM_IMAGES } from '../resources.js';
import { reportingAs } from '../virtual.js';
import { imageStreamImageTable } from './table.js';

const GR = gr(IMAGE_STREAM_IMAGES);

export class ImageStreamImageREST implements RESTStorage {
  readonly info = IMAGE_STREAM_IMAGES;

  constructor(
    private readonly streams: ImageStreamRegistry,
    private readonly images: ImageRegistry,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(ctx: RequestContext, id: string): Promise<KubeObject> {
    let name: string;
    let imageId: string;
    try {
      ({ name, id: imageId } = parseImageStreamImageName(id));
    } catch (err) {
      if (err instanceof NameFormatError) throw errors.badRequest(NAME_FORMAT_MESSAGES.imageStreamImage);
      throw err;
    }
    const stream = await reportingAs(GR, () => this.streams.get(ctx, ctx.namespace, name));
    let matches: string[];
    if (isDigest(imageId) && historyImages(stream).includes(imageId)) {
      // A full digest in the history: no need to look at every image.
      matches = [imageId];
    } else {
      const layers = await computeImageStreamLayers(ctx, stream, this.images);
      matches = Object.keys(layers.images).filter((n) => digestOrImageMatch(n, imageId));
    }
    const requested = joinImageStreamImage(name, imageId);
    if (matches.length === 0) throw errors.notFound(IMAGE_STREAM_IMAGE_GR, requested);
    if (matches.length > 1) {
      throw errors.conflict(IMAGE_STREAM_IMAGE_GR, requested, `multiple images match the prefix ${JSON.stringify(imageId)}: ${matches.sort().join(', ')}`);
    }
    const image = await reportingAs(GR, () => this.images.get(ctx, matches[0] ?? ''));
    const metadata: ObjectMeta = { name: requested, namespace: ctx.namespace, creationTimestamp: image.metadata.creationTimestamp ?? null };
    const annotations = stream.metadata.annotations;
    if (annotations && Object.keys(annotations).length) metadata.annotations = { ...annotations };
    const isi: ImageStreamImage = { kind: IMAGE_STREAM_IMAGES.kind, apiVersion: API_VERSION, metadata, image: embeddedImage(image, { now: this.clock() }) };
    return isi;
  }

  convertToTable(objects: KubeObject[], now: Date): TableBody {
    return tableFor(imageStreamImageTable, objects, now);
  }
}
