// An ImageTag built from its stream: the stream's own metadata (renamed), the spec tag, the whole
// status history and the newest image.

import { errors } from '../../../apiserver/errors/index.js';
import { joinImageStreamTag } from '../../api/names.js';
import { latestTagEvent, resolveReferenceForTagEvent, specTag, statusTagList } from '../../api/tag-history.js';
import { API_VERSION, type Image, type ImageStream, type NamedTagEventList } from '../../api/types.js';
import type { ImageTag } from '../../api/virtual-types.js';
import { embeddedImage } from '../image/embedded.js';
import { gr, IMAGE_TAGS } from '../resources.js';

/** Without `allowEmpty`, a tag with neither spec nor status is NotFound. */
export function newImageTag(tag: string, stream: ImageStream, image: Image | undefined, allowEmpty: boolean, now: Date): ImageTag {
  const name = joinImageStreamTag(stream.metadata.name ?? '', tag);
  const ref = specTag(stream, tag);
  const list = statusTagList(stream, tag);
  if (!allowEmpty && !ref && !list) throw errors.notFound(gr(IMAGE_TAGS), name);
  let status: NamedTagEventList | null = null;
  if (list) {
    status = { tag, items: list.items?.length ? structuredClone(list.items) : null };
    if (list.conditions?.length) status.conditions = structuredClone(list.conditions);
  }
  const metadata = { ...structuredClone(stream.metadata), name };
  const event = latestTagEvent(stream, tag);
  return {
    kind: IMAGE_TAGS.kind,
    apiVersion: API_VERSION,
    metadata,
    spec: ref ? structuredClone(ref) : null,
    status,
    image: image ? embeddedImage(image, { reference: resolveReferenceForTagEvent(stream, tag, event), now }) : null,
  };
}
