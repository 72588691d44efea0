// The real kubectl (fixed 1.32 release, over TLS) writing through every path it has: client-side
// apply (three-way strategic merge patch), server-side apply with two managers, patch, edit,
// label, annotate, dry runs, explain, deletion and waiting for it. No --validate=false anywhere:
// kubectl reads the server's OpenAPI v3 and leaves field validation to the server.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { Kubectl } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';

const stream = (tags: string[], extra = ''): string => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: web
  namespace: writes
spec:${extra}
  tags:
${tags.map((t) => `  - name: "${t}"\n    from:\n      kind: DockerImage\n      name: quay.io/example/web:${t}`).join('\n')}
`;

describe('kubectl writes against a local-mode server', () => {
  let dir: string;
  let server: ServerProcess;
  let kubectl: Kubectl;

  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const tags = (name = 'web'): string[] => kubectl.ok(['get', 'is', name, '-n', 'writes', '-o', 'jsonpath={.spec.tags[*].name}']).split(' ').filter(Boolean).sort();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-kubectl-writes-'));
    const port = await freePort();
    server = await startServerProcess(['--local', `--local-dir=${dir}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn', '--image-import-controller=false']);
    kubectl = new Kubectl(join(dir, 'kubeconfig'));
  });

  after(async () => {
    await server?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply -f twice: the three-way strategic merge patch removes the tag dropped from the file', () => {
    const f = file('web.yaml', stream(['1.0', '2.0']));
    assert.match(kubectl.ok(['apply', '-f', f]), /imagestream.image.openshift.io\/web created/);
    assert.deepEqual(tags(), ['1.0', '2.0']);
    writeFileSync(f, stream(['2.0', '3.0']));
    const r = kubectl.run(['apply', '-f', f, '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imagestream.image.openshift.io\/web configured/);
    assert.match(r.stderr, /PATCH https:\/\/\S+\/imagestreams\/web\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict 200/);
    assert.deepEqual(tags(), ['2.0', '3.0']);
  });

  it('validation happens on the server: an unknown field is refused with the strict decoding error', () => {
    const bad = file('bad.yaml', stream(['1.0'], '\n  notAField: true').replace('name: web', 'name: bad'));
    const r = kubectl.run(['create', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "spec.notAField"/);
    assert.doesNotMatch(r.stderr, /error validating data/);
  });

  it('patch defaults to a strategic merge patch that merges spec.tags by name', () => {
    kubectl.ok(['patch', 'is', 'web', '-n', 'writes', '-p', '{"spec":{"tags":[{"name":"2.0","from":{"kind":"DockerImage","name":"quay.io/example/web:2.0.1"}},{"name":"4.0","from":{"kind":"DockerImage","name":"quay.io/example/web:4.0"}}]}}']);
    assert.deepEqual(tags(), ['2.0', '3.0', '4.0']);
    const ref = kubectl.ok(['get', 'is', 'web', '-n', 'writes', '-o', 'jsonpath={.spec.tags[?(@.name=="2.0")].from.name}']);
    assert.equal(ref, 'quay.io/example/web:2.0.1');
  });

  it('apply --server-side by two managers: a conflict, then --force-conflicts takes the field', () => {
    const a = file('ssa-a.yaml', stream(['1.0']).replace('name: web', 'name: ssa'));
    assert.match(kubectl.ok(['apply', '--server-side', '--field-manager=team-a', '-f', a]), /imagestream.image.openshift.io\/ssa serverside-applied/);
    const b = file('ssa-b.yaml', stream(['1.0']).replace('name: web', 'name: ssa').replace('web:1.0', 'web:1.0-b'));
    const conflict = kubectl.run(['apply', '--server-side', '--field-manager=team-b', '-f', b]);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "team-a": \.spec\.tags\[name="1\.0"\]\.from/);
    assert.match(kubectl.ok(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', b]), /serverside-applied/);
    assert.equal(kubectl.ok(['get', 'is', 'ssa', '-n', 'writes', '-o', 'jsonpath={.spec.tags[0].from.name}']), 'quay.io/example/web:1.0-b');
    const managers = kubectl.ok(['get', 'is', 'ssa', '-n', 'writes', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}']);
    assert.match(managers, /team-b/);
  });

  it('apply --server-side after client-side apply migrates ownership and keeps working', () => {
    const f = file('web.yaml', stream(['3.0']));
    assert.match(kubectl.ok(['apply', '--server-side', '-f', f]), /serverside-applied/);
    assert.deepEqual(tags(), ['3.0', '4.0'], '4.0 came from kubectl patch, which the applier never owned');
  });

  it('a patch that sets only a defaulted value is "patched (no change)", and apply --server-side of it then agrees', () => {
    const f = file('zero.yaml', stream(['1.0']).replace('name: web', 'name: zero'));
    kubectl.ok(['create', '-f', f]);
    const patch = '{"spec":{"tags":[{"name":"1.0","importPolicy":{"scheduled":false}}]}}';
    assert.equal(kubectl.ok(['patch', 'is', 'zero', '-n', 'writes', '-p', patch]).trim(), 'imagestream.image.openshift.io/zero patched (no change)');
    writeFileSync(f, stream(['1.0']).replace('name: web', 'name: zero').replace('      name: quay.io/example/web:1.0', '      name: quay.io/example/web:1.0\n    importPolicy:\n      scheduled: false'));
    const r = kubectl.run(['apply', '--server-side', '-f', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /serverside-applied/);
  });

  it('removing the last annotation leaves no empty annotations map', () => {
    kubectl.ok(['annotate', 'is', 'zero', '-n', 'writes', 'note=x']);
    kubectl.ok(['annotate', 'is', 'zero', '-n', 'writes', 'note-']);
    const metadata = (JSON.parse(kubectl.ok(['get', 'is', 'zero', '-n', 'writes', '-o', 'json'])) as { metadata: Record<string, unknown> }).metadata;
    assert.equal('annotations' in metadata, false, JSON.stringify(metadata));
  });

  it('edit through KUBE_EDITOR', () => {
    const editor = file('editor.sh', '#!/bin/sh\nsed -i "s/local: false/local: true/" "$1"\n');
    chmodSync(editor, 0o755);
    const k = new Kubectl(join(dir, 'kubeconfig'), { KUBE_EDITOR: editor, EDITOR: editor });
    assert.match(k.ok(['edit', 'is', 'web', '-n', 'writes']), /imagestream.image.openshift.io\/web edited/);
    assert.equal(kubectl.ok(['get', 'is', 'web', '-n', 'writes', '-o', 'jsonpath={.spec.lookupPolicy.local}']), 'true');
  });

  it('label, annotate and get is --show-labels -A', () => {
    kubectl.ok(['label', 'is', 'web', '-n', 'writes', 'tier=frontend']);
    kubectl.ok(['annotate', 'is', 'web', '-n', 'writes', 'owner=team-a']);
    assert.equal(kubectl.ok(['get', 'is', 'web', '-n', 'writes', '-o', 'jsonpath={.metadata.annotations.owner}']), 'team-a');
    const out = kubectl.ok(['get', 'is', '--show-labels', '-A']);
    assert.match(out, /^NAMESPACE\s+NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\s+LABELS/m);
    assert.match(out, /^writes\s+web\s.*tier=frontend/m);
  });

  it('explain prints the field documentation from the OpenAPI v3 document', () => {
    const out = kubectl.ok(['explain', 'imagestreams.spec.tags']);
    assert.match(out, /KIND:\s+ImageStream/);
    assert.match(out, /FIELD: tags <\[\]TagReference>/);
    assert.match(out, /tags map arbitrary string values to specific image locators/);
    assert.match(out, /from\s+<ObjectReference>/);
  });

  it('create --dry-run=server validates and stores nothing', () => {
    const f = file('dry.yaml', stream(['1.0']).replace('name: web', 'name: dry'));
    assert.match(kubectl.ok(['create', '--dry-run=server', '-f', f]), /imagestream.image.openshift.io\/dry created \(server dry run\)/);
    const r = kubectl.run(['get', 'is', 'dry', '-n', 'writes']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound/);
  });

  it('create of a create-only kind validates too (kubectl falls back to /openapi/v2 in protobuf for it)', () => {
    assert.ok(kubectl.ok(['api-resources', '--api-group=image.openshift.io', '-o', 'name']).includes('imagestreammappings'));
    const digest = `sha256:${'0'.repeat(64)}`;
    const mapping = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamMapping', metadata: { name: 'nowhere', namespace: 'writes' }, tag: 'latest', image: { metadata: { name: digest }, dockerImageReference: `quay.io/x/y@${digest}` } };
    const r = kubectl.run(['create', '--dry-run=server', '-f', file('mapping.json', JSON.stringify(mapping))]);
    assert.doesNotMatch(r.stderr, /error validating|openapi/i, 'kubectl could read the OpenAPI documents');
  });

  it('delete --wait returns once the object is gone; wait --for=delete sees a deletion', async () => {
    assert.match(kubectl.ok(['delete', 'is', 'ssa', '-n', 'writes', '--wait']), /imagestream.image.openshift.io "ssa" deleted/);
    const waiter = kubectl.start(['wait', '--for=delete', 'is/web', '-n', 'writes', '--timeout=30s']);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      kubectl.ok(['delete', 'is', 'web', '-n', 'writes', '--wait=false']);
      await waiter.waitFor(/imagestream.image.openshift.io\/web condition met/);
    } finally {
      await waiter.stop();
    }
  });
});
