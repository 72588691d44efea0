// The 403 a refused request gets, worded exactly as kube-apiserver words it (conventions §3.4).

import { errors, failure, type StatusError } from '../errors/index.js';
import type { AuthorizationAttributes } from './types.js';

const escapeHTML = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `reason` is the authorizer's (e.g. the SubjectAccessReview's), appended after ": " (not escaped, as upstream). */
export function forbiddenError(attrs: AuthorizationAttributes, reason?: string): StatusError {
  const u = attrs.user.username;
  const suffix = reason ? `: ${reason}` : '';
  if ('nonResource' in attrs) {
    const n = attrs.nonResource;
    return failure(403, 'Forbidden', `forbidden: ${escapeHTML(`User "${u}" cannot ${n.verb} path "${n.path}"`)}${suffix}`, {});
  }
  const r = attrs.resource;
  const res = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  return errors.forbidden({ group: r.group, resource: r.resource }, r.name, `${escapeHTML(`User "${u}" cannot ${r.verb} resource "${res}" in API group "${r.group}" ${scope}`)}${suffix}`);
}
