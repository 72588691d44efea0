// Defaulting of image.openshift.io/v1 (openshift-apiserver applies it when decoding request bodies
// and objects read from etcd). Only TagReferences have defaults; Images have none.

import { isObject } from '../../apiserver/api/types.js';
import type { ImageStream, ImportModeType, TagReference } from './types.js';

/** The package default; clusters may configure PreserveOriginal (multi-arch). */
export const DEFAULT_IMPORT_MODE: ImportModeType = 'Legacy';

export interface DefaultingOptions {
  /** importPolicy.importMode given to tags that have none. */
  importMode?: ImportModeType;
}

/** referencePolicy.type <- Source, importPolicy.importMode <- the configured mode. Mutates. */
export function defaultTagReference(ref: TagReference, opts: DefaultingOptions = {}): void {
  if (!isObject(ref.referencePolicy)) ref.referencePolicy = {};
  if (!ref.referencePolicy.type) ref.referencePolicy.type = 'Source';
  if (!isObject(ref.importPolicy)) ref.importPolicy = {};
  if (!ref.importPolicy.importMode) ref.importPolicy.importMode = opts.importMode ?? DEFAULT_IMPORT_MODE;
}

/** Defaults every spec tag of the stream. Mutates. */
export function defaultImageStream(stream: ImageStream, opts: DefaultingOptions = {}): void {
  const tags = stream.spec?.tags;
  if (!Array.isArray(tags)) return;
  for (const tag of tags) if (isObject(tag)) defaultTagReference(tag as TagReference, opts);
}
