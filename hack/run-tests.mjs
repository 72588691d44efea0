#!/usr/bin/env node
// Runs the Jest suite (ESM mode) over every *.test.ts under test/, or over the paths given.
// Usage: node hack/run-tests.mjs [dir-or-file ...] [-- extra jest flags]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const jest = createRequire(import.meta.url).resolve('jest/package.json').replace(/package\.json$/, 'bin/jest.js');
const args = process.argv.slice(2);
const res = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...args], { stdio: 'inherit' });
process.exit(res.status ?? 1);
