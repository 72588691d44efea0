// Benchmark: create, get and list throughput and p50/p99 latency of imagestreams through the
// server, next to the raw etcd3 client putting and getting the same JSON at the same concurrency
// (the floor any etcd-backed server stands on). Both run in the same invocation; the server runs
// as its own process (as in production) and is driven over HTTPS with keep-alive.
//
//   node --import tsx bench/imagestreams.ts [--objects 2000] [--concurrency 16] [--list-pages 50]

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { parse as parseYaml } from 'yaml';
import { freePort, startEtcdProcess } from '../src/app/etcd-process.js';
import { TestClient } from '../test/support/client.js';

interface Args {
  objects: number;
  concurrency: number;
  listPages: number;
}

function args(): Args {
  const a = process.argv.slice(2);
  const get = (n: string, d: number): number => {
    const i = a.indexOf(`--${n}`);
    return i >= 0 ? Number(a[i + 1]) : d;
  };
  return { objects: get('objects', 2000), concurrency: get('concurrency', 16), listPages: get('list-pages', 50) };
}

interface Result {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function measure(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<Result> {
  const lat: number[] = new Array<number>(total);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t0 = performance.now();
        await op(i);
        lat[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  lat.sort((x, y) => x - y);
  return { ops: total, seconds, p50: lat[Math.floor(total * 0.5)], p99: lat[Math.min(total - 1, Math.floor(total * 0.99))] };
}

function streamBody(i: number): Record<string, unknown> {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { lookupPolicy: { local: false }, tags: [{ name: 'latest', from: { kind: 'DockerImage', name: `quay.io/bench/app-${i}:latest` } }] },
  };
}

const fmt = (r: Result): string => `${(r.ops / r.seconds).toFixed(0).padStart(7)} ops/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms`;

async function main(): Promise<void> {
  const a = args();
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const etcd = await startEtcdProcess({ dataDir: join(dir, 'etcd') });
  const port = await freePort();
  const entry = resolve('dist/src/main.js');
  const server = spawn(process.execPath, [entry, '--local', `--local-dir=${join(dir, 'local')}`, `--etcd-servers=${etcd.endpoint}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn', '--image-import-controller=false'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  server.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Press Ctrl-C')) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kc = parseYaml(readFileSync(join(dir, 'local', 'kubeconfig'), 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[] };
  const client = new TestClient({
    baseURL: `https://127.0.0.1:${port}`,
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    token: kc.users[0].user.token,
  });
  const raw = new Etcd3({ hosts: etcd.endpoint });
  const base = '/apis/image.openshift.io/v1/namespaces/bench/imagestreams';
  try {
    const rows: [string, Result, Result][] = [];
    // Server.
    const sCreate = await measure(a.objects, a.concurrency, async (i) => {
      const r = await client.post(base, streamBody(i));
      if (r.status !== 201) throw new Error(`create ${r.status}: ${r.text}`);
    });
    const sGet = await measure(a.objects, a.concurrency, async (i) => {
      const r = await client.get(`${base}/bench-${i}`);
      if (r.status !== 200) throw new Error(`get ${r.status}`);
    });
    const sList = await measure(a.listPages, Math.min(a.concurrency, 4), async () => {
      const r = await client.get(`${base}?limit=500`);
      if (r.status !== 200) throw new Error(`list ${r.status}`);
    });
    // Raw etcd3 client with the same JSON at the same concurrency.
    const bodies = Array.from({ length: a.objects }, (_, i) => JSON.stringify(streamBody(i)));
    const eCreate = await measure(a.objects, a.concurrency, async (i) => {
      await raw.if(`/raw/imagestreams/bench/bench-${i}`, 'Create', '==', 0).then(raw.put(`/raw/imagestreams/bench/bench-${i}`).value(bodies[i])).commit();
    });
    const eGet = await measure(a.objects, a.concurrency, async (i) => {
      const v = await raw.get(`/raw/imagestreams/bench/bench-${i}`).string();
      if (v === null) throw new Error('missing');
      JSON.parse(v);
    });
    const eList = await measure(a.listPages, Math.min(a.concurrency, 4), async () => {
      const kvs = await raw.getAll().prefix('/raw/imagestreams/bench/').limit(500).strings();
      for (const v of Object.values(kvs)) JSON.parse(v);
    });
    rows.push(['create', sCreate, eCreate], ['get', sGet, eGet], [`list (500/page)`, sList, eList]);

    console.log(`imagestreams benchmark: ${a.objects} objects, concurrency ${a.concurrency}, etcd ${etcd.endpoint}`);
    for (const [name, s, e] of rows) {
      console.log(`\n${name}`);
      console.log(`  image-apiserver  ${fmt(s)}`);
      console.log(`  raw etcd3        ${fmt(e)}`);
      console.log(`  throughput ratio server/etcd3: ${((s.ops / s.seconds) / (e.ops / e.seconds)).toFixed(2)}`);
    }
  } finally {
    raw.close();
    client.close();
    server.kill('SIGINT');
    await new Promise((r) => server.once('exit', r));
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
