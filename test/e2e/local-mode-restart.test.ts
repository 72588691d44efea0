// `make run` twice: Ctrl-C stops the server and its etcd; the second run keeps the data, the
// certificates and the token, so the printed kubectl command keeps working.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, describe, it } from '@jest/globals';
import { Kubectl } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';
import { processesMentioning, startServerProcess } from '../support/process.js';

describe('local mode across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-restart-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps objects, certificates and the admin token, and leaves no etcd running', async () => {
    const port = await freePort();
    const args = ['--local', `--local-dir=${dir}`, `--secure-port=${port}`, '--log-level=warn'];
    const first = await startServerProcess(args);
    const kubectl = new Kubectl(join(dir, 'kubeconfig'));
    const file = join(dir, 'is.yaml');
    writeFileSync(file, 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: kept\n');
    kubectl.ok(['create', '--validate=false', '-f', file]);
    const kubeconfigBefore = readFileSync(join(dir, 'kubeconfig'), 'utf8');
    assert.ok(processesMentioning(join(dir, 'etcd', 'data')).length > 0, 'local mode runs its own etcd');
    assert.equal(await first.stop('SIGINT'), 0);
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), [], 'no etcd process is left behind');
    assert.equal(existsSync(join(dir, 'image-apiserver.pid')), false, 'the claim on the directory is released');

    const second = await startServerProcess(args);
    try {
      assert.equal(readFileSync(join(dir, 'kubeconfig'), 'utf8'), kubeconfigBefore, 'same CA, address and token');
      const out = kubectl.ok(['get', 'is', 'kept', '-o', 'jsonpath={.metadata.name}']);
      assert.equal(out, 'kept');
    } finally {
      assert.equal(await second.stop('SIGTERM'), 0);
    }
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), [], 'no etcd process is left behind');
  });
});
