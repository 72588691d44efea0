// Typed failures of the registry client. The import resource turns them into per-image statuses
// (import-status.ts), so each one carries what a user needs to act: which registry, which image,
// and what the registry itself said.

export type RegistryErrorKind =
  /** The repository, tag, manifest or blob does not exist (or the registry hides it as absent). */
  | 'NotFound'
  /** The registry wants credentials we do not have, or rejected the ones we sent. */
  | 'Unauthorized'
  /** Authenticated, but the registry denies access (403 / DENIED). */
  | 'Forbidden'
  /** 429 / TOOMANYREQUESTS after the retries (or a Retry-After longer than we wait). */
  | 'TooManyRequests'
  /** Unreachable, timed out, or answering 5xx after the retries. */
  | 'Unavailable'
  /** Not a manifest we can read: bad JSON, unknown media type, an empty list, a non-UTF-8 body. */
  | 'InvalidManifest'
  /** The content does not hash to the digest asked for or announced. */
  | 'DigestMismatch'
  /** The registry speaks plain HTTP and the import did not allow insecure access. */
  | 'InsecureRequired'
  /** TLS certificate verification failed and the import did not allow insecure access. */
  | 'CertificateInvalid'
  /** /v2/ is not there: not a v2 (OCI distribution) registry. */
  | 'NotV2Registry'
  /** Anything else the registry answered that we cannot classify. */
  | 'Unexpected';

/** How credentials figured in an Unauthorized answer. */
export type CredentialUse = 'none' | 'rejected' | 'accepted';

/** One entry of a registry's `{"errors": [...]}` body. */
export interface RegistryErrorDetail {
  code: string;
  message: string;
}

export interface RegistryErrorInit {
  /** host[:port] of the registry the request went to. */
  registry: string;
  /** The image as a user would name it (registry/repository:tag or @digest). */
  reference?: string;
  /** The repository path inside the registry. */
  repository?: string;
  httpStatus?: number;
  details?: RegistryErrorDetail[];
  credentials?: CredentialUse;
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  readonly registry: string;
  readonly reference: string;
  readonly repository: string;
  readonly httpStatus: number | undefined;
  readonly details: RegistryErrorDetail[];
  readonly credentials: CredentialUse | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: RegistryErrorKind, message: string, init: RegistryErrorInit) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'RegistryError';
    this.kind = kind;
    this.registry = init.registry;
    this.reference = init.reference ?? '';
    this.repository = init.repository ?? '';
    this.httpStatus = init.httpStatus;
    this.details = init.details ?? [];
    this.credentials = init.credentials;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The same failure attributed to an image reference (errors from shared layers lack one). */
  withReference(reference: string, repository?: string): RegistryError {
    if (this.reference === reference && (repository === undefined || this.repository === repository)) return this;
    return new RegistryError(this.kind, this.message, {
      registry: this.registry,
      reference,
      repository: repository ?? this.repository,
      ...(this.httpStatus !== undefined ? { httpStatus: this.httpStatus } : {}),
      details: this.details,
      ...(this.credentials !== undefined ? { credentials: this.credentials } : {}),
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
      ...(this.cause !== undefined ? { cause: this.cause } : {}),
    });
  }

  hasCode(code: string): boolean {
    return this.details.some((d) => d.code === code);
  }
}

export function isRegistryError(err: unknown, kind?: RegistryErrorKind): err is RegistryError {
  return err instanceof RegistryError && (kind === undefined || err.kind === kind);
}

/** Reads a registry's `{"errors":[{code,message}]}` body; [] when it is something else. */
export function parseErrorBody(body: Buffer | string): RegistryErrorDetail[] {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return [];
  }
  if (typeof doc !== 'object' || doc === null) return [];
  const list = (doc as { errors?: unknown }).errors;
  if (!Array.isArray(list)) return [];
  const out: RegistryErrorDetail[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message } = e as { code?: unknown; message?: unknown };
    out.push({ code: typeof code === 'string' ? code : '', message: typeof message === 'string' ? message : '' });
  }
  return out;
}

/** "CODE: message; CODE: message" for error messages, or "" when there is nothing. */
export function describeDetails(details: RegistryErrorDetail[]): string {
  return details
    .map((d) => [d.code.toLowerCase(), d.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
}

const NOT_FOUND_CODES = new Set(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN', 'BLOB_UNKNOWN']);

/**
 * Classifies an HTTP error answer from a registry endpoint (after retries). `what` names the
 * thing requested ("manifest", "tags", "config blob") for the message.
 */
export function errorFromResponse(
  status: number,
  body: Buffer,
  init: RegistryErrorInit & { what: string; retryAfterSeconds?: number },
): RegistryError {
  const details = parseErrorBody(body);
  const codes = new Set(details.map((d) => d.code));
  const said = describeDetails(details);
  const suffix = said ? `: ${said}` : '';
  const base: RegistryErrorInit = { ...init, httpStatus: status, details };
  const where = init.reference || init.registry;
  if (status === 404 || [...codes].some((c) => NOT_FOUND_CODES.has(c))) {
    return new RegistryError('NotFound', `${init.what} for ${where} not found${suffix}`, base);
  }
  if (status === 401 || codes.has('UNAUTHORIZED')) {
    return new RegistryError('Unauthorized', `the registry ${init.registry} requires authentication${suffix}`, base);
  }
  if (status === 403 || codes.has('DENIED')) {
    return new RegistryError('Forbidden', `the registry ${init.registry} denied access to ${where}${suffix}`, base);
  }
  if (status === 429 || codes.has('TOOMANYREQUESTS')) {
    return new RegistryError('TooManyRequests', `the registry ${init.registry} is rate limiting requests${suffix}`, base);
  }
  if (status >= 500) {
    return new RegistryError('Unavailable', `the registry ${init.registry} answered ${status} for the ${init.what} of ${where}${suffix}`, base);
  }
  return new RegistryError('Unexpected', `the registry ${init.registry} answered ${status} for the ${init.what} of ${where}${suffix}`, base);
}
