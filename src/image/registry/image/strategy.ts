// How Images are created and updated: metadata derived from the raw manifest and config, manifest
// list entries computed, what an update may change (a manifest or config only when it matches the
// image's digests; derived metadata never), and signature clean-up.

import type { FieldErrorList } from '../../../apiserver/errors/field.js';
import type { Strategy, TableConvertor } from '../../../apiserver/registry/strategy.js';
import { normalizeImage } from '../../api/conversion/image.js';
import { configMatchesManifest, manifestListEntries, manifestMatchesDigest } from '../../api/manifest.js';
import { deriveImageMetadata } from '../../api/metadata.js';
import { annotations, type Image } from '../../api/types.js';
import { validateImage, validateImageUpdate } from '../../api/validation/image.js';
import { imageTable } from './table.js';

export interface ImageStrategyOptions {
  /** "now" for manifest-list metadata; the system clock by default. */
  clock?: () => Date;
  /** Where metadata derivation problems go (upstream logs them; the write proceeds). */
  log?: (message: string) => void;
}

export class ImageStrategy implements Strategy<Image> {
  readonly allowCreateOnUpdate = false;
  readonly allowUnconditionalUpdate = false;
  /** Deletion is immediate: no orphan/foreground finalizers (GC policy "Unsupported"). */
  readonly garbageCollectionUnsupported = true;
  readonly table: TableConvertor<Image> = imageTable;
  private readonly clock: () => Date;
  private readonly log: (message: string) => void;

  constructor(opts: ImageStrategyOptions = {}) {
    this.clock = opts.clock ?? (() => new Date());
    this.log = opts.log ?? (() => {});
  }

  prepareForCreate(image: Image): void {
    image.metadata ??= {};
    // openshift-apiserver leaves an Image's generation alone (it has no spec): 0, not shown.
    delete image.metadata.generation;
    this.derive(image);
    if (image.dockerImageManifest) {
      const entries = manifestListEntries(image.dockerImageManifestMediaType ?? '', image.dockerImageManifest);
      if (entries) image.dockerImageManifests = entries;
    }
    this.finish(image);
  }

  validate(obj: Image): FieldErrorList {
    return validateImage(obj);
  }

  prepareForUpdate(image: Image, oldObj: Image): void {
    const old = structuredClone(oldObj);
    normalizeImage(old);
    image.metadata ??= {};
    if (old.metadata.generation === undefined) delete image.metadata.generation;
    else image.metadata.generation = old.metadata.generation;

    // Derived data is the server's.
    image.dockerImageMetadata = old.dockerImageMetadata;
    image.dockerImageMetadataVersion = old.dockerImageMetadataVersion;
    image.dockerImageLayers = old.dockerImageLayers;
    if (old.dockerImageSignatures) image.dockerImageSignatures = old.dockerImageSignatures;

    // A manifest may be cleared, or replaced by one that hashes to the image name (repairs).
    const manifest = image.dockerImageManifest ?? '';
    if (manifest !== (old.dockerImageManifest ?? '')) {
      const ok = !manifest || manifestMatchesDigest(old.metadata.name ?? '', old.dockerImageManifestMediaType ?? '', manifest);
      if (!ok) image.dockerImageManifest = old.dockerImageManifest;
    }
    // A config may be cleared, or replaced by the one the manifest references.
    const config = image.dockerImageConfig ?? '';
    if (config !== (old.dockerImageConfig ?? '')) {
      const ok = !config || configMatchesManifest(image.dockerImageManifestMediaType ?? '', image.dockerImageManifest ?? '', config);
      if (!ok) image.dockerImageConfig = old.dockerImageConfig;
    }
    this.derive(image);
    this.finish(image);
  }

  validateUpdate(obj: Image, oldObj: Image): FieldErrorList {
    return validateImageUpdate(obj, oldObj);
  }

  decorate(obj: Image): void {
    normalizeImage(obj);
  }

  canonicalize(obj: Image): void {
    normalizeImage(obj);
  }

  private derive(image: Image): void {
    const err = deriveImageMetadata(image, this.clock());
    if (err) this.log(`unable to update image metadata for ${JSON.stringify(image.metadata.name ?? '')}: ${err}`);
  }

  /** Blob-stored manifests are not kept; the managed-signature annotation never is. */
  private finish(image: Image): void {
    if (image.metadata.annotations?.[annotations.manifestBlobStored] === 'true') {
      delete image.dockerImageManifest;
      delete image.dockerImageConfig;
    }
    for (const sig of image.signatures ?? []) {
      const a = sig?.metadata?.annotations;
      if (a && annotations.managedSignature in a) {
        delete a[annotations.managedSignature];
      }
    }
    normalizeImage(image);
  }
}
