// The Dockerfile cannot be built here (no container engine); these checks keep it consistent with the
// package (entry point, Node version) and with the chart (non-root numeric user).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { REPO_ROOT } from './helm.js';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('builds in stages on node:22-slim', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const f of froms) assert.match(f, /^FROM node:22-slim\b/);
  });

  it('compiles with npm ci and tsc, and installs only production dependencies in the runtime image', () => {
    assert.ok(instructions.some((l) => /^RUN npm ci\b/.test(l) && !l.includes('--omit=dev')), 'npm ci for the build');
    assert.ok(instructions.some((l) => l === 'RUN npx tsc -p tsconfig.build.json'), 'tsc build');
    assert.ok(instructions.some((l) => /^RUN npm ci .*--omit=dev/.test(l)), 'npm ci --omit=dev');
    const runtime = instructions.slice(instructions.map((l) => l.startsWith('FROM ')).lastIndexOf(true));
    assert.ok(!runtime.some((l) => l.startsWith('COPY src') || l.startsWith('COPY . ')), 'no sources in the runtime stage');
    assert.ok(runtime.some((l) => /^COPY --from=\S+ \/app\/dist \.\/dist$/.test(l)), 'the build output');
  });

  it('runs dist/src/main.js (the package bin) as a numeric non-root user', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    assert.match(user ?? '', /^USER [1-9][0-9]*(:[0-9]+)?$/);
    const entry = instructions.filter((l) => l.startsWith('ENTRYPOINT ')).at(-1);
    assert.deepEqual(JSON.parse(entry?.slice('ENTRYPOINT '.length) ?? '[]'), ['node', pkg.bin['image-apiserver']]);
    assert.equal(pkg.bin['image-apiserver'], 'dist/src/main.js');
  });

  it('has a .dockerignore that keeps dependencies and build output out of the context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '.tools']) assert.ok(ignored.includes(p), p);
    for (const p of ['src', 'api-schemas', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) assert.ok(!ignored.includes(p), p);
  });
});
