import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { createEtcd3Storage } from '../../../src/apiserver/storage/etcd3/index.js';
import { StorageError } from '../../../src/apiserver/storage/interfaces.js';
import { startTLSEtcd, type TLSEtcdHandle } from '../../support/etcd-tls.js';
import { obj } from './harness.js';

let etcd: TLSEtcdHandle;
before(async () => {
  etcd = await startTLSEtcd();
});
after(async () => {
  await etcd.destroy();
});

describe('TLS', () => {
  it('when a CA and client certificate are given, the storage talks to an etcd that requires them', async () => {
    const s = createEtcd3Storage({
      endpoints: [etcd.endpoint],
      prefix: '/tls',
      tls: { ca: etcd.ca, cert: etcd.clientCert, key: etcd.clientKey },
    });
    try {
      const created = await s.create('imagestreams/ns/a', obj('ns', 'a'));
      assert.deepEqual(await s.get('imagestreams/ns/a'), created);
      await s.healthCheck();
    } finally {
      await s.close();
    }
  });

  it('when no client certificate is given, calls fail quickly instead of hanging', async () => {
    const s = createEtcd3Storage({ endpoints: [etcd.endpoint], prefix: '/tls', tls: { ca: etcd.ca }, requestTimeoutMs: 2_000 });
    try {
      const start = Date.now();
      await assert.rejects(s.get('imagestreams/ns/a'), StorageError);
      assert.ok(Date.now() - start < 3_500);
    } finally {
      await s.close();
    }
  });
});
