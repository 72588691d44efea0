// An ImageStreamTag built from its stream: the newest event of the tag, the spec tag, the stream's
// labels, lookup policy and resourceVersion, and the image (loaded or just named).

import type { ObjectMeta } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import { joinImageStreamTag } from '../../api/names.js';
import { latestTagEvent, resolveReferenceForTagEvent, specTag, statusTagList } from '../../api/tag-history.js';
import { API_VERSION, type Image, type ImageStream, type TagEvent } from '../../api/types.js';
import type { ImageStreamTag } from '../../api/virtual-types.js';
import { embeddedImage, imageStub } from '../image/embedded.js';
import { gr, IMAGE_STREAM_TAGS } from '../resources.js';

/** The tag's newest event when it names an image. */
export function taggedImageEvent(stream: ImageStream, tag: string): TagEvent | undefined {
  const event = latestTagEvent(stream, tag);
  return event?.image ? event : undefined;
}

/**
 * Without `allowEmpty`, a tag whose newest event has no image is NotFound. `image` is the loaded
 * Image; without it only the name and pull spec are shown.
 */
export function newImageStreamTag(tag: string, stream: ImageStream, image: Image | undefined, allowEmpty: boolean, now: Date): ImageStreamTag {
  const name = joinImageStreamTag(stream.metadata.name ?? '', tag);
  let event = taggedImageEvent(stream, tag);
  if (!event) {
    if (!allowEmpty) throw errors.notFound(gr(IMAGE_STREAM_TAGS), name);
    // An empty event at the stream's creation time, as openshift-apiserver synthesizes.
    event = { created: stream.metadata.creationTimestamp ?? null, dockerImageReference: '', image: '', generation: 0 };
  }
  const ref = specTag(stream, tag);
  const metadata: ObjectMeta = { name, namespace: stream.metadata.namespace };
  if (stream.metadata.uid) metadata.uid = stream.metadata.uid;
  if (stream.metadata.resourceVersion) metadata.resourceVersion = stream.metadata.resourceVersion;
  metadata.creationTimestamp = event.created ?? null;
  if (stream.metadata.labels && Object.keys(stream.metadata.labels).length) metadata.labels = { ...stream.metadata.labels };
  const annotations = ref?.annotations ?? {};
  if (Object.keys(annotations).length) metadata.annotations = { ...annotations };

  const out: ImageStreamTag = {
    kind: IMAGE_STREAM_TAGS.kind,
    apiVersion: API_VERSION,
    metadata,
    tag: ref ? structuredClone(ref) : null,
    generation: event.generation ?? 0,
  };
  const conditions = statusTagList(stream, tag)?.conditions;
  if (conditions?.length) out.conditions = structuredClone(conditions);
  out.lookupPolicy = { local: stream.spec?.lookupPolicy?.local === true };
  const reference = resolveReferenceForTagEvent(stream, tag, event);
  out.image = image ? embeddedImage(image, { annotations, reference, now }) : imageStub(event.image ?? '', reference);
  return out;
}
