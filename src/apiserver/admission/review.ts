// admission.k8s.io/v1 AdmissionReview: checking a request as kube-apiserver sends it (anything
// else is a 400 naming the first problem) and building the response.

import { isObject } from '../api/types.js';
import { errors } from '../errors/index.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: GroupVersionResource;
  subResource: string;
  name: string;
  namespace: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object: unknown;
  dryRun: boolean;
}

export interface JSONPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

function str(obj: Record<string, unknown>, key: string, where: string, required: boolean): string {
  const v = obj[key];
  if (v === undefined && !required) return '';
  if (typeof v !== 'string' || (required && v === '')) throw errors.badRequest(`${where}.${key} must be a ${required ? 'non-empty ' : ''}string`);
  return v;
}

function triple(obj: Record<string, unknown>, key: string, fields: readonly string[]): Record<string, string> {
  const v = obj[key];
  if (!isObject(v)) throw errors.badRequest(`request.${key} must be an object`);
  const out: Record<string, string> = {};
  // group is "" for the core group, so only the other fields must be non-empty.
  for (const f of fields) out[f] = str(v, f, `request.${key}`, f !== 'group');
  return out;
}

/** The request of a well-formed AdmissionReview v1, or a 400. */
export function parseAdmissionReview(doc: unknown): AdmissionRequest {
  if (!isObject(doc)) throw errors.badRequest('the body must be an admission.k8s.io/v1 AdmissionReview object');
  if (doc.apiVersion !== ADMISSION_API_VERSION || doc.kind !== 'AdmissionReview') {
    throw errors.badRequest(`expected apiVersion ${ADMISSION_API_VERSION} and kind AdmissionReview, got ${JSON.stringify(doc.apiVersion ?? '')} ${JSON.stringify(doc.kind ?? '')}`);
  }
  const r = doc.request;
  if (!isObject(r)) throw errors.badRequest('request must be an object');
  const uid = str(r, 'uid', 'request', true);
  const kind = triple(r, 'kind', ['group', 'version', 'kind']);
  const resource = triple(r, 'resource', ['group', 'version', 'resource']);
  const operation = str(r, 'operation', 'request', true);
  if (!OPERATIONS.has(operation)) throw errors.badRequest(`request.operation must be one of CREATE, UPDATE, DELETE, CONNECT`);
  if (r.object !== undefined && r.object !== null && !isObject(r.object)) throw errors.badRequest('request.object must be an object');
  if (r.dryRun !== undefined && typeof r.dryRun !== 'boolean') throw errors.badRequest('request.dryRun must be a boolean');
  return {
    uid,
    kind: { group: kind.group ?? '', version: kind.version ?? '', kind: kind.kind ?? '' },
    resource: { group: resource.group ?? '', version: resource.version ?? '', resource: resource.resource ?? '' },
    subResource: str(r, 'subResource', 'request', false),
    name: str(r, 'name', 'request', false),
    namespace: str(r, 'namespace', 'request', false),
    operation: operation as AdmissionRequest['operation'],
    object: r.object ?? undefined,
    dryRun: r.dryRun === true,
  };
}

/** An allowing response: the patch (if any) base64-encoded as JSONPatch, and warnings. */
export function admissionResponse(uid: string, patch: readonly JSONPatchOp[], warnings: readonly string[]): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: true };
  if (patch.length) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  if (warnings.length) response.warnings = [...warnings];
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
