import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { StatusError } from '../../../../src/apiserver/errors/index.js';
import { InMemoryHostCluster } from '../../../../src/apiserver/hostcluster/in-memory.js';
import type { AdmissionAttributes } from '../../../../src/apiserver/registry/admission.js';
import { NamespaceLifecycle } from '../../../../src/apiserver/registry/namespace-lifecycle.js';
import type { ResourceInfo } from '../../../../src/apiserver/registry/strategy.js';

const STREAMS: ResourceInfo = { group: 'image.openshift.io', version: 'v1', resource: 'imagestreams', kind: 'ImageStream', listKind: 'ImageStreamList', singular: 'imagestream', namespaced: true };
const IMAGES: ResourceInfo = { ...STREAMS, resource: 'images', kind: 'Image', listKind: 'ImageList', singular: 'image', namespaced: false };

function attrs(operation: AdmissionAttributes['operation'], namespace: string, resource = STREAMS): AdmissionAttributes {
  return { operation, resource, subresource: '', name: 'web', namespace, ctx: { user: { username: 'u', groups: [] }, namespace, dryRun: false } };
}

function plugin(host: InMemoryHostCluster): NamespaceLifecycle {
  return new NamespaceLifecycle({ namespaces: host.namespaces(), lookup: (n) => host.getNamespace(n), missingNamespaceWaitMs: 0 });
}

describe('namespace lifecycle admission', () => {
  it('refuses creates in missing (404) and terminating (403) namespaces and admits the rest', async () => {
    const host = new InMemoryHostCluster();
    host.setNamespace('active', 'Active');
    host.setNamespace('going', 'Terminating');
    const p = plugin(host);
    await p.admit(attrs('CREATE', 'active'));
    await assert.rejects(p.admit(attrs('CREATE', 'missing')), (e: unknown) => e instanceof StatusError && e.code === 404 && e.message === 'namespaces "missing" not found');
    await assert.rejects(p.admit(attrs('CREATE', 'going')), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 403);
      assert.equal(e.message, 'imagestreams.image.openshift.io "web" is forbidden: unable to create new content in namespace going because it is being terminated');
      assert.deepEqual(e.status.details?.causes, [{ reason: 'NamespaceTerminating', message: 'namespace going is being terminated', field: 'metadata.namespace' }]);
      return true;
    });
    await p.admit(attrs('UPDATE', 'going'));
    await p.admit(attrs('DELETE', 'missing'));
    await assert.rejects(p.admit(attrs('UPDATE', 'missing')), (e: unknown) => e instanceof StatusError && e.code === 404);
    await p.admit(attrs('CREATE', '', IMAGES));
  });

  it('in local mode every namespace exists', async () => {
    const p = plugin(new InMemoryHostCluster({ everyNamespaceExists: true }));
    await p.admit(attrs('CREATE', `ns-${Date.now()}`));
  });

  it('refuses while the namespace cache has not synced', async () => {
    const p = new NamespaceLifecycle({
      namespaces: { get: () => undefined, hasSynced: () => false, waitForSync: async () => false, stop: () => undefined },
      lookup: async () => undefined,
      syncTimeoutMs: 1,
    });
    await assert.rejects(p.admit(attrs('CREATE', 'x')), (e: unknown) => e instanceof StatusError && e.code === 403 && /not yet ready to handle request/.test(e.message));
  });
});
