// The cluster's admin, edit and view roles must grant the image.openshift.io resources exactly as
// OpenShift's admin, edit and view do.
//
// Source: openshift/openshift-apiserver, pkg/bootstrappolicy/policy.go (GetBootstrapClusterRoles), last
// changed in commit 5f66eeed29972d57ae004ef86eea3460315c71c5, read at HEAD 56aa2d96edd725e44ddd7ff13f23e53e6c509828
// (2026-02-18); cross-checked against the rendered roles in test/testdata/bootstrappolicy/bootstrap_cluster_roles.yaml
// of the same commit. Below are the image-group rules of every OpenShift cluster role that carries an
// `rbac.authorization.k8s.io/aggregate-to-{admin,edit,view}` label; OpenShift's admin/edit/view are the
// Kubernetes ones, which aggregate by those labels.
//
// How Kubernetes chains them (vendor/k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
// in the same tree): `admin` aggregates aggregate-to-admin; `edit` aggregates aggregate-to-edit and is itself
// labelled aggregate-to-admin; `view` aggregates aggregate-to-view and is labelled aggregate-to-edit.
// So admin ⊇ edit ⊇ view.
//
// OpenShift lists every image rule for the groups "image.openshift.io" and "" (its legacy /oapi API). This
// server serves only image.openshift.io, so only that group is compared (the chart does not grant "").
import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { render, type ClusterRole, type PolicyRule } from './helm.js';

const IMAGE_GROUP = 'image.openshift.io';
const LEGACY_GROUP = '';
const OPENSHIFT_IMAGE_GROUPS = [IMAGE_GROUP, LEGACY_GROUP];
const READ = ['get', 'list', 'watch'];
const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

type DefaultRole = 'admin' | 'edit' | 'view';

interface OpenShiftRole {
  name: string;
  aggregateTo: DefaultRole[];
  /** Only the rules on the image group; the roles' other rules are left out. */
  imageRules: PolicyRule[];
}

function rule(verbs: string[], resources: string[]): PolicyRule {
  return { apiGroups: OPENSHIFT_IMAGE_GROUPS, resources, verbs };
}

const OPENSHIFT_AGGREGATED_ROLES: OpenShiftRole[] = [
  {
    name: 'system:openshift:aggregate-to-admin',
    aggregateTo: ['admin'],
    imageRules: [
      rule(READ_WRITE, ['imagestreams', 'imagestreammappings', 'imagestreamtags', 'imagetags', 'imagestreamimages', 'imagestreams/secrets']),
      rule(READ, ['imagestreams/status']),
      // push and pull images
      rule(['get', 'update'], ['imagestreams/layers']),
      rule(['create'], ['imagestreamimports']),
    ],
  },
  {
    name: 'system:openshift:aggregate-to-edit',
    aggregateTo: ['edit'],
    imageRules: [
      rule(READ_WRITE, ['imagestreams', 'imagestreammappings', 'imagestreamtags', 'imagetags', 'imagestreamimages', 'imagestreams/secrets']),
      rule(READ, ['imagestreams/status']),
      rule(['get', 'update'], ['imagestreams/layers']),
      rule(['create'], ['imagestreamimports']),
    ],
  },
  {
    name: 'system:openshift:aggregate-to-view',
    aggregateTo: ['view'],
    imageRules: [
      rule(READ, ['imagestreams', 'imagestreammappings', 'imagestreamtags', 'imagetags', 'imagestreamimages']),
      rule(READ, ['imagestreams/status']),
      // ("TODO let them pull images?" -- the get imagestreams/layers rule is commented out here, but
      // registry-viewer below grants it to view anyway.)
    ],
  },
  {
    name: 'system:image-builder',
    aggregateTo: ['admin', 'edit'],
    imageRules: [
      rule(['get', 'update'], ['imagestreams/layers']),
      // allow auto-provisioning when pushing an image that doesn't have an imagestream yet
      rule(['create'], ['imagestreams']),
    ],
  },
  {
    name: 'registry-admin',
    aggregateTo: ['admin'],
    imageRules: [
      rule(READ_WRITE, ['imagestreamimages', 'imagestreammappings', 'imagestreams', 'imagestreams/secrets', 'imagestreamtags', 'imagetags']),
      rule(['create'], ['imagestreamimports']),
      rule(['get', 'update'], ['imagestreams/layers']),
    ],
  },
  {
    name: 'registry-editor',
    aggregateTo: ['edit'],
    imageRules: [
      rule(READ_WRITE, ['imagestreamimages', 'imagestreammappings', 'imagestreams', 'imagestreams/secrets', 'imagestreamtags', 'imagetags']),
      rule(['create'], ['imagestreamimports']),
      rule(['get', 'update'], ['imagestreams/layers']),
    ],
  },
  {
    name: 'registry-viewer',
    aggregateTo: ['view'],
    imageRules: [
      rule(READ, ['imagestreamimages', 'imagestreammappings', 'imagestreams', 'imagestreamtags', 'imagetags']),
      rule(['get'], ['imagestreams/layers']),
    ],
  },
];

/** OpenShift's image-only roles without aggregation labels (same source), which the chart also ships. */
const OPENSHIFT_IMAGE_ROLES: Record<string, PolicyRule[]> = {
  'system:image-puller': [rule(['get'], ['imagestreams/layers'])],
  'system:image-pusher': [rule(['get', 'update'], ['imagestreams/layers'])],
  'system:image-signer': [rule(['get'], ['images', 'imagestreams/layers']), rule(['create', 'delete'], ['imagesignatures'])],
  'system:image-auditor': [rule(['get', 'list', 'watch', 'patch', 'update'], ['images'])],
};

/** "resource verb" pairs granted on the image group. */
function permissions(rules: PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    if (!(r.apiGroups ?? []).includes(IMAGE_GROUP)) continue;
    for (const resource of r.resources ?? []) for (const verb of r.verbs) out.add(`${resource} ${verb}`);
  }
  return out;
}

function union(...sets: Set<string>[]): Set<string> {
  return new Set(sets.flatMap((s) => [...s]));
}

function sorted(s: Set<string>): string[] {
  return [...s].sort();
}

/** Kubernetes' aggregation: admin ⊇ edit ⊇ view, each adding the roles labelled for it. */
function effective(labelled: (role: DefaultRole) => PolicyRule[]): Record<DefaultRole, Set<string>> {
  const view = permissions(labelled('view'));
  const edit = union(permissions(labelled('edit')), view);
  const admin = union(permissions(labelled('admin')), edit);
  return { admin, edit, view };
}

const OPENSHIFT = effective((role) => OPENSHIFT_AGGREGATED_ROLES.filter((r) => r.aggregateTo.includes(role)).flatMap((r) => r.imageRules));

describe('aggregated ClusterRoles for the image group', () => {
  const rendered = render();
  const roles = rendered.all<ClusterRole>('ClusterRole');
  const labelled = (role: DefaultRole): ClusterRole[] =>
    roles.filter((r) => r.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${role}`] === 'true');
  const CHART = effective((role) => labelled(role).flatMap((r) => r.rules));

  for (const role of ['admin', 'edit', 'view'] as const) {
    it(`${role} grants exactly what OpenShift's ${role} grants on image.openshift.io`, () => {
      assert.ok(labelled(role).length > 0, `a ClusterRole labelled aggregate-to-${role}`);
      assert.deepEqual(sorted(CHART[role]), sorted(OPENSHIFT[role]));
    });
  }

  it('grants nothing outside the image group, by name, or on non-resource URLs', () => {
    for (const r of roles.filter((x) => Object.keys(x.metadata.labels ?? {}).some((k) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-')))) {
      for (const p of r.rules) {
        assert.deepEqual(p.apiGroups, [IMAGE_GROUP], r.metadata.name);
        assert.equal(p.resourceNames, undefined, r.metadata.name);
        assert.equal(p.nonResourceURLs, undefined, r.metadata.name);
        assert.ok(!(p.resources ?? []).includes('*') && !p.verbs.includes('*'), `${r.metadata.name}: no wildcards`);
      }
    }
  });

  it('spells out the rules that matter for mappings, imports, signatures and pulls', () => {
    const can = (role: DefaultRole, resource: string, verb: string): boolean => CHART[role].has(`${resource} ${verb}`);
    // Image streams and their tags.
    for (const role of ['admin', 'edit'] as const) {
      assert.ok(can(role, 'imagestreams', 'create') && can(role, 'imagestreamtags', 'delete') && can(role, 'imagetags', 'update'));
      assert.ok(can(role, 'imagestreammappings', 'create'), `${role} may create mappings`);
      assert.ok(can(role, 'imagestreamimports', 'create'), `${role} may import`);
      assert.ok(can(role, 'imagestreams/layers', 'update') && can(role, 'imagestreams/secrets', 'list'));
      assert.ok(!can(role, 'imagestreams/status', 'update'), 'status is the system\'s');
    }
    assert.ok(can('view', 'imagestreams', 'list') && can('view', 'imagestreamtags', 'get') && can('view', 'imagestreams/layers', 'get'));
    assert.ok(!can('view', 'imagestreamimports', 'create') && !can('view', 'imagestreammappings', 'create'));
    assert.ok(!can('view', 'imagestreams/secrets', 'get'), 'view does not see pull secrets');
    // Cluster-scoped images and signatures are for cluster roles, never for namespace roles.
    for (const role of ['admin', 'edit', 'view'] as const) {
      for (const resource of ['images', 'imagesignatures']) {
        assert.ok(![...CHART[role]].some((p) => p.startsWith(`${resource} `)), `${role} grants nothing on ${resource}`);
      }
    }
  });

  it('ships OpenShift\'s image-only roles, without aggregation labels', () => {
    for (const [name, expected] of Object.entries(OPENSHIFT_IMAGE_ROLES)) {
      const role = rendered.one<ClusterRole>('ClusterRole', name);
      assert.deepEqual(sorted(permissions(role.rules)), sorted(permissions(expected)), name);
      assert.ok(!Object.keys(role.metadata.labels ?? {}).some((k) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-')), name);
    }
    // Only the signer may create signatures.
    assert.ok(permissions(rendered.one<ClusterRole>('ClusterRole', 'system:image-signer').rules).has('imagesignatures create'));
  });

  it('can be turned off', () => {
    const off = render({ rbac: { aggregateToDefaultRoles: false, openshiftImageRoles: false } });
    const names = off.all<ClusterRole>('ClusterRole').map((r) => r.metadata.name);
    assert.equal(names.some((n) => n.includes('aggregate-to-') || n.startsWith('system:image-')), false, names.join(', '));
  });
});
