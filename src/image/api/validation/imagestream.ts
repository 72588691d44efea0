// Field validation of ImageStreams (openshift-apiserver ValidateImageStream*): metadata and name
// rules, the deprecated spec.dockerImageRepository, every spec tag reference, and the references
// in status history, each admitted by the registry allow-list.

import type { ObjectMeta } from '../../../apiserver/api/types.js';
import { FieldPath, fieldErrors, type FieldErrorList } from '../../../apiserver/errors/field.js';
import { isValidPathSegmentName, isValidPathSegmentPrefix } from '../../../apiserver/registry/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../apiserver/registry/validation/objectmeta.js';
import { uniqueFieldErrors } from '../../../apiserver/registry/validation/unique.js';
import { specTagMap, statusTagMap } from '../conversion/imagestream.js';
import { DockerImageReference, NAME_TOTAL_LENGTH_MAX } from '../reference.js';
import { annotations, IMPORT_MODES, type ImageStream, type TagImportPolicy, type TagReference } from '../types.js';
import { allowAllRegistries, transportFor, type RegistryAllowList } from './allowlist.js';

export interface ImageStreamValidationOptions {
  /** Registries references may point at; everything by default. */
  allowList?: RegistryAllowList;
}

const NAME_COMPONENT = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const NAME_COMPONENT_ANCHORED = new RegExp(`^${NAME_COMPONENT}$`);

/**
 * Stream names are path segments and single repository name components. A generateName prefix
 * may end in a separator (we accept the conventional "name-"; upstream rejects it).
 */
export function validateImageStreamName(name: string, prefix: boolean): string[] {
  const reasons = prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);
  if (reasons.length) return reasons;
  if (!NAME_COMPONENT_ANCHORED.test(prefix ? `${name}a` : name)) return [`must match ${JSON.stringify(NAME_COMPONENT)}`];
  return [];
}

/** The stream annotation that lets all of its references use plain HTTP. */
export function isRepositoryInsecure(meta: ObjectMeta | undefined): boolean {
  return meta?.annotations?.[annotations.insecureRepository] === 'true';
}

export function validateImportPolicy(policy: TagImportPolicy | undefined, path: FieldPath): FieldErrorList {
  const mode = policy?.importMode ?? '';
  if (mode === '' || (IMPORT_MODES as readonly string[]).includes(mode)) return [];
  return [fieldErrors.invalid(path.child('importMode'), mode, "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'")];
}

/** One spec tag (also used for ImageStreamTag.tag and ImageTag.spec). */
export function validateTagReference(
  tagRef: TagReference,
  path: FieldPath,
  opts: { allowList?: RegistryAllowList; insecureRepository?: boolean } = {},
): FieldErrorList {
  const errs: FieldErrorList = [];
  const allowList = opts.allowList ?? allowAllRegistries;
  const from = tagRef.from;
  if (from) {
    const name = from.name ?? '';
    if (!name) errs.push(fieldErrors.required(path.child('from').child('name')));
    switch (from.kind) {
      case 'DockerImage': {
        if (!name) break;
        const parsed = DockerImageReference.tryParse(name);
        if (parsed.error !== undefined) {
          errs.push(fieldErrors.invalid(path.child('from').child('name'), name, parsed.error));
          break;
        }
        const insecure = tagRef.importPolicy?.insecure === true || opts.insecureRepository === true;
        const denied = allowList.admitReference(parsed.ref, transportFor(insecure));
        if (denied) errs.push(fieldErrors.forbidden(path.child('from').child('name'), denied));
        break;
      }
      case 'ImageStreamImage':
      case 'ImageStreamTag':
        if (tagRef.importPolicy?.scheduled === true) {
          errs.push(
            fieldErrors.invalid(
              path.child('importPolicy').child('scheduled'),
              true,
              'only tags pointing to Docker repositories may be scheduled for background import',
            ),
          );
        }
        break;
      default:
        errs.push(fieldErrors.required(path.child('from').child('kind'), "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"));
    }
  }
  const policyType = tagRef.referencePolicy?.type ?? '';
  if (policyType !== 'Source' && policyType !== 'Local') {
    errs.push(fieldErrors.invalid(path.child('referencePolicy').child('type'), policyType, 'valid values are "Source", "Local"'));
  }
  errs.push(...validateImportPolicy(tagRef.importPolicy, path.child('importPolicy')));
  return errs;
}

/** Everything a stored stream must satisfy (create, and again on every update). */
export function validateImageStream(stream: ImageStream, opts: ImageStreamValidationOptions = {}): FieldErrorList {
  const allowList = opts.allowList ?? allowAllRegistries;
  const meta = stream.metadata;
  const errs = validateObjectMeta(meta, { namespaced: true, nameFn: validateImageStreamName, qualifiedFinalizers: true });
  const name = meta?.name ?? '';
  if (`${meta?.namespace ?? ''}/${name}`.length > NAME_TOTAL_LENGTH_MAX) {
    errs.push(fieldErrors.invalid('metadata.name', name, `'namespace/name' cannot be longer than ${NAME_TOTAL_LENGTH_MAX} characters`));
  }
  const insecureRepository = isRepositoryInsecure(meta);

  const repo = stream.spec?.dockerImageRepository ?? '';
  if (repo) {
    const path = 'spec.dockerImageRepository';
    const parsed = DockerImageReference.tryParse(repo);
    if (parsed.error !== undefined) {
      errs.push(fieldErrors.invalid(path, repo, parsed.error));
    } else {
      if (parsed.ref.tag) errs.push(fieldErrors.invalid(path, repo, 'the repository name may not contain a tag'));
      if (parsed.ref.id) errs.push(fieldErrors.invalid(path, repo, 'the repository name may not contain an ID'));
      if (!parsed.ref.tag && !parsed.ref.id) {
        const denied = allowList.admitReference(parsed.ref, transportFor(insecureRepository));
        if (denied) errs.push(fieldErrors.forbidden(path, denied));
      }
    }
  }

  const specTags = specTagMap(stream.spec);
  for (const [tag, ref] of specTags) {
    errs.push(...validateTagReference(ref, FieldPath.root('spec').child('tags').key(tag), { allowList, insecureRepository }));
  }

  for (const [tag, list] of statusTagMap(stream.status)) {
    (list.items ?? []).forEach((event, i) => {
      const path = FieldPath.root('status').child('tags').key(tag).child('items').index(i).child('dockerImageReference');
      const ref = event?.dockerImageReference ?? '';
      if (!ref) {
        errs.push(fieldErrors.required(path));
        return;
      }
      const parsed = DockerImageReference.tryParse(ref);
      if (parsed.error !== undefined) {
        errs.push(fieldErrors.invalid(path, ref, parsed.error));
        return;
      }
      const insecure = specTags.get(tag)?.importPolicy?.insecure === true || insecureRepository;
      const denied = allowList.admitReference(parsed.ref, transportFor(insecure));
      if (denied) errs.push(fieldErrors.forbidden(path, denied));
    });
  }
  return errs;
}

/** Every DockerImage pull spec of the spec (repository and tag sources). */
export function specPullSpecs(stream: ImageStream): Set<string> {
  const out = new Set<string>();
  if (stream.spec?.dockerImageRepository) out.add(stream.spec.dockerImageRepository);
  for (const ref of specTagMap(stream.spec).values()) {
    if (ref.from?.kind === 'DockerImage') out.add(ref.from.name ?? '');
  }
  return out;
}

interface StatusReferencePath {
  path: FieldPath;
  insecure: boolean;
}

/** Status history references, each with every place it appears and whether that place is insecure. */
export function statusReferences(stream: ImageStream): Map<string, StatusReferencePath[]> {
  const out = new Map<string, StatusReferencePath[]>();
  const insecureRepository = isRepositoryInsecure(stream.metadata);
  const specTags = specTagMap(stream.spec);
  for (const [tag, list] of statusTagMap(stream.status)) {
    const insecure = insecureRepository || specTags.get(tag)?.importPolicy?.insecure === true;
    (list.items ?? []).forEach((event, i) => {
      const ref = event?.dockerImageReference ?? '';
      const path = FieldPath.root('status').child('tags').key(tag).child('items').index(i).child('dockerImageReference');
      const paths = out.get(ref) ?? [];
      paths.push({ path, insecure });
      out.set(ref, paths);
    });
  }
  return out;
}

/** Update of the main resource: metadata update rules, then full validation where the old references stay admitted. */
export function validateImageStreamUpdate(stream: ImageStream, old: ImageStream, opts: ImageStreamValidationOptions = {}): FieldErrorList {
  const errs = validateObjectMetaUpdate(stream.metadata, old.metadata, 'metadata', { qualifiedFinalizers: true });
  const allowList = (opts.allowList ?? allowAllRegistries).withPullSpecs([...specPullSpecs(old), ...statusReferences(old).keys()]);
  errs.push(...validateImageStream(stream, { allowList }));
  return uniqueFieldErrors(errs);
}

/** Update through imagestreams/status: only references new to the status are checked. */
export function validateImageStreamStatusUpdate(stream: ImageStream, old: ImageStream, opts: ImageStreamValidationOptions = {}): FieldErrorList {
  const errs = validateObjectMetaUpdate(stream.metadata, old.metadata, 'metadata', { qualifiedFinalizers: true });
  const allowList = opts.allowList ?? allowAllRegistries;
  const insecureRepository = isRepositoryInsecure(stream.metadata);
  const oldRefs = statusReferences(old);
  for (const [ref, paths] of statusReferences(stream)) {
    if (oldRefs.has(ref)) continue;
    const parsed = DockerImageReference.tryParse(ref);
    if (parsed.error !== undefined) {
      for (const p of paths) errs.push(fieldErrors.invalid(p.path, ref, parsed.error));
      continue;
    }
    const insecure = insecureRepository || paths.some((p) => p.insecure);
    const denied = allowList.admitReference(parsed.ref, transportFor(insecure));
    if (denied) for (const p of paths) errs.push(fieldErrors.forbidden(p.path, denied));
  }
  return errs;
}
