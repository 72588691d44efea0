// One local-mode server per directory: the PID file is claimed once, taken over from processes
// that are gone or are not local-mode servers, and released on stop.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, describe, it } from '@jest/globals';
import { LocalDirInUseError, lockLocalDir } from '../../../src/app/local.js';

describe('the local directory lock', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'local-lock-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is held by one process; the release removes the file', () => {
    const dir = fresh();
    const release = lockLocalDir(dir);
    assert.equal(readFileSync(join(dir, 'image-apiserver.pid'), 'utf8'), `${process.pid}\n`);
    release();
    assert.equal(existsSync(join(dir, 'image-apiserver.pid')), false);
  });

  it('refuses a second claim while a local-mode server holds it, naming its PID', async () => {
    const dir = fresh();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', '--', '--local'], { stdio: 'ignore' });
    try {
      await new Promise((r) => holder.once('spawn', r));
      writeFileSync(join(dir, 'image-apiserver.pid'), `${holder.pid}\n`);
      assert.throws(() => lockLocalDir(dir), (err: unknown) => err instanceof LocalDirInUseError && err.pid === holder.pid && err.message.includes(`(PID ${holder.pid})`));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a file left by a process that is gone, or whose PID now belongs to something else', async () => {
    const dir = fresh();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    for (const stale of [gone.pid, process.ppid, 'garbage']) {
      writeFileSync(join(dir, 'image-apiserver.pid'), `${stale}\n`);
      const release = lockLocalDir(dir);
      assert.equal(readFileSync(join(dir, 'image-apiserver.pid'), 'utf8'), `${process.pid}\n`, String(stale));
      release();
    }
  });
});
