#!/usr/bin/env node
// Runs the Jest suite (ESM mode) over every *.test.ts under test/, or over the paths given, and
// ends with the plain line "N passed, N failed".
// Usage: node hack/run-tests.mjs [dir-or-file ...] [extra jest flags]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const jest = createRequire(import.meta.url).resolve('jest/package.json').replace(/package\.json$/, 'bin/jest.js');
const dir = mkdtempSync(join(tmpdir(), 'jest-summary-'));
const summary = join(dir, 'summary');
const res = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, JEST_SUMMARY_FILE: summary },
});
let line = '';
try {
  line = readFileSync(summary, 'utf8');
} catch {
  // Jest ended before running anything (bad flags, no tests): its own output says why.
}
rmSync(dir, { recursive: true, force: true });
if (line) process.stdout.write(`\n${line}`);
process.exit(res.status ?? 1);
