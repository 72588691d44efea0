import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Module boundaries from ARCHITECTURE.md: the generic layer knows nothing of images or wiring, and
// each third-party client has exactly one home.
const clientHomes = {
  etcd3: 'src/apiserver/storage/etcd3/**',
  '@kubernetes/client-node': 'src/apiserver/hostcluster/**',
  'prom-client': 'src/apiserver/metrics/**',
};

function boundaries(files, patterns, except = []) {
  const paths = Object.keys(clientHomes)
    .filter((name) => !except.includes(name))
    .map((name) => ({ name, message: `only ${clientHomes[name]} imports ${name}` }));
  return { files, rules: { 'no-restricted-imports': ['error', { patterns, paths }] } };
}

const notImage = { group: ['**/image/**', '**/app/**'], message: 'apiserver/ must not import image/ or app/' };
const notApp = { group: ['**/app/**', '**/apiserver/storage/etcd3/**'], message: 'image/ uses apiserver/ interfaces, never app/ or the etcd3 store' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', '.tools/**', 'charts/**', 'deploy/**', 'hack/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  boundaries(['src/apiserver/**/*.ts'], [notImage]),
  boundaries(['src/apiserver/storage/etcd3/**/*.ts'], [notImage], ['etcd3']),
  boundaries(['src/apiserver/hostcluster/**/*.ts'], [notImage], ['@kubernetes/client-node']),
  boundaries(['src/apiserver/metrics/**/*.ts'], [notImage], ['prom-client']),
  boundaries(['src/image/**/*.ts'], [notApp]),
  boundaries(['src/app/**/*.ts', 'src/main.ts'], []),
);
