// How an Image appears inside ImageStreamTag, ImageTag and ImageStreamImage: metadata derived,
// the raw manifest and config left out, optionally with extra annotations and the pull spec the
// tag hands out instead of the Image's own.

import { normalizeImage } from '../../api/conversion/image.js';
import { deriveImageMetadata } from '../../api/metadata.js';
import type { Image } from '../../api/types.js';

export interface EmbedOptions {
  /** Merged into the image's annotations (a spec tag's annotations). */
  annotations?: Record<string, string> | null;
  /** Replaces dockerImageReference. */
  reference?: string;
  now?: Date;
}

export function embeddedImage(stored: Image, opts: EmbedOptions = {}): Image {
  const image = structuredClone(stored);
  delete image.kind;
  delete image.apiVersion;
  image.metadata ??= {};
  deriveImageMetadata(image, opts.now ?? new Date());
  delete image.dockerImageManifest;
  delete image.dockerImageConfig;
  const extra = opts.annotations ?? {};
  if (Object.keys(extra).length) image.metadata.annotations = { ...(image.metadata.annotations ?? {}), ...extra };
  if (opts.reference !== undefined) image.dockerImageReference = opts.reference;
  normalizeImage(image);
  return image;
}

/** An Image that was not loaded: only its name and pull spec (istag lists). */
export function imageStub(name: string, reference: string): Image {
  const image: Image = { metadata: name ? { name } : {}, dockerImageReference: reference };
  normalizeImage(image);
  return image;
}
