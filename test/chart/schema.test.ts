// values.schema.json: helm refuses invalid values before rendering anything (template and lint alike).
import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { helmLint, helmTemplateRaw, type Values } from './helm.js';

const SCHEMA_ERROR = /values don't meet the specifications of the schema/;

const invalid: [string, Values, RegExp][] = [
  ['an unknown etcd mode', { etcd: { mode: 'embedded' } }, /etcd\.mode/],
  ['external etcd without endpoints', { etcd: { mode: 'external' } }, /etcd\.external\.endpoints/],
  ['external etcd endpoints that are not URLs', { etcd: { mode: 'external', external: { endpoints: ['etcd:2379'] } } }, /etcd\.external\.endpoints/],
  [
    'external etcd with TLS but no secret',
    { etcd: { mode: 'external', external: { endpoints: ['https://etcd:2379'], tls: { enabled: true } } } },
    /etcd\.external\.tls\.secretName/,
  ],
  ['an even number of bundled etcd members', { etcd: { bundled: { replicas: 2 } } }, /etcd\.bundled\.replicas/],
  ['an unknown TLS mode', { tls: { mode: 'selfSigned' } }, /tls\.mode/],
  ['a provided certificate without its CA', { tls: { mode: 'provided', provided: { existingSecret: 'cert' } } }, /tls\.provided/],
  ['a provided CA without a certificate', { tls: { mode: 'provided', provided: { caBundle: '-----BEGIN CERTIFICATE-----\nx\n' } } }, /tls\.provided/],
  ['a cert-manager issuer of an unknown kind', { tls: { mode: 'certManager', certManager: { issuerRef: { name: 'x', kind: 'Vault' } } } }, /issuerRef\.kind/],
  ['groupPriorityMinimum above 20000', { apiService: { groupPriorityMinimum: 30000 } }, /apiService\.groupPriorityMinimum/],
  ['versionPriority 0', { apiService: { versionPriority: 0 } }, /apiService\.versionPriority/],
  ['zero replicas', { replicaCount: 0 }, /replicaCount/],
  ['a misspelt top-level key', { replicas: 3 }, /replicas/],
  ['a misspelt nested key', { server: { securePort: 8443, logLevl: 'debug' } }, /logLevl/],
  ['an unknown anti-affinity mode', { podAntiAffinity: 'sometimes' }, /podAntiAffinity/],
  ['a request timeout without a unit', { server: { requestTimeout: '60' } }, /server\.requestTimeout/],
  ['a digest that is not sha256', { image: { digest: 'latest' } }, /image\.digest/],
];

describe('values.schema.json', () => {
  for (const [what, values, field] of invalid) {
    it(`rejects ${what}`, () => {
      const res = helmTemplateRaw(values);
      assert.notEqual(res.status, 0, `helm template accepted ${JSON.stringify(values)}`);
      assert.match(res.stderr, SCHEMA_ERROR);
      assert.match(res.stderr, field);
      assert.equal(res.stdout.includes('kind:'), false, 'nothing rendered');
    });
  }

  it('fails helm lint as well', () => {
    const res = helmLint({ etcd: { mode: 'external' } });
    assert.notEqual(res.status, 0);
    assert.match(res.stdout + res.stderr, SCHEMA_ERROR);
  });

  it('accepts the valid variants of the same keys', () => {
    const ok: Values[] = [
      { etcd: { mode: 'external', external: { endpoints: ['http://etcd:2379'], tls: { enabled: false } } } },
      { etcd: { bundled: { replicas: 5 } } },
      { tls: { mode: 'certManager', certManager: { issuerRef: { name: 'x', kind: 'ClusterIssuer' } } } },
      { apiService: { groupPriorityMinimum: 20000, versionPriority: 1000 } },
      { server: { requestTimeout: '1m30s' }, image: { digest: `sha256:${'a'.repeat(64)}` } },
    ];
    for (const values of ok) {
      const res = helmTemplateRaw(values);
      assert.equal(res.status, 0, `${JSON.stringify(values)}: ${res.stderr}`);
    }
  });
});
