// Namespace lifecycle admission, as every Kubernetes API server enforces it: nothing is created in
// a namespace that does not exist (404) or is being deleted (403), so the namespace controller's
// cleanup is final. Reads a watched cache of the host's namespaces; only a cache miss costs a live
// lookup (the namespace may be newer than the cache).

import { errors, failure } from '../errors/index.js';
import type { NamespaceInfo, NamespaceLister } from '../hostcluster/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

export interface NamespaceLifecycleOptions {
  namespaces: NamespaceLister;
  /** A live read from the host, for names the cache has not seen. */
  lookup(name: string): Promise<NamespaceInfo | undefined>;
  /** How long a request waits for the cache's first sync (default 10 s). */
  syncTimeoutMs?: number;
  /** Grace for the cache to catch up with a brand-new namespace before the live lookup (default 50 ms). */
  missingNamespaceWaitMs?: number;
}

export function namespaceNotFound(name: string): ReturnType<typeof failure> {
  return failure(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
}

export class NamespaceLifecycle implements AdmissionPlugin {
  constructor(private readonly o: NamespaceLifecycleOptions) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    // Cluster-scoped objects and deletions are never refused.
    if (!a.namespace || a.operation === 'DELETE') return;
    const gr = { group: a.resource.group, resource: a.resource.resource };
    if (!(await this.o.namespaces.waitForSync(this.o.syncTimeoutMs ?? 10_000))) {
      throw errors.forbidden(gr, a.name, 'not yet ready to handle request');
    }
    let ns = this.o.namespaces.get(a.namespace);
    if (!ns && a.operation === 'CREATE') {
      await new Promise((r) => setTimeout(r, this.o.missingNamespaceWaitMs ?? 50));
      ns = this.o.namespaces.get(a.namespace);
    }
    if (!ns) {
      try {
        ns = await this.o.lookup(a.namespace);
      } catch (err) {
        throw errors.internal(err instanceof Error ? err.message : String(err));
      }
      if (!ns) throw namespaceNotFound(a.namespace);
    }
    if (a.operation === 'CREATE' && ns.phase === 'Terminating') {
      const e = errors.forbidden(gr, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
      e.status.details = {
        ...e.status.details,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }],
      };
      throw e;
    }
  }
}
