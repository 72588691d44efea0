// deploy/image-apiserver.yaml is the chart rendered with its defaults (and tls.mode=certManager, so that
// the render is deterministic); hack/verify-deploy.sh fails when the chart changed without re-rendering.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, describe, it } from '@jest/globals';
import { CHART_DIR, ensureHelm, parseObjects, REPO_ROOT, type APIService, type Secret } from './helm.js';

const DEPLOY_FILE = join(REPO_ROOT, 'deploy', 'image-apiserver.yaml');

function verify(env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  ensureHelm();
  const res = spawnSync('bash', [join(REPO_ROOT, 'hack', 'verify-deploy.sh')], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

describe('deploy/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is current with the chart (hack/verify-deploy.sh)', () => {
    const res = verify();
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /is up to date/);
  });

  it('fails the check when the chart changes without re-rendering', () => {
    const chart = join(scratch, 'image-apiserver');
    cpSync(CHART_DIR, chart, { recursive: true });
    const values = join(chart, 'values.yaml');
    const before = readFileSync(values, 'utf8');
    const changed = before.replace(/^replicaCount: 2$/m, 'replicaCount: 3');
    assert.notEqual(changed, before);
    writeFileSync(values, changed);
    const res = verify({ CHART_DIR: chart });
    assert.equal(res.status, 1, res.stdout + res.stderr);
    assert.match(res.stderr, /out of date with the chart: run bash hack\/render-deploy.sh/);
    assert.match(res.stdout, /^- {2}replicas: 2$/m);
    assert.match(res.stdout, /^\+ {2}replicas: 3$/m);
  });

  it('fails the check when the rendered file was edited by hand', () => {
    const edited = join(scratch, 'edited.yaml');
    writeFileSync(edited, readFileSync(DEPLOY_FILE, 'utf8').replace('groupPriorityMinimum: 9900', 'groupPriorityMinimum: 100'));
    const res = verify({ DEPLOY_FILE: edited });
    assert.equal(res.status, 1, res.stdout + res.stderr);
  });

  it('holds a namespace and the chart objects, with certificates from cert-manager and no key material', () => {
    const objects = parseObjects(readFileSync(DEPLOY_FILE, 'utf8'));
    assert.equal(objects[0].kind, 'Namespace');
    const ns = objects[0].metadata.name;
    assert.equal(ns, 'image-apiserver');
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['Deployment', 'Service', 'APIService', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding',
      'PodDisruptionBudget', 'StatefulSet', 'Certificate', 'Issuer']) {
      assert.ok(kinds.has(kind), kind);
    }
    const api = objects.find((o): o is APIService => o.kind === 'APIService');
    assert.equal(api?.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${ns}/image-apiserver-serving-cert`);
    assert.equal(objects.filter((o): o is Secret => o.kind === 'Secret').length, 0, 'no private keys in deploy/');
    for (const o of objects) {
      if (o.metadata.namespace !== undefined && o.kind !== 'RoleBinding') assert.equal(o.metadata.namespace, ns, `${o.kind}/${o.metadata.name}`);
    }
  });
});
