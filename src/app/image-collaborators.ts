// What the image API asks of its surroundings, built from the options and the request pipeline:
// access checks for the requesting user (the same authorizer chain as every request: masters, then
// SubjectAccessReview with its caches), the namespace's pull secrets and LimitRanges from the host
// cluster, and the image policy flags.

import { readFileSync } from 'node:fs';
import type { Authorizer } from '../apiserver/auth/types.js';
import type { HostCluster } from '../apiserver/hostcluster/types.js';
import type { ImageAccessChecker, LimitRangeSource, PullSecretSource } from '../image/collaborators.js';
import type { ImageAPIConfig } from '../image/install.js';
import { parseAllowedRegistries } from '../image/api/validation/registry-allowlist.js';
import type { ImportModeType } from '../image/api/types.js';
import { limitsLoadingError } from '../image/registry/imagestream/limits.js';
import type { Options } from './options.js';

export function imageAccessChecker(authorizer: Authorizer): ImageAccessChecker {
  return {
    canI: async (user, r) => {
      const result = await authorizer.authorize({
        user,
        resource: { verb: r.verb, group: r.group, version: '', resource: r.resource, subresource: r.subresource, name: r.name, namespace: r.namespace },
      });
      // A failed review is an error the caller reports, never a decision.
      if (result.error) throw new Error(result.error);
      const decision: Awaited<ReturnType<ImageAccessChecker['canI']>> = { allowed: result.decision === 'allow' };
      if (result.reason) decision.reason = result.reason;
      return decision;
    },
  };
}

export function hostPullSecrets(host: HostCluster): PullSecretSource {
  return { list: (namespace, opts) => host.listSecrets(namespace, opts) };
}

/**
 * LimitRanges from the host's informer. A write that arrives before the first list waits for it
 * briefly, then is refused (retryable) rather than admitted unchecked.
 */
export function hostLimitRanges(host: HostCluster, syncWaitMs = 3000): LimitRangeSource {
  const lister = host.limitRanges();
  return {
    list: async (namespace) => {
      if (!lister.hasSynced() && !(await lister.waitForSync(syncWaitMs))) throw limitsLoadingError();
      return lister.list(namespace);
    },
  };
}

type Collaborators = Pick<ImageAPIConfig, 'accessChecker' | 'pullSecrets' | 'limitRanges' | 'allowedRegistries' | 'tagHistoryLimit' | 'importMode'>;

export function imageCollaborators(o: Options, authorizer: Authorizer, host: HostCluster): Collaborators {
  const allowed = parseAllowedRegistries(o.allowedRegistriesForImport.join(','), 'flag');
  if (o.allowedRegistriesForImportFile) allowed.push(...parseAllowedRegistries(readFileSync(o.allowedRegistriesForImportFile, 'utf8'), 'document'));
  const c: Collaborators = {
    accessChecker: imageAccessChecker(authorizer),
    pullSecrets: hostPullSecrets(host),
    allowedRegistries: allowed,
    tagHistoryLimit: o.maxImageTagHistory,
    importMode: o.imageStreamImportMode as ImportModeType,
  };
  if (o.enableImageStreamLimits) c.limitRanges = hostLimitRanges(host);
  return c;
}
