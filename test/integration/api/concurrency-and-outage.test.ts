import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Obj = { metadata: { resourceVersion?: string; labels?: Record<string, string> }; [k: string]: unknown };

describe('concurrent writers and etcd outages', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('10 concurrent clients each adding their own label with retry-on-conflict lose none', async () => {
    await t.client.post(nsPath('conc', 'imagestreams'), imageStream('shared'));
    const path = nsPath('conc', 'imagestreams', 'shared');
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const cur = (await t.client.get(path)).json<Obj>();
          const next = { ...cur, metadata: { ...cur.metadata, labels: { ...(cur.metadata.labels ?? {}), [`client-${i}`]: 'yes' } } };
          const r = await t.client.put(path, next);
          if (r.status === 200) return;
          assert.equal(r.status, 409, r.text);
          conflicts++;
        }
        assert.fail(`client ${i} never succeeded`);
      }),
    );
    const final = (await t.client.get(path)).json<Obj>();
    assert.equal(Object.keys(final.metadata.labels ?? {}).length, 10);
    assert.ok(conflicts > 0, 'the clients really raced');
  });

  it('etcd stopped answers 503 within seconds and /readyz fails; started again, the server recovers by itself', async () => {
    await t.client.post(nsPath('outage', 'imagestreams'), imageStream('before'));
    await t.etcd.stop();
    try {
      const started = Date.now();
      const r = await t.client.get(nsPath('outage', 'imagestreams', 'before'));
      const took = Date.now() - started;
      assert.ok(r.status === 503 || r.status === 504, `status ${r.status}: ${r.text}`);
      assert.equal(r.json().kind, 'Status');
      assert.ok(took < 10_000, `answered in ${took} ms`);
      const w = await t.client.post(nsPath('outage', 'imagestreams'), imageStream('during'));
      assert.ok(w.status === 503 || w.status === 504, `create during outage: ${w.status}`);
      const ready = await t.client.get('/readyz?verbose');
      assert.equal(ready.status, 500);
      assert.match(ready.text, /\[-\]etcd failed: reason withheld/);
    } finally {
      await t.etcd.start();
    }
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await t.client.get(nsPath('outage', 'imagestreams', 'before'))).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 200);
    assert.equal((await t.client.get('/readyz')).status, 200);
    assert.equal((await t.client.post(nsPath('outage', 'imagestreams'), imageStream('after'))).status, 201);
  });
});
