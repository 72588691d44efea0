// Benchmark: the server next to its floor, raw etcd3 doing the same work (the same JSON put, got,
// ranged and watched) at the same concurrency, in one run. Every figure is printed with its ratio to
// the floor. The server runs as its own process (as in production), driven over HTTPS with keep-alive.
//
//   node --import tsx bench/imagestreams.ts [--objects 2000] [--concurrency 8] [--lists 30]
//     [--watchers 1000] [--write-rate 200] [--write-seconds 5] [--rss] [--server-arg=--flag=value ...]
//
// --rss (slow: it creates 10,000 image streams and 20,000 images) measures a fresh server's RSS
// empty and holding that data set, against the size of the stored JSON; --rss-only does only that.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { parse as parseYaml } from 'yaml';
import { freePort, startEtcdProcess, type EtcdProcess } from '../src/app/etcd-process.js';
import { TestClient } from '../test/support/client.js';

interface Args {
  objects: number;
  concurrency: number;
  lists: number;
  watchers: number;
  writeRate: number;
  writeSeconds: number;
  rss: boolean;
  rssOnly: boolean;
  serverArgs: string[];
}

function args(): Args {
  const a = process.argv.slice(2);
  const num = (n: string, d: number): number => {
    const i = a.indexOf(`--${n}`);
    return i >= 0 ? Number(a[i + 1]) : d;
  };
  return {
    objects: num('objects', 2000),
    concurrency: num('concurrency', 8),
    lists: num('lists', 30),
    watchers: num('watchers', 1000),
    writeRate: num('write-rate', 200),
    writeSeconds: num('write-seconds', 5),
    rss: a.includes('--rss') || a.includes('--rss-only'),
    rssOnly: a.includes('--rss-only'),
    serverArgs: a.filter((x) => x.startsWith('--server-arg=')).map((x) => x.slice('--server-arg='.length)),
  };
}

interface Result {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

function summarize(lat: number[], seconds: number): Result {
  lat.sort((x, y) => x - y);
  const n = lat.length;
  return { ops: n, seconds, p50: lat[Math.floor(n * 0.5)] ?? NaN, p99: lat[Math.min(n - 1, Math.floor(n * 0.99))] ?? NaN };
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
  return summarize(lat, (performance.now() - started) / 1000);
}

function streamBody(i: number, prefix = 'bench'): Record<string, unknown> {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: `${prefix}-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { lookupPolicy: { local: false }, tags: [{ name: 'latest', from: { kind: 'DockerImage', name: `quay.io/bench/app-${i}:latest` } }] },
  };
}

const FIXTURES = resolve('../shared/reference/fixtures');

/** An Image with a realistic schema 2 manifest and config (from the fixtures), unique per i. */
function imageBody(i: number, manifest: string, config: string): Record<string, unknown> {
  const m = manifest.replace(/"digest": "sha256:35c1[0-9a-f]{60}"/, `"digest": "sha256:${createHash('sha256').update(`layer-${i}`).digest('hex')}"`);
  const digest = `sha256:${createHash('sha256').update(m).digest('hex')}`;
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'Image',
    metadata: { name: digest },
    dockerImageReference: `quay.io/bench/app@${digest}`,
    dockerImageManifest: m,
    dockerImageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerImageConfig: config,
  };
}

interface Server {
  proc: ChildProcess;
  client: TestClient;
  baseURL: string;
  ca: string;
  token: string;
  etcd: EtcdProcess;
  dir: string;
  stop(): Promise<void>;
}

async function startServer(extra: string[]): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const etcd = await startEtcdProcess({ dataDir: join(dir, 'etcd') });
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [resolve('dist/src/main.js'), '--local', `--local-dir=${join(dir, 'local')}`, `--etcd-servers=${etcd.endpoint}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn', '--image-import-controller=false', ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Press Ctrl-C')) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kc = parseYaml(readFileSync(join(dir, 'local', 'kubeconfig'), 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[] };
  const baseURL = `https://127.0.0.1:${port}`;
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const token = kc.users[0].user.token;
  const client = new TestClient({ baseURL, ca, token });
  return {
    proc,
    client,
    baseURL,
    ca,
    token,
    etcd,
    dir,
    stop: async () => {
      client.close();
      proc.kill('SIGINT');
      await new Promise((r) => proc.once('exit', r));
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Watches over HTTPS that only note when each named object arrives (no parsing beyond the name). */
function openWatches(s: Server, path: string, count: number, onArrival: (name: string, at: number) => void): Promise<(() => void)[]> {
  const agent = new Agent({ ca: s.ca, keepAlive: true, maxSockets: Infinity });
  const opens = Array.from(
    { length: count },
    () =>
      new Promise<() => void>((resolveOpen, reject) => {
        const req = httpsRequest(new URL(path, s.baseURL), { headers: { Authorization: `Bearer ${s.token}`, Accept: 'application/json' }, agent }, (res) => {
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const at = performance.now();
            buf += chunk;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              const i = line.indexOf('"name":"');
              if (i >= 0) onArrival(line.slice(i + 8, line.indexOf('"', i + 8)), at);
            }
          });
          resolveOpen(() => res.destroy());
        });
        req.on('error', reject);
        req.end();
      }),
  );
  return Promise.all(opens).finally(() => setTimeout(() => agent.destroy(), 60_000).unref());
}

async function etcdWatchesOpened(s: Server): Promise<number> {
  const text = (await s.client.get('/metrics')).text;
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('etcd_requests_total{') && line.includes('operation="watch"')) n += Number(line.split(' ').pop());
  return n;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

const fmtOps = (r: Result): string => `${(r.ops / r.seconds).toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms`;
const MB = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;

/** Sequential writes (raw etcd puts at `keyOf(i)`), each timed from put to arrival at the watcher. */
async function deliveryLatency(count: number, put: (i: number) => Promise<void>, arrivals: Map<string, number>, nameOf: (i: number) => string): Promise<Result> {
  const lat: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await put(i);
    const deadline = Date.now() + 5000;
    while (!arrivals.has(nameOf(i))) {
      if (Date.now() > deadline) throw new Error(`event ${nameOf(i)} never arrived`);
      await new Promise((r) => setImmediate(r));
    }
    lat.push((arrivals.get(nameOf(i)) ?? 0) - t0);
  }
  return summarize(lat, (performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const a = args();
  if (a.rssOnly) return measureRSS(a);
  const s = await startServer(a.serverArgs);
  const raw = new Etcd3({ hosts: s.etcd.endpoint });
  const ns = '/apis/image.openshift.io/v1/namespaces/bench/imagestreams';
  const rows: { name: string; server: string; floor: string; ratio: string }[] = [];
  const row = (name: string, server: Result, floor: Result, by: 'ops' | 'p50'): void => {
    const ratio = by === 'ops' ? server.ops / server.seconds / (floor.ops / floor.seconds) : server.p50 / floor.p50;
    rows.push({ name, server: fmtOps(server), floor: fmtOps(floor), ratio: `${ratio.toFixed(2)}× ${by === 'ops' ? 'throughput' : 'p50 latency'}` });
  };
  try {
    console.log(`imagestreams benchmark: ${a.objects} objects, concurrency ${a.concurrency}, server args [${a.serverArgs.join(' ')}]`);
    const bodies = Array.from({ length: a.objects }, (_, i) => JSON.stringify(streamBody(i)));
    // Create: the server's POST next to a raw create-if-absent transaction of the same JSON.
    const sCreate = await measure(a.objects, a.concurrency, async (i) => {
      const r = await s.client.post(ns, streamBody(i));
      if (r.status !== 201) throw new Error(`create ${r.status}: ${r.text}`);
    });
    const eCreate = await measure(a.objects, a.concurrency, async (i) => {
      const k = `/raw/imagestreams/bench/bench-${i}`;
      await raw.if(k, 'Create', '==', 0).then(raw.put(k).value(bodies[i])).commit();
    });
    row('create', sCreate, eCreate, 'ops');

    const sGet = await measure(a.objects, a.concurrency, async (i) => {
      const r = await s.client.get(`${ns}/bench-${i}`);
      if (r.status !== 200) throw new Error(`get ${r.status}`);
    });
    const eGet = await measure(a.objects, a.concurrency, async (i) => {
      const v = await raw.get(`/raw/imagestreams/bench/bench-${i}`).string();
      if (v === null) throw new Error('missing');
      JSON.parse(v);
    });
    row('get', sGet, eGet, 'ops');

    const listConcurrency = Math.min(a.concurrency, 4);
    const sList = await measure(a.lists, listConcurrency, async () => {
      const r = await s.client.get(ns);
      if (r.status !== 200 || r.json<{ items: unknown[] }>().items.length !== a.objects) throw new Error(`list ${r.status}`);
    });
    const eList = await measure(a.lists, listConcurrency, async () => {
      const kvs = await raw.getAll().prefix('/raw/imagestreams/bench/').strings();
      for (const v of Object.values(kvs)) JSON.parse(v);
    });
    row(`list of ${a.objects} (concurrency ${listConcurrency})`, sList, eList, 'p50');

    // Watch delivery: the same raw puts, seen through one server watch and one raw etcd watch.
    const value = JSON.stringify(streamBody(0, 'w'));
    const sArrivals = new Map<string, number>();
    const rv = (await s.client.get('/apis/image.openshift.io/v1/namespaces/watch/imagestreams')).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const [stopOne] = await openWatches(s, `/apis/image.openshift.io/v1/namespaces/watch/imagestreams?watch=true&resourceVersion=${rv}`, 1, (n, at) => sArrivals.set(n, at));
    // The stored form of a stream in namespace `namespace`, named w-<i>.
    const put = (prefix: string, namespace: string) => (i: number) =>
      raw
        .put(`${prefix}/w-${i}`)
        .value(value.replace('"w-0"', `"w-${i}"`).replace('"metadata":{', `"metadata":{"namespace":"${namespace}","uid":"u-${i}",`))
        .exec()
        .then(() => undefined);
    const sWatch = await deliveryLatency(200, put('/openshift.io/imagestreams/watch', 'watch'), sArrivals, (i) => `w-${i}`);
    stopOne();
    const eArrivals = new Map<string, number>();
    const rawWatcher = await raw.watch().prefix('/raw/watch/').create();
    rawWatcher.on('put', (kv) => {
      const at = performance.now();
      eArrivals.set(kv.key.toString().slice('/raw/watch/'.length), at);
      JSON.parse(kv.value.toString());
    });
    const eWatch = await deliveryLatency(200, put('/raw/watch', 'watch'), eArrivals, (i) => `w-${i}`);
    await rawWatcher.cancel();
    row('watch delivery (1 watcher)', sWatch, eWatch, 'p50');

    // Fan-out: many watchers, a steady write rate.
    const before = await etcdWatchesOpened(s);
    const sent = new Map<string, number>();
    const lat: number[] = [];
    const stops = await openWatches(s, `/apis/image.openshift.io/v1/namespaces/fan/imagestreams?watch=true&resourceVersion=${rv}`, a.watchers, (n, at) => {
      const t0 = sent.get(n);
      if (t0 !== undefined) lat.push(at - t0);
    });
    const total = a.writeRate * a.writeSeconds;
    const serverCPU0 = cpuOf(s.proc.pid ?? 0);
    const benchCPU0 = process.cpuUsage();
    const fanStarted = performance.now();
    for (let i = 0; i < total; i++) {
      const due = fanStarted + (i * 1000) / a.writeRate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent.set(`w-${i}`, performance.now());
      void put('/openshift.io/imagestreams/fan', 'fan')(i);
    }
    const expected = total * a.watchers;
    const deadline = Date.now() + 30_000;
    while (lat.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const fan = summarize(lat, (performance.now() - fanStarted) / 1000);
    const serverCPU = cpuOf(s.proc.pid ?? 0) - serverCPU0;
    const benchUsage = process.cpuUsage(benchCPU0);
    const benchCPU = (benchUsage.user + benchUsage.system) / 1e6;
    const opened = (await etcdWatchesOpened(s)) - before;
    for (const stop of stops) stop();

    console.log('');
    for (const r of rows) console.log(`${r.name}\n  image-apiserver ${r.server}\n  raw etcd3       ${r.floor}\n  ratio           ${r.ratio}`);
    console.log(
      `\n${a.watchers} watchers, ${a.writeRate} writes/s for ${a.writeSeconds} s: ${lat.length}/${expected} deliveries, p50 ${fan.p50.toFixed(1)} ms, p99 ${fan.p99.toFixed(1)} ms; etcd watches opened by the server for them: ${opened} (since start: ${await etcdWatchesOpened(s)}); CPU over ${fan.seconds.toFixed(1)} s: server ${serverCPU.toFixed(1)} s, bench client ${benchCPU.toFixed(1)} s`,
    );
  } finally {
    raw.close();
    await s.stop();
  }

  if (a.rss) await measureRSS(a);
}

async function measureRSS(a: Args): Promise<void> {
  const manifest = readFileSync(join(FIXTURES, 'manifest-linux-amd64.json'), 'utf8');
  const config = readFileSync(join(FIXTURES, 'config-linux-amd64.json'), 'utf8');
  const s = await startServer(a.serverArgs);
  const raw = new Etcd3({ hosts: s.etcd.endpoint });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const empty = rssOf(s.proc.pid ?? 0);
    const streams = 10_000;
    const images = 20_000;
    await measure(streams, a.concurrency, async (i) => {
      const r = await s.client.post(`/apis/image.openshift.io/v1/namespaces/ns-${i % 100}/imagestreams`, streamBody(i, 'is'));
      if (r.status !== 201) throw new Error(`create stream ${r.status}: ${r.text}`);
    });
    await measure(images, a.concurrency, async (i) => {
      const r = await s.client.post('/apis/image.openshift.io/v1/images', imageBody(i, manifest, config));
      if (r.status !== 201) throw new Error(`create image ${r.status}: ${r.text}`);
    });
    await new Promise((r) => setTimeout(r, 2000));
    const beforeLists = rssOf(s.proc.pid ?? 0);
    // Serve everything once, so every version's encoding exists too.
    for (const path of ['/apis/image.openshift.io/v1/imagestreams', '/apis/image.openshift.io/v1/images']) {
      const r = await s.client.get(path);
      if (r.status !== 200) throw new Error(`list ${r.status}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const loaded = rssOf(s.proc.pid ?? 0);
    let stored = 0;
    // Page through the values: the whole data set is far larger than one gRPC message may be.
    for (let from = '/openshift.io/'; ; ) {
      const page = await raw.kv.range({ key: Buffer.from(from), range_end: Buffer.from('/openshift.io0'), limit: 500 });
      for (const kv of page.kvs) stored += kv.value.length;
      if (!page.more || page.kvs.length === 0) break;
      from = `${page.kvs[page.kvs.length - 1].key.toString()}\u0000`;
    }
    const limit = 2 * stored + empty;
    console.log(
      `\nRSS: empty ${MB(empty)}; holding ${streams} image streams and ${images} images: ${MB(beforeLists)}, after listing them all once ${MB(loaded)}; stored JSON ${MB(stored)}; target < 2 × stored + empty = ${MB(limit)} (${loaded < limit ? 'met' : 'missed'}; (RSS − empty) / stored = ${((loaded - empty) / stored).toFixed(2)})`,
    );
  } finally {
    raw.close();
    await s.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
