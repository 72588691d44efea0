// StatusError carries the complete metav1.Status a client should see. Everything that fails a
// request throws one of these; the endpoint layer writes `status` verbatim.

import { type GroupResource, type Status, type StatusCause, type StatusDetails, qualifiedResource } from '../api/types.js';
import type { FieldErrorList } from './field.js';

/** What an error about one object of a resource is, and how to say it about another resource's object. */
interface ObjectError {
  resource: GroupResource;
  about(other: GroupResource): StatusError;
}

export class StatusError extends Error {
  readonly status: Status;
  private objectError?: ObjectError;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? `status ${status.code}`);
    this.name = 'StatusError';
    this.status = status;
  }

  /** Marks this error as one about an object of `resource` that `about` can restate. */
  aboutObject(resource: GroupResource, about: (other: GroupResource) => StatusError): this {
    this.objectError = { resource, about };
    return this;
  }

  /**
   * This error said about `requested` when it is about an object of one of `from` (NotFound,
   * AlreadyExists and Conflict of a store reached through another resource); otherwise itself.
   */
  reportedAs(requested: GroupResource, from: readonly GroupResource[]): StatusError {
    const e = this.objectError;
    if (!e || !from.some((r) => r.group === e.resource.group && r.resource === e.resource.resource)) return this;
    return e.about(requested);
  }

  /** Whether this error is about an object of `resource`. */
  isAbout(resource: GroupResource): boolean {
    return this.objectError?.resource.group === resource.group && this.objectError.resource.resource === resource.resource;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  // Field order matters to humans comparing with kube-apiserver output: details before code.
  const ordered: Status = {
    kind: status.kind,
    apiVersion: status.apiVersion,
    metadata: status.metadata,
    status: status.status,
    message: status.message,
    reason: status.reason,
    ...(status.details !== undefined ? { details: status.details } : {}),
    code: status.code,
  };
  return new StatusError(ordered);
}

function resourceDetails(gr: GroupResource, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export const errors = {
  notFound: (gr: GroupResource, name: string): StatusError =>
    failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, resourceDetails(gr, name)).aboutObject(gr, (other) =>
      errors.notFound(other, name),
    ),

  alreadyExists: (gr: GroupResource, name: string, prefix = ''): StatusError =>
    failure(409, 'AlreadyExists', `${prefix}${qualifiedResource(gr)} "${name}" already exists`, resourceDetails(gr, name)).aboutObject(gr, (other) =>
      errors.alreadyExists(other, name),
    ),

  generateNameConflict: (gr: GroupResource, name: string): StatusError =>
    failure(
      409,
      'AlreadyExists',
      `${qualifiedResource(gr)} "${name}" already exists, the server was not able to generate a unique name for the object`,
      { ...resourceDetails(gr, name), retryAfterSeconds: 1 },
    ).aboutObject(gr, (other) => errors.alreadyExists(other, name)),

  conflict: (gr: GroupResource, name: string, cause: string): StatusError =>
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${cause}`, resourceDetails(gr, name)).aboutObject(gr, (other) =>
      errors.conflict(other, name, cause),
    ),

  /** Conflicts reported against the Kind (delete preconditions). */
  conflictOnKind: (kind: string, group: string, name: string, cause: string): StatusError =>
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${kind}.${group} "${name}": ${cause}`, { name, group, kind }),

  staleUpdate: (gr: GroupResource, name: string): StatusError =>
    errors.conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again'),

  /** 422 Invalid. `kind` is the Kind (ImageStream), or for the few exceptions the resource. */
  invalid: (kind: string, group: string, name: string, errs: FieldErrorList): StatusError => {
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.body(), field: e.field }));
    const list = errs.map((e) => e.toString());
    const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    const qualified = group ? `${kind}.${group}` : kind;
    const details: StatusDetails = {};
    if (name) details.name = name;
    details.group = group;
    details.kind = kind;
    details.causes = causes;
    return failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${joined}`, details);
  },

  badRequest: (message: string): StatusError => failure(400, 'BadRequest', message),

  forbidden: (gr: GroupResource, name: string, message: string): StatusError => {
    const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
    return failure(403, 'Forbidden', `${subject} is forbidden: ${message}`, resourceDetails(gr, name));
  },

  unauthorized: (): StatusError => failure(401, 'Unauthorized', 'Unauthorized'),

  methodNotAllowed: (): StatusError =>
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),

  verbNotSupported: (verb: string, gr: GroupResource): StatusError =>
    failure(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource(gr)}"`, {
      group: gr.group,
      kind: gr.resource,
    }),

  notAcceptable: (supported: string): StatusError =>
    failure(406, 'NotAcceptable', `only the following media types are accepted: ${supported}`),

  unsupportedMediaType: (accepted: string): StatusError =>
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted}`),

  /** Go's NewRequestEntityTooLargeError: the message says which limit was hit. */
  requestEntityTooLarge: (message: string): StatusError => failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`),

  tooManyRequests: (message: string, retryAfterSeconds: number): StatusError =>
    failure(429, 'TooManyRequests', `Too many requests: ${message}`, { retryAfterSeconds }),

  expired: (message: string): StatusError => failure(410, 'Expired', message),

  timeout: (message: string, details?: StatusDetails): StatusError => failure(504, 'Timeout', `Timeout: ${message}`, details),

  serverTimeout: (gr: GroupResource, operation: string, retryAfterSeconds: number): StatusError =>
    failure(
      500,
      'ServerTimeout',
      `The ${operation} operation against ${qualifiedResource(gr)} could not be completed at this time, please try again.`,
      { name: operation, group: gr.group, kind: gr.resource, retryAfterSeconds },
    ),

  internal: (message: string): StatusError => failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),

  serviceUnavailable: (message: string): StatusError => failure(503, 'ServiceUnavailable', message),

  notFoundPath: (): StatusError => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
};

/** 422 on an options kind (ListOptions, CreateOptions, ...) in meta.k8s.io, with an empty name. */
export function invalidOptions(optionsKind: string, errs: FieldErrorList): StatusError {
  const list = errs.map((e) => e.toString());
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return failure(422, 'Invalid', `${optionsKind}.meta.k8s.io "" is invalid: ${joined}`, {
    group: 'meta.k8s.io',
    kind: optionsKind,
    causes: errs.map((e) => ({ reason: e.type, message: e.body(), field: e.field })),
  });
}
