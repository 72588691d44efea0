// Reads the shared reference material (recorded responses, fixtures) that sits beside the repo.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = process.env.IMAGE_APISERVER_SHARED_DIR ?? join(repoRoot, '..', 'shared');

export function readReference(path: string): string {
  return readFileSync(join(SHARED_DIR, 'reference', path), 'utf8');
}

export function recorded<T = unknown>(name: string): T {
  return JSON.parse(readReference(`recorded/${name}`)) as T;
}
