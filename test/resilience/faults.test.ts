// Faults: kill -9 of the server under concurrent writes loses no acknowledged write, and a
// three-member etcd cluster losing its leader costs no request a 503 while quorum holds.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { clientForLocalDir } from '../support/client.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-cluster.js';
import { imageStream, nsPath } from '../support/fixtures.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';



describe('kill -9 of the server under concurrent writes', () => {
  let etcd: EtcdHandle;
  const dir = mkdtempSync(join(tmpdir(), 'fault-kill-'));
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every acknowledged create and patch is present after the restart', async () => {
    const port = await freePort();
    const args = ['--local', `--local-dir=${dir}`, `--etcd-servers=${etcd.endpoint}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn'];
    const acknowledged = { creates: new Set<string>(), labels: new Map<string, Set<string>>() };
    for (let round = 0; round < 2; round++) {
      const server: ServerProcess = await startServerProcess(args);
      const client = clientForLocalDir(dir);
      let stop = false;
      let sent = 0;
      const writers = Array.from({ length: 6 }, async (_, w) => {
        const stream = `r${round}-w${w}`;
        if ((await client.post(nsPath('kill', 'imagestreams'), imageStream(stream)).catch(() => undefined))?.status !== 201) return;
        acknowledged.creates.add(stream);
        acknowledged.labels.set(stream, new Set());
        for (let i = 0; !stop; i++) {
          sent++;
          const name = `${stream}-${i}`;
          const created = await client.post(nsPath('kill', 'imagestreams'), imageStream(name)).catch(() => undefined);
          if (created?.status === 201) acknowledged.creates.add(name);
          const label = `l${i}`;
          const patched = await client.patch(nsPath('kill', 'imagestreams', stream), { metadata: { labels: { [label]: 'v' } } }).catch(() => undefined);
          if (patched?.status === 200) acknowledged.labels.get(stream)?.add(label);
          if (!created || !patched) return; // the server is gone
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      server.child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      client.close();
      assert.ok(sent > 10, `writes were in flight when the server died (${sent})`);
    }
    const server = await startServerProcess(args);
    const client = clientForLocalDir(dir);
    try {
      const list = (await client.get(nsPath('kill', 'imagestreams'))).json<{ items: { metadata: { name: string; labels?: Record<string, string> } }[] }>();
      const stored = new Map(list.items.map((o) => [o.metadata.name, o]));
      for (const name of acknowledged.creates) assert.ok(stored.has(name), `acknowledged create ${name} is stored`);
      for (const [stream, labels] of acknowledged.labels) {
        for (const l of labels) assert.equal(stored.get(stream)?.metadata.labels?.[l], 'v', `acknowledged label ${l} on ${stream}`);
      }
      assert.ok(acknowledged.creates.size > 20, `enough writes were acknowledged (${acknowledged.creates.size})`);
    } finally {
      client.close();
      await server.stop('SIGTERM');
    }
  });
});

describe('a three-member etcd cluster losing its leader', () => {
  let cluster: EtcdCluster;
  let t: TestServer;
  before(async () => {
    cluster = await startEtcdCluster(3);
    const endpoint = cluster.endpoints.join(',');
    const handle: EtcdHandle = { endpoint, dataDir: '', stop: async () => undefined, start: async () => undefined, destroy: () => cluster.destroy() };
    t = await startTestServer([], handle);
  });
  after(async () => {
    await t?.stop();
    await cluster?.destroy();
  });

  it('answers every request and readiness probe while quorum holds; readiness fails without quorum', async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let stop = false;
    const count = (what: string, status: number, text: string): void => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status === 0) failures.push(`${what}: ${status} ${text.slice(0, 200)}`);
    };
    const load = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        const c = await t.client.post(nsPath('failover', 'imagestreams'), imageStream(name));
        count(`create ${name}`, c.status, c.text);
        const g = await t.client.get(nsPath('failover', 'imagestreams', name));
        count(`get ${name}`, g.status, g.text);
        const p = await t.client.patch(nsPath('failover', 'imagestreams', name), { metadata: { labels: { i: String(i) } } });
        count(`patch ${name}`, p.status, p.text);
      }
    });
    const probes = (async () => {
      while (!stop) {
        const r = await t.client.get('/readyz');
        count('readyz', r.status, r.text);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    const leader = await cluster.leader();
    await cluster.kill(leader);
    await new Promise((r) => setTimeout(r, 4000));
    stop = true;
    await Promise.all([...load, probes]);
    assert.deepEqual(failures, [], `status counts: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(201) ?? 0) > 20, `writes went on (${JSON.stringify([...statuses])})`);

    // A second member down: no quorum, so not ready.
    const other = [0, 1, 2].find((i) => i !== leader) ?? 0;
    await cluster.kill(other);
    let ready = 200;
    for (let i = 0; i < 10 && ready === 200; i++) ready = (await t.client.get('/readyz')).status;
    assert.notEqual(ready, 200, 'not ready without a quorum');
  });
});
