// Access checks made inside the API, on behalf of the requesting user: OpenShift checks
// `get imagestreams/layers` in a tag's source namespace and `create images` before an import.
// Resources receive an AccessChecker by injection; it asks the same authorizer as the filter chain
// (system:masters, then SubjectAccessReview with its caches).

import { errors } from '../errors/index.js';
import type { StatusError } from '../errors/index.js';
import type { UserInfo } from '../registry/strategy.js';
import { forbiddenError } from './forbidden.js';
import type { Authorizer, ResourceAttributes } from './types.js';

/** What a check needs; group, version, subresource and name default to "". */
export type AccessRequest = Pick<ResourceAttributes, 'verb' | 'resource' | 'namespace'> & Partial<ResourceAttributes>;

export interface AccessChecker {
  /** True when allowed. Rejects with a 500 StatusError when the decision could not be made. */
  allowed(user: UserInfo, request: AccessRequest): Promise<boolean>;
  /** Resolves when allowed; otherwise rejects with the 403 kube-apiserver would send for it. */
  require(user: UserInfo, request: AccessRequest): Promise<void>;
}

function attributes(r: AccessRequest): ResourceAttributes {
  return { verb: r.verb, group: r.group ?? '', version: r.version ?? '', resource: r.resource, subresource: r.subresource ?? '', name: r.name ?? '', namespace: r.namespace };
}

export class AuthorizerAccessChecker implements AccessChecker {
  constructor(private readonly authorizer: Authorizer) {}

  private async decide(user: UserInfo, request: AccessRequest): Promise<{ ok: boolean; reason?: string; error?: StatusError }> {
    const result = await this.authorizer.authorize({ user, resource: attributes(request) });
    if (result.decision === 'allow') return { ok: true };
    if (result.error) return { ok: false, error: errors.internal(`unable to check access: ${result.error}`) };
    return { ok: false, reason: result.reason };
  }

  async allowed(user: UserInfo, request: AccessRequest): Promise<boolean> {
    const d = await this.decide(user, request);
    if (d.error) throw d.error;
    return d.ok;
  }

  async require(user: UserInfo, request: AccessRequest): Promise<void> {
    const d = await this.decide(user, request);
    if (d.error) throw d.error;
    if (!d.ok) throw forbiddenError({ user, resource: attributes(request) }, d.reason);
  }
}

/** For tests and tools: a checker that says the same thing every time. */
export function staticAccessChecker(allow: boolean): AccessChecker {
  return {
    allowed: async () => allow,
    require: async (user, request) => {
      if (!allow) throw forbiddenError({ user, resource: attributes(request) });
    },
  };
}
