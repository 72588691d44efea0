import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Module boundaries from ARCHITECTURE.md: the generic layer knows nothing of images or wiring, and
// each third-party client has exactly one home.
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', '.tools/**', 'charts/**', 'deploy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/apiserver/**/*.ts'],
    rules: restrict([
      { group: ['**/image/**', '**/app/**'], message: 'apiserver/ must not import image/ or app/' },
    ]),
  },
  {
    files: ['src/image/**/*.ts'],
    rules: restrict([
      { group: ['etcd3', 'express', '@kubernetes/client-node', '**/app/**'], message: 'image/ talks to storage and the host cluster only through apiserver/' },
      { group: ['**/apiserver/storage/etcd3/**'], message: 'use the Storage interface' },
    ]),
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/apiserver/storage/etcd3/**'],
    rules: restrict([{ group: ['etcd3'], message: 'only apiserver/storage/etcd3 imports etcd3' }]),
  },
);
