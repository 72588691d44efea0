// Defaulting of image.openshift.io/v1 (openshift-apiserver applies it when decoding request bodies
// and objects read from etcd). Only TagReferences have defaults; Images have none.

import { isObject } from '../../apiserver/api/types.js';
import { DockerImageReference } from './reference.js';
import type { ImageStream, ImportModeType, TagImportPolicy, TagReference, TagReferencePolicy } from './types.js';
import type { ImageStreamImport } from './virtual-types.js';

/** The package default; clusters may configure PreserveOriginal (multi-arch). */
export const DEFAULT_IMPORT_MODE: ImportModeType = 'Legacy';

export interface DefaultingOptions {
  /** importPolicy.importMode given to tags that have none. */
  importMode?: ImportModeType;
}

/** referencePolicy.type <- Source, importPolicy.importMode <- the configured mode. Mutates. */
export function defaultTagReference(ref: TagReference, opts: DefaultingOptions = {}): void {
  defaultPolicies(ref, opts);
}

function defaultPolicies(o: { referencePolicy?: TagReferencePolicy; importPolicy?: TagImportPolicy }, opts: DefaultingOptions): void {
  if (!isObject(o.referencePolicy)) o.referencePolicy = {};
  if (!o.referencePolicy.type) o.referencePolicy.type = 'Source';
  if (!isObject(o.importPolicy)) o.importPolicy = {};
  if (!o.importPolicy.importMode) o.importPolicy.importMode = opts.importMode ?? DEFAULT_IMPORT_MODE;
}

/**
 * The policies of every image and the repository, and `to` of an image that has none: the tag
 * of `from.name` when it names one (an import of `busybox` or `busybox@sha256:...` tags nothing).
 * Mutates.
 */
export function defaultImageStreamImport(isi: ImageStreamImport, opts: DefaultingOptions = {}): void {
  if (!isObject(isi.spec)) return;
  const images = isi.spec.images;
  if (Array.isArray(images)) {
    for (const image of images) {
      if (!isObject(image)) continue;
      defaultPolicies(image, opts);
      if (image.to === undefined || image.to === null) {
        const parsed = DockerImageReference.tryParse(typeof image.from?.name === 'string' ? image.from.name : '');
        if (parsed.ref?.tag) image.to = { name: parsed.ref.tag };
      }
    }
  }
  if (isObject(isi.spec.repository)) defaultPolicies(isi.spec.repository, opts);
}

/** Defaults every spec tag of the stream. Mutates. */
export function defaultImageStream(stream: ImageStream, opts: DefaultingOptions = {}): void {
  const tags = stream.spec?.tags;
  if (!Array.isArray(tags)) return;
  for (const tag of tags) if (isObject(tag)) defaultTagReference(tag as TagReference, opts);
}
