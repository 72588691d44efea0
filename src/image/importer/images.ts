// From registry content to the Image objects the API stores: one Image per image manifest (name =
// manifest digest, raw manifest and config, metadata derived as on any Image create), and for
// manifest lists either the child this server would run (Legacy) or the list itself plus every
// child (PreserveOriginal).

import { decodeDockerImageMetadata, deriveImageMetadata, encodeDockerImageMetadata, metadataVersion } from '../api/metadata.js';
import { isManifestListMediaType } from '../api/manifest.js';
import { formatTime } from '../../apiserver/api/types.js';
import type { Image, ImportModeType } from '../api/types.js';
import { RegistryError } from './errors.js';
import { isListKind, type Manifest } from './manifests.js';
import { chooseManifest, type Platform, type PlatformPreference } from './platform.js';
import type { CallOptions, RegistryRepository } from './repository.js';

export interface ImportImageOptions extends CallOptions, PlatformPreference {
  /** "" and "Legacy" pick one child of a manifest list; "PreserveOriginal" keeps the list. */
  importMode?: ImportModeType | '';
}

export interface ImportedImage {
  /** The image: a single-platform one, or (PreserveOriginal of a list) the list itself. */
  image: Image;
  /** PreserveOriginal of a list: every child image, in list order. */
  manifests?: Image[];
}

export interface ImageBuildContext {
  platform: Platform;
  now: () => Date;
}

/** An Image for a single-platform manifest (fetches the config, or blob sizes for schema1). */
export async function imageFromManifest(repo: RegistryRepository, manifest: Manifest, ctx: ImageBuildContext, opts: CallOptions = {}): Promise<Image> {
  const reference = repo.displayReference(manifest.digest);
  const fail = (message: string) => new RegistryError('InvalidManifest', message, { registry: repo.registry, reference, repository: repo.name });
  if (isListKind(manifest.kind)) throw fail(`${manifest.digest} is a manifest list, not an image`);
  const image: Image = {
    metadata: { name: manifest.digest },
    dockerImageReference: repo.pullSpec(manifest.digest),
    dockerImageMetadataVersion: '1.0',
    dockerImageManifest: manifest.body.toString('utf8'),
    dockerImageManifestMediaType: manifest.mediaType,
  };
  if (manifest.config) image.dockerImageConfig = await repo.getConfig(manifest.config.digest, opts);
  const problem = deriveImageMetadata(image, ctx.now());
  if (problem) throw fail(problem);

  const meta = decodeDockerImageMetadata(image.dockerImageMetadata, metadataVersion(image));
  if (!meta.size) {
    // Old schema1 manifests may not say how large their layers are: ask the registry.
    let size = 0;
    const seen = new Set<string>();
    for (const layer of image.dockerImageLayers ?? []) {
      const name = layer.name ?? '';
      const known = seen.has(name);
      layer.size = await repo.blobSize(name, opts);
      if (known) continue;
      seen.add(name);
      size += layer.size;
    }
    if (image.dockerImageConfig && manifest.config && !seen.has(manifest.config.digest)) size += Buffer.byteLength(image.dockerImageConfig, 'utf8');
    meta.size = size;
    image.dockerImageMetadata = encodeDockerImageMetadata(meta, metadataVersion(image));
  }
  return image;
}

/** The Image for a manifest list itself (PreserveOriginal): its entries, no layers or config. */
export function imageFromManifestList(repo: RegistryRepository, manifest: Manifest, ctx: ImageBuildContext): Image {
  if (!isManifestListMediaType(manifest.mediaType) || !manifest.entries) {
    throw new RegistryError('InvalidManifest', `${manifest.digest} is not a manifest list`, { registry: repo.registry, reference: repo.displayReference(manifest.digest), repository: repo.name });
  }
  return {
    metadata: { name: manifest.digest },
    dockerImageReference: repo.pullSpec(manifest.digest),
    dockerImageMetadata: encodeDockerImageMetadata({ id: manifest.digest, created: formatTime(ctx.now()), containerConfig: {} }, '1.0'),
    dockerImageMetadataVersion: '1.0',
    dockerImageManifestMediaType: manifest.mediaType,
    dockerImageManifests: manifest.entries.map((e) => ({ ...e })),
  };
}

/** Imports one tag or digest of `repo` the way ImageStreamImport does for one spec.images entry. */
export async function importImage(repo: RegistryRepository, tagOrDigest: string, ctx: ImageBuildContext, opts: ImportImageOptions = {}): Promise<ImportedImage> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const top = await repo.getManifest(tagOrDigest, call);
  if (!isListKind(top.kind)) return { image: await imageFromManifest(repo, top, ctx, call) };

  if (opts.importMode === 'PreserveOriginal') {
    const list = imageFromManifestList(repo, top, ctx);
    // Children are fetched concurrently; the per-registry limit bounds how many at once.
    const manifests = await Promise.all(
      (top.entries ?? []).map(async (entry) => {
        const child = await repo.getManifest(entry.digest ?? '', call);
        return imageFromManifest(repo, isListKind(child.kind) ? await pickChild(repo, child, {}, ctx, call) : child, ctx, call);
      }),
    );
    return { image: list, manifests };
  }
  const chosen = await pickChild(repo, top, opts, ctx, call);
  return { image: await imageFromManifest(repo, chosen, ctx, call) };
}

async function pickChild(repo: RegistryRepository, list: Manifest, prefer: PlatformPreference, ctx: ImageBuildContext, call: CallOptions): Promise<Manifest> {
  const entry = chooseManifest(list.entries ?? [], prefer, ctx.platform);
  if (!entry?.digest) {
    throw new RegistryError('InvalidManifest', 'no manifests in manifest list', { registry: repo.registry, reference: repo.displayReference(list.digest), repository: repo.name });
  }
  const child = await repo.getManifest(entry.digest, call);
  if (isListKind(child.kind)) {
    throw new RegistryError('InvalidManifest', `the manifest list ${list.digest} points at another list (${child.digest})`, { registry: repo.registry, reference: repo.displayReference(entry.digest), repository: repo.name });
  }
  return child;
}
