// Adapters from the generic request pipeline to what the image API asks of its surroundings:
// access checks for the requesting user (the same authorizer chain as every request: masters,
// then SubjectAccessReview with its caches) and the namespace's Secrets from the host cluster.

import type { Authorizer } from '../apiserver/auth/types.js';
import type { HostCluster } from '../apiserver/hostcluster/types.js';
import type { ImageAccessChecker, PullSecretSource } from '../image/collaborators.js';

export function imageAccessChecker(authorizer: Authorizer): ImageAccessChecker {
  return {
    canI: async (user, r) => {
      const result = await authorizer.authorize({
        user,
        resource: { verb: r.verb, group: r.group, version: '', resource: r.resource, subresource: r.subresource, name: r.name, namespace: r.namespace },
      });
      const decision: Awaited<ReturnType<ImageAccessChecker['canI']>> = { allowed: result.decision === 'allow' };
      if (result.reason) decision.reason = result.reason;
      if (result.error) decision.evaluationError = result.error;
      return decision;
    },
  };
}

export function hostPullSecrets(host: HostCluster): PullSecretSource {
  return { list: (namespace, opts) => host.listSecrets(namespace, opts) };
}
