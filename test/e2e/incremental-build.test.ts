// `make run` builds with tsconfig.build.json each time: a second build with nothing changed must
// not compile and write everything again.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll as after, describe, it } from '@jest/globals';

describe('the build make run uses', () => {
  const out = mkdtempSync(join(tmpdir(), 'build-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  const build = (): void => {
    const r = spawnSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out, '--tsBuildInfoFile', join(out, '.tsbuildinfo')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  };

  it('is the one in the Makefile', () => {
    assert.match(readFileSync('Makefile', 'utf8'), /^build: deps\n\tnpx tsc -p tsconfig.build.json$/m);
  });

  it('writes nothing the second time when no source changed', () => {
    build();
    const main = join(out, 'src', 'main.js');
    const first = statSync(main).mtimeMs;
    build();
    assert.equal(statSync(main).mtimeMs, first);
  }, 120_000);
});
