// Field validation of Images (openshift-apiserver ValidateImage / ValidateImageUpdate) and of the
// signatures they carry (also used by the imagesignatures resource).

import { FieldPath, fieldErrors, type FieldErrorList } from '../../../apiserver/errors/field.js';
import { validatePathSegmentName } from '../../../apiserver/registry/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../apiserver/registry/validation/objectmeta.js';
import { uniqueFieldErrors } from '../../../apiserver/registry/validation/unique.js';
import { timeValue } from '../conversion/json.js';
import { SUPPORTED_METADATA_VERSIONS } from '../metadata.js';
import { splitImageSignatureName } from '../names.js';
import { DockerImageReference } from '../reference.js';
import type { Image, ImageManifest, ImageSignature, SignatureCondition } from '../types.js';

/** Unanchored, as upstream uses it: a digest anywhere in the string passes. */
const MANIFEST_DIGEST = /[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}/;
const MEDIA_TYPE = /^ *([A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126})\/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}) *$/;

export const SIGNATURE_TRUSTED = 'Trusted';
export const SIGNATURE_FOR_IMAGE = 'ForImage';

export function validateImageManifests(manifests: readonly ImageManifest[], path: FieldPath): FieldErrorList {
  const errs: FieldErrorList = [];
  manifests.forEach((raw, i) => {
    const m = raw ?? {};
    const p = path.index(i);
    const digest = m.digest ?? '';
    const mediaType = m.mediaType ?? '';
    if (!MANIFEST_DIGEST.test(digest)) errs.push(fieldErrors.invalid(p.child('digest'), digest, 'digest does not conform with OCI image specification'));
    if (!MEDIA_TYPE.test(mediaType)) errs.push(fieldErrors.invalid(p.child('mediaType'), mediaType, 'media type does not conform to RFC6838'));
    if (!m.architecture) errs.push(fieldErrors.required(p.child('architecture')));
    if (!m.os) errs.push(fieldErrors.required(p.child('os')));
    // The field is called manifestSize on the wire; upstream reports it as "size".
    if ((m.manifestSize ?? 0) < 0) errs.push(fieldErrors.invalid(p.child('size'), m.manifestSize, 'manifest size cannot be negative'));
  });
  return errs;
}

/**
 * The newest Trusted and ForImage conditions (by lastProbeTime, later entries winning ties).
 * Upstream dereferences a nil pointer when any other condition (another type, or an older Trusted)
 * comes before the first ForImage; that list is reported here instead of crashing.
 */
function signatureConditions(conditions: readonly SignatureCondition[]): {
  trusted?: SignatureCondition;
  forImage?: SignatureCondition;
  misplaced?: { index: number; type: string };
} {
  let trusted: SignatureCondition | undefined;
  let forImage: SignatureCondition | undefined;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] ?? {};
    if (c.type === SIGNATURE_TRUSTED && (!trusted || timeValue(c.lastProbeTime) >= timeValue(trusted.lastProbeTime))) {
      trusted = c;
    } else if (c.type === SIGNATURE_FOR_IMAGE && !forImage) {
      forImage = c;
    } else if (!forImage) {
      return { trusted, forImage, misplaced: { index: i, type: c.type ?? '' } };
    } else if (c.type === SIGNATURE_FOR_IMAGE && timeValue(c.lastProbeTime) >= timeValue(forImage.lastProbeTime)) {
      forImage = c;
    }
  }
  return { trusted, forImage };
}

export function validateImageSignature(sig: ImageSignature, path: FieldPath = FieldPath.root()): FieldErrorList {
  const metaPath = path.child('metadata');
  const errs = validateObjectMeta(sig.metadata, { namespaced: false, nameFn: validatePathSegmentName, qualifiedFinalizers: true }, metaPath);
  if (Object.keys(sig.metadata?.labels ?? {}).length) errs.push(fieldErrors.forbidden(metaPath.child('labels'), 'signature labels cannot be set'));
  if (Object.keys(sig.metadata?.annotations ?? {}).length) {
    errs.push(fieldErrors.forbidden(metaPath.child('annotations'), 'signature annotations cannot be set'));
  }
  const name = sig.metadata?.name ?? '';
  try {
    splitImageSignatureName(name);
  } catch {
    errs.push(fieldErrors.invalid(metaPath.child('name'), name, 'name must be of format <imageName>@<signatureName>'));
  }
  if (!sig.type) errs.push(fieldErrors.required(path.child('type')));
  if (!sig.content) errs.push(fieldErrors.required(path.child('content')));

  const conditions = sig.conditions ?? [];
  const { trusted, forImage, misplaced } = signatureConditions(conditions);
  if (misplaced) {
    errs.push(
      fieldErrors.invalid(
        path.child('conditions'),
        conditions,
        `condition ${misplaced.index} of type ${JSON.stringify(misplaced.type)} must not come before the ${JSON.stringify(SIGNATURE_FOR_IMAGE)} condition`,
      ),
    );
    return errs;
  }
  if (trusted && !forImage) {
    errs.push(fieldErrors.invalid(path.child('conditions'), conditions, `missing ${JSON.stringify(SIGNATURE_FOR_IMAGE)} condition type`));
  } else if (forImage && !trusted) {
    errs.push(fieldErrors.invalid(path.child('conditions'), conditions, `missing ${JSON.stringify(SIGNATURE_TRUSTED)} condition type`));
  }
  if (!trusted || trusted.status === 'Unknown') {
    const unset = 'must be unset for unknown signature state';
    if (sig.imageIdentity) errs.push(fieldErrors.invalid(path.child('imageIdentity'), sig.imageIdentity, unset));
    if (Object.keys(sig.signedClaims ?? {}).length) errs.push(fieldErrors.invalid(path.child('signedClaims'), sig.signedClaims, unset));
    if (sig.issuedBy) errs.push(fieldErrors.invalid(path.child('issuedBy'), sig.issuedBy, unset));
    if (sig.issuedTo) errs.push(fieldErrors.invalid(path.child('issuedTo'), sig.issuedTo, unset));
  }
  return errs;
}

/** A signature replaced through the imagesignatures resource: type and content are fixed. */
export function validateImageSignatureUpdate(sig: ImageSignature, old: ImageSignature): FieldErrorList {
  const errs = validateObjectMetaUpdate(sig.metadata, old.metadata, 'metadata', { qualifiedFinalizers: true });
  errs.push(...validateImageSignature(sig));
  if ((sig.type ?? '') !== (old.type ?? '')) errs.push(fieldErrors.forbidden('type', 'cannot change signature type'));
  if ((sig.content ?? '') !== (old.content ?? '')) errs.push(fieldErrors.forbidden('content', 'cannot change signature content'));
  return uniqueFieldErrors(errs);
}

export function validateImage(image: Image, path: FieldPath = FieldPath.root()): FieldErrorList {
  const errs = validateObjectMeta(
    image.metadata,
    { namespaced: false, nameFn: validatePathSegmentName, qualifiedFinalizers: true },
    path.child('metadata'),
  );
  const ref = image.dockerImageReference ?? '';
  if (!ref) {
    errs.push(fieldErrors.required(path.child('dockerImageReference')));
  } else {
    const parsed = DockerImageReference.tryParse(ref);
    if (parsed.error !== undefined) errs.push(fieldErrors.invalid(path.child('dockerImageReference'), ref, parsed.error));
  }
  (image.signatures ?? []).forEach((sig, i) => errs.push(...validateImageSignature(sig ?? {}, path.child('signatures').index(i))));
  const manifests = image.dockerImageManifests ?? [];
  if (manifests.length) {
    errs.push(...validateImageManifests(manifests, path.child('dockerImageManifests')));
    const layers = image.dockerImageLayers ?? [];
    if (layers.length) {
      errs.push(fieldErrors.invalid(path.child('dockerImageLayers'), layers, 'dockerImageLayers should not be set when dockerImageManifests is set'));
    }
  }
  // Not checked upstream, where an unknown version fails later while encoding the response.
  const version = image.dockerImageMetadataVersion ?? '';
  if (version && !(SUPPORTED_METADATA_VERSIONS as readonly string[]).includes(version)) {
    errs.push(fieldErrors.notSupported(path.child('dockerImageMetadataVersion'), version, SUPPORTED_METADATA_VERSIONS));
  }
  return errs;
}

export function validateImageUpdate(image: Image, old: Image): FieldErrorList {
  const errs = validateObjectMetaUpdate(image.metadata, old.metadata, 'metadata', { qualifiedFinalizers: true });
  errs.push(...validateImage(image));
  return uniqueFieldErrors(errs);
}
