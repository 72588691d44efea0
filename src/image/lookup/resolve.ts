// Which pull spec an image name in a pod resolves to, with OpenShift's ImagePolicy rules for local
// names: only a bare name ("<stream>", "<stream>:<tag>", "<stream>@<id>": no registry, no
// namespace) is looked up, in the pod's namespace, and only in a stream whose
// spec.lookupPolicy.local is true; with the resolve-names annotation every name is looked up
// (its last path component as the stream) whatever the lookup policy. A tag with an image
// resolves to that image by digest; a tag the stream lacks, to <status.dockerImageRepository>:<tag>.

import { DEFAULT_IMAGE_TAG } from '../api/names.js';
import { DockerImageReference } from '../api/reference.js';
import { resolveReferenceForTagEvent } from '../api/tag-history.js';
import type { ImageStream } from '../api/types.js';
import { taggedImageEvent } from '../registry/imagestreamtag/object.js';

/** The annotation (on a pod template or Pod) that asks for every name to be resolved. */
export const RESOLVE_NAMES_ANNOTATION = 'alpha.image.policy.openshift.io/resolve-names';

/** Reads one stream of a namespace; undefined when there is none. */
export type StreamGetter = (namespace: string, name: string) => Promise<ImageStream | undefined>;

/** The stream name and tag or image ID a pod's image names, when it may name a local stream. */
export interface LocalName {
  stream: string;
  tag: string;
  id: string;
}

export function localName(image: string, resolveAllNames: boolean): LocalName | undefined {
  const parsed = DockerImageReference.tryParse(image);
  if (!parsed.ref) return undefined;
  const ref = parsed.ref;
  if (!ref.name) return undefined;
  if (!resolveAllNames && (ref.registry || ref.namespace)) return undefined;
  return { stream: ref.name, tag: ref.id ? '' : ref.tag || DEFAULT_IMAGE_TAG, id: ref.id };
}

/** By digest: the repository the tag hands out (its reference policy applied), with the image ID. */
function byDigest(stream: ImageStream, tag: string, imageId: string, reference: string): string | undefined {
  const resolved = resolveReferenceForTagEvent(stream, tag, { dockerImageReference: reference, image: imageId, created: null, generation: 0 });
  const parsed = DockerImageReference.tryParse(resolved);
  return parsed.ref ? parsed.ref.with({ tag: '', id: imageId }).exact() : undefined;
}

/** The pull spec `name` resolves to in `stream`, or undefined to leave the image as written. */
export function resolveInStream(stream: ImageStream, name: LocalName, resolveAllNames: boolean): string | undefined {
  if (!resolveAllNames && stream.spec?.lookupPolicy?.local !== true) return undefined;
  if (name.id) {
    for (const list of stream.status?.tags ?? []) {
      const event = (list.items ?? []).find((e) => e.image === name.id);
      if (event) return byDigest(stream, list.tag ?? '', name.id, event.dockerImageReference ?? '');
    }
    return undefined;
  }
  const event = taggedImageEvent(stream, name.tag);
  if (event) return byDigest(stream, name.tag, event.image ?? '', event.dockerImageReference ?? '');
  const repository = DockerImageReference.tryParse(stream.status?.dockerImageRepository ?? '');
  return repository.ref ? repository.ref.with({ tag: name.tag, id: '' }).exact() : undefined;
}
