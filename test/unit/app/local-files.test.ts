// Local mode's files: private whatever the umask, and a token file others could write is refused.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { loadOrCreateServingBundle, loadOrCreateToken, localFiles, prepareLocalDirs, writeKubeconfig } from '../../../src/app/local.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('local mode files', () => {
  const root = mkdtempSync(join(tmpdir(), 'local-files-'));
  let umask = 0;
  before(() => {
    umask = process.umask(0);
  });
  after(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('directories are 0700, secrets 0600 and certificates 0644 under umask 000', () => {
    const files = localFiles(join(root, 'a', 'local'), '', '');
    prepareLocalDirs(files);
    loadOrCreateServingBundle(files.certDir);
    loadOrCreateToken(files.dir);
    writeKubeconfig(files.kubeconfigPath, 'https://127.0.0.1:1', 'ca', 'token');
    for (const dir of [files.dir, files.etcdDataDir, files.certDir]) assert.equal(modeOf(dir).toString(8), '700', dir);
    for (const f of ['ca.key', 'serving.key']) assert.equal(modeOf(join(files.certDir, f)).toString(8), '600', f);
    for (const f of ['ca.crt', 'serving.crt']) assert.equal(modeOf(join(files.certDir, f)).toString(8), '644', f);
    assert.equal(modeOf(join(files.dir, 'admin-token')).toString(8), '600');
    assert.equal(modeOf(files.kubeconfigPath).toString(8), '600');
  });

  it('an existing directory or kubeconfig that is too open is made private', () => {
    const files = localFiles(join(root, 'b'), '', '');
    prepareLocalDirs(files);
    chmodSync(files.dir, 0o777);
    writeFileSync(files.kubeconfigPath, 'old', { mode: 0o666 });
    prepareLocalDirs(files);
    writeKubeconfig(files.kubeconfigPath, 'https://127.0.0.1:1', 'ca', 'token');
    assert.equal(modeOf(files.dir).toString(8), '700');
    assert.equal(modeOf(files.kubeconfigPath).toString(8), '600');
  });

  it('a token file that group or others can write is refused, not reused', () => {
    const dir = join(root, 'c');
    const token = loadOrCreateToken(dir);
    assert.equal(loadOrCreateToken(dir), token);
    chmodSync(join(dir, 'admin-token'), 0o666);
    assert.throws(() => loadOrCreateToken(dir), /refusing to use .*admin-token \(mode 0666\): others could have replaced it/);
  });
});
