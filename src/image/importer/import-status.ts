// Turns an import failure into the metav1.Status of one status.images[i] (or status.repository)
// entry, with the codes, reasons and messages openshift-apiserver uses. Where upstream only says
// "Internal error occurred: <ref>: <error>" (rate limits, outages, TLS trust), the code and reason
// stay (500 InternalError) and the message says what happened and what to change.

import type { ListMeta, Status, StatusDetails } from '../../apiserver/api/types.js';
import { errors, StatusError } from '../../apiserver/errors/index.js';
import { describeDetails, isRegistryError, type RegistryError } from './errors.js';

/** metav1.Status as embedded in ImageStreamImport status (no kind/apiVersion). */
export interface ImportStatus {
  metadata: ListMeta;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export const DOCKER_IMAGE_RESOURCE = { group: 'image.openshift.io', resource: 'dockerimage' } as const;

export function importSuccess(): ImportStatus {
  return { metadata: {}, status: 'Success' };
}

function embedded(s: Status): ImportStatus {
  const out: ImportStatus = { metadata: {}, status: s.status };
  if (s.message !== undefined) out.message = s.message;
  if (s.reason !== undefined) out.reason = s.reason;
  if (s.details !== undefined) out.details = s.details;
  out.code = s.code;
  return out;
}

const failure = (code: number, reason: string, message: string, details?: StatusDetails): ImportStatus => {
  const s: ImportStatus = { metadata: {}, status: 'Failure', message, reason };
  if (details) s.details = details;
  s.code = code;
  return s;
};

/**
 * Transport failures (TLS trust, rate limits, outages) keep openshift-apiserver's 500
 * InternalError, which clients and users match on; the message says what happened.
 */
function internal(message: string, retryAfterSeconds?: number): ImportStatus {
  const s = embedded(errors.internal(message).status);
  if (retryAfterSeconds !== undefined) s.details = { ...s.details, retryAfterSeconds };
  return s;
}

/**
 * The per-image status for `err`. `ref` overrides the reference the error names (the import
 * resource knows how the user spelled it); registry errors carry their own otherwise.
 */
export function importStatusFor(err: unknown, ref?: string): ImportStatus {
  if (err instanceof StatusError) return embedded(err.status);
  if (!isRegistryError(err)) {
    const msg = err instanceof Error ? err.message : String(err);
    return embedded(errors.internal(ref ? `${ref}: ${msg}` : msg).status);
  }
  return registryStatus(err, ref || err.reference);
}

function registryStatus(err: RegistryError, ref: string): ImportStatus {
  const quoted = JSON.stringify(ref);
  switch (err.kind) {
    case 'NotFound':
      return embedded(errors.notFound(DOCKER_IMAGE_RESOURCE, ref).status);
    case 'Unauthorized':
      switch (err.credentials) {
        case 'rejected':
          return failure(401, 'Unauthorized', `incorrect username or password for image ${quoted}`);
        case 'none':
          return failure(401, 'Unauthorized', `you may not have access to the container image ${quoted} and did not have credentials to the repository`);
        default:
          return failure(401, 'Unauthorized', `you may not have access to the container image ${quoted}`);
      }
    case 'Forbidden': {
      const said = describeDetails(err.details);
      return failure(403, 'Forbidden', `you may not have access to the container image ${quoted}${said ? `: ${said}` : ''}`, {
        name: ref,
        group: DOCKER_IMAGE_RESOURCE.group,
        kind: DOCKER_IMAGE_RESOURCE.resource,
      });
    }
    case 'InsecureRequired':
      // Upstream's sentence first (people search for it), then what to change.
      return failure(
        400,
        'BadRequest',
        `the repository ${err.repository || ref} is HTTP only and requires the insecure flag to import: ${err.message}`,
      );
    case 'CertificateInvalid':
      return internal(`${ref}: ${err.message}`);
    case 'NotV2Registry':
      return failure(403, 'NotV2Registry', `forbidden: registry ${JSON.stringify(err.registry)} does not support the v2 Registry API`);
    case 'TooManyRequests':
      return internal(`${ref}: ${err.message}; try again later`, err.retryAfterSeconds);
    case 'Unavailable':
      return internal(`${ref}: ${err.message}`);
    case 'DigestMismatch':
      // Upstream reports the integrity error as-is (no reference prefix).
      return embedded(errors.internal(err.message).status);
    case 'InvalidManifest':
    case 'Unexpected':
      return embedded(errors.internal(`${ref}: ${err.message}`).status);
  }
}

/** The status of a failed repository import when `failures` of its tags failed. */
export function repositoryImportFailure(failures: number): ImportStatus {
  const message = failures === 1 ? 'one of the images from this repository failed to import' : `${failures} of the images from this repository failed to import`;
  return { metadata: {}, status: 'Failure', message, reason: 'ImportFailed' };
}

/** A registry blocked by cluster configuration (upstream: a bare Forbidden). */
export function blockedRegistryStatus(registry: string): ImportStatus {
  return failure(403, 'Forbidden', `forbidden: registry ${registry} blocked`, {});
}

/** The status when an import produced neither an image nor an error (upstream OCPBUGS-35036). */
export function unknownImportFailure(kind: 'tag' | 'digest', value: string, repository: string, importMode: string): ImportStatus {
  return embedded(
    errors.internal(`unknown error while importing ${kind} ${JSON.stringify(value)} from repository ${JSON.stringify(repository)} with import mode ${JSON.stringify(importMode)}, please try again.`)
      .status,
  );
}
