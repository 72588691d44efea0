// Which tags of a stream the controller imports, as OpenShift's image import controllers decide:
// a DockerImage tag (not a plain reference) whose spec generation is newer than anything its
// status has observed is pending; a stream never imported into with a spec.dockerImageRepository
// gets a repository import; on a schedule, tags with importPolicy.scheduled are imported again.

import { isDigest } from '../api/digest.js';
import { DockerImageReference } from '../api/reference.js';
import { statusTagList } from '../api/tag-history.js';
import { API_VERSION, type ImageStream, type TagReference } from '../api/types.js';
import { isRepositoryInsecure } from '../api/validation/imagestream.js';
import { DOCKER_REPOSITORY_CHECK_ANNOTATION, IMPORT_SUCCESS_CONDITION, type ImageImportSpec, type ImageStreamImport } from '../api/virtual-types.js';

export type ImportKind = 'pending' | 'scheduled';

/** A spec tag the controller may import: from a registry, and not a mere reference. */
export function isImportable(ref: TagReference): boolean {
  return ref.from?.kind === 'DockerImage' && !!ref.from.name && ref.reference !== true;
}

/** The newest generation the tag's status has seen: its newest event or its import condition. */
export function observedGeneration(stream: ImageStream, tag: string): number {
  const list = statusTagList(stream, tag);
  let seen = list?.items?.[0]?.generation ?? 0;
  const condition = (list?.conditions ?? []).find((c) => c.type === IMPORT_SUCCESS_CONDITION);
  if (condition && (condition.generation ?? 0) > seen) seen = condition.generation ?? 0;
  return seen;
}

export function tagNeedsImport(stream: ImageStream, ref: TagReference): boolean {
  if (!isImportable(ref)) return false;
  if (typeof ref.generation !== 'number') return true;
  return ref.generation > observedGeneration(stream, ref.name ?? '');
}

function isScheduled(stream: ImageStream, ref: TagReference): boolean {
  if (!isImportable(ref) || ref.importPolicy?.scheduled !== true) return false;
  // A digest never changes: once imported there is nothing to re-check.
  const id = DockerImageReference.tryParse(ref.from?.name ?? '').ref?.id ?? '';
  return !(isDigest(id) && (statusTagList(stream, ref.name ?? '')?.items?.length ?? 0) > 0);
}

function needsRepositoryImport(stream: ImageStream): boolean {
  return !!stream.spec?.dockerImageRepository && stream.metadata.annotations?.[DOCKER_REPOSITORY_CHECK_ANNOTATION] === undefined;
}

/** Whether a change of this stream calls for an import now. */
export function needsPendingImport(stream: ImageStream): boolean {
  return needsRepositoryImport(stream) || (stream.spec?.tags ?? []).some((t) => tagNeedsImport(stream, t));
}

export function hasScheduledTags(stream: ImageStream): boolean {
  return (stream.spec?.tags ?? []).some((t) => isScheduled(stream, t));
}

/**
 * The import the controller posts for the stream, preconditioned on the version it looked at;
 * undefined when there is nothing to import.
 */
export function importFor(stream: ImageStream, kind: ImportKind): ImageStreamImport | undefined {
  const images: ImageImportSpec[] = [];
  for (const ref of stream.spec?.tags ?? []) {
    if (!tagNeedsImport(stream, ref) && !(kind === 'scheduled' && isScheduled(stream, ref))) continue;
    // The tag's own policy: the import writes it back to the tag, so nothing else may go in.
    images.push({
      from: { kind: 'DockerImage', name: ref.from?.name ?? '' },
      to: { name: ref.name ?? '' },
      importPolicy: { ...ref.importPolicy },
      referencePolicy: { ...ref.referencePolicy },
    });
  }
  const isi: ImageStreamImport = {
    kind: 'ImageStreamImport',
    apiVersion: API_VERSION,
    metadata: { name: stream.metadata.name ?? '', namespace: stream.metadata.namespace ?? '' },
    spec: { import: true },
  };
  if (images.length) isi.spec.images = images;
  if (needsRepositoryImport(stream)) {
    isi.spec.repository = {
      from: { kind: 'DockerImage', name: stream.spec?.dockerImageRepository ?? '' },
      // The stream's insecure annotation covers its repository.
      importPolicy: { insecure: isRepositoryInsecure(stream.metadata) },
    };
  }
  return images.length || isi.spec.repository ? isi : undefined;
}
