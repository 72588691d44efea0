// The chart and the server agree: every argument the chart renders is a flag the server accepts,
// with a value of the right type, for every supported value set.

import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { parseOptions } from '../../src/app/options.js';
import { container, FULLNAME, render, type Deployment, type Values } from './helm.js';
import { BUNDLED_ETCD, CERT_MANAGER, CERT_MANAGER_ISSUER, EVERYTHING_ON, EXTERNAL_ETCD_TLS } from './value-sets.js';

const SETS: [string, Values][] = [
  ['defaults', {}],
  ['external etcd with TLS', EXTERNAL_ETCD_TLS],
  ['bundled etcd', BUNDLED_ETCD],
  ['cert-manager', CERT_MANAGER],
  ['cert-manager with an issuer', CERT_MANAGER_ISSUER],
  ['everything on', EVERYTHING_ON],
];

// Files the pod mounts (certificates, the audit policy) do not exist where the tests run.
const MISSING_FILE = / does not exist$/;

describe('server flags rendered by the chart', () => {
  for (const [name, values] of SETS) {
    it(`are all accepted by the server (${name})`, () => {
      const deploy = render(values).one<Deployment>('Deployment', FULLNAME);
      const args = container(deploy.spec.template, 'apiserver').args ?? [];
      assert.ok(args.length > 0);
      const parsed = parseOptions(args);
      const errors = parsed.ok ? [] : parsed.errors.filter((e) => !MISSING_FILE.test(e));
      assert.deepEqual(errors, [], `rendered args: ${args.join(' ')}`);
    });
  }
});
