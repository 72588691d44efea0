// The server started as `make run` starts it (local mode, its own etcd), driven by a real kubectl
// over TLS with the token from the generated kubeconfig.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { Kubectl } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';

describe('kubectl against a local-mode server', () => {
  let dir: string;
  let server: ServerProcess;
  let kubectl: Kubectl;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-kubectl-'));
    const port = await freePort();
    server = await startServerProcess(['--local', `--local-dir=${dir}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn', '--image-import-controller=false']);
    kubectl = new Kubectl(join(dir, 'kubeconfig'));
  });

  after(async () => {
    const code = await server?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, 'Ctrl-C stops the server cleanly');
  });

  it('prints the command to try, and that command works on an empty server', () => {
    assert.match(server.output(), /kubectl --kubeconfig \S+kubeconfig get imagestreams/);
    const r = kubectl.run(['get', 'imagestreams']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /No resources found in default namespace/);
  });

  it('apply -f creates a stream, get is prints the table, apply again updates it', () => {
    const manifest = (tag: string): string => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ruby
  labels:
    app: ruby
spec:
  lookupPolicy:
    local: false
  tags:
  - name: "${tag}"
    from:
      kind: DockerImage
      name: quay.io/example/ruby:${tag}
`;
    const file = join(dir, 'is.yaml');
    writeFileSync(file, manifest('3.1'));
    assert.match(kubectl.ok(['apply', '-f', file]), /imagestream.image.openshift.io\/ruby created/);

    const table = kubectl.ok(['get', 'is']);
    const lines = table.trim().split('\n');
    assert.match(lines[0], /^NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\s*$/);
    assert.match(lines[1], /^ruby(\s|$)/);

    writeFileSync(file, manifest('3.2'));
    assert.match(kubectl.ok(['apply', '-f', file]), /imagestream.image.openshift.io\/ruby configured/);
    const yaml = kubectl.ok(['get', 'is', 'ruby', '-o', 'yaml']);
    assert.match(yaml, /kind: ImageStream/);
    assert.match(yaml, /name: quay.io\/example\/ruby:3.2/);
    assert.equal(kubectl.ok(['get', 'is', 'ruby', '-o', 'jsonpath={.metadata.generation}']), '2', 'the spec change bumped the generation once');
  });

  it('get is -w sees a change made meanwhile', async () => {
    const watch = kubectl.start(['get', 'is', '-w', '--output-watch-events']);
    try {
      await watch.waitFor(/ADDED\s+ruby/);
      kubectl.ok(['label', 'is', 'ruby', 'tier=backend']);
      await watch.waitFor(/MODIFIED\s+ruby/);
    } finally {
      await watch.stop();
    }
  });

  it('get -A --show-labels shows the namespace and labels from the row metadata', () => {
    const out = kubectl.ok(['get', 'is', '-A', '--show-labels']);
    assert.match(out, /^NAMESPACE\s+NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\s+LABELS/m);
    assert.match(out, /default\s+ruby\s.*app=ruby,tier=backend/);
  });

  it('delete removes the stream and get then says NotFound', () => {
    assert.match(kubectl.ok(['delete', 'is', 'ruby']), /imagestream.image.openshift.io "ruby" deleted/);
    const r = kubectl.run(['get', 'is', 'ruby']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(NotFound\): imagestreams.image.openshift.io "ruby" not found/);
  });
});
