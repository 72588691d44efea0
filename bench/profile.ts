// CPU profile of the request path: runs the server under `node --cpu-prof`, drives creates, updates,
// patches and gets of image streams, and prints the top functions by self time, per phase.
//
//   node --import tsx bench/profile.ts [--objects 1500] [--concurrency 8] [--server-arg=--flag=value ...]

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { freePort, startEtcdProcess } from '../src/app/etcd-process.js';
import { TestClient } from '../test/support/client.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const argv = process.argv.slice(2);
const num = (n: string, d: number): number => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};

async function pool(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await op(i);
    }),
  );
}

function nameOf(node: ProfileNode): string {
  const f = node.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
}

/**
 * Within [from, to) (µs, the profile's clock): the top functions by self time, and the top functions
 * of src/ by total time (their own plus what they call), as shares of the busy (non-idle) time.
 */
function top(p: Profile, from: number, to: number, n: number): { self: string[]; total: string[] } {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = p.startTime;
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from || t >= to) continue;
    const node = byId.get(p.samples[i]);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const dt = p.timeDeltas[i];
    busy += dt;
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const x = byId.get(id);
      if (!x || !x.callFrame.url.includes('/src/')) continue;
      const name = nameOf(x);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  }
  const fmt = (m: Map<string, number>): string[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return { self: fmt(self), total: fmt(inclusive) };
}

async function main(): Promise<void> {
  const objects = num('objects', 1500);
  const concurrency = num('concurrency', 8);
  const extra = argv.filter((x) => x.startsWith('--server-arg=')).map((x) => x.slice('--server-arg='.length));
  const dir = mkdtempSync(join(tmpdir(), 'profile-'));
  const etcd = await startEtcdProcess({ dataDir: join(dir, 'etcd') });
  const port = await freePort();
  const profDir = join(dir, 'prof');
  const server = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${profDir}`, resolve('dist/src/main.js'), '--local', `--local-dir=${join(dir, 'local')}`, `--etcd-servers=${etcd.endpoint}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn', '--image-import-controller=false', ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  server.stdout.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('Press Ctrl-C')) {
    if (server.exitCode !== null) throw new Error(out);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kc = parseYaml(readFileSync(join(dir, 'local', 'kubeconfig'), 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[] };
  const client = new TestClient({ baseURL: `https://127.0.0.1:${port}`, ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), token: kc.users[0].user.token });
  const ns = '/apis/image.openshift.io/v1/namespaces/prof/imagestreams';
  const body = (i: number, v: string): Record<string, unknown> => ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: `p-${i}`, labels: { app: 'prof', v } },
    spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: `quay.io/prof/app-${i}:latest` } }] },
  });
  const phases: [string, number, number][] = [];
  const phase = async (name: string, op: (i: number) => Promise<void>): Promise<void> => {
    // Profile timestamps are µs on the monotonic clock; performance.timeOrigin + now() maps to it closely enough per phase.
    const t0 = process.hrtime.bigint();
    await pool(objects, concurrency, op);
    phases.push([name, Number(t0 / 1000n), Number(process.hrtime.bigint() / 1000n)]);
  };
  const ok = (want: number) => (r: { status: number; text: string }) => {
    if (r.status !== want) throw new Error(`${r.status}: ${r.text}`);
  };
  try {
    await phase('create', async (i) => ok(201)(await client.post(ns, body(i, '1'))));
    await phase('update', async (i) => {
      const cur = (await client.get(`${ns}/p-${i}`)).json<Record<string, unknown>>();
      ok(200)(await client.put(`${ns}/p-${i}`, { ...cur, metadata: { ...(cur.metadata as object), labels: { app: 'prof', v: '2' } } }));
    });
    await phase('patch', async (i) => ok(200)(await client.patch(`${ns}/p-${i}`, { metadata: { labels: { v: '3' } } })));
    await phase('get', async (i) => ok(200)(await client.get(`${ns}/p-${i}`)));
  } finally {
    client.close();
    server.kill('SIGINT');
    await new Promise((r) => server.once('exit', r));
    await etcd.stop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  const prof = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile;
  for (const [name, from, to] of phases) {
    const t = top(prof, from, to, 10);
    console.log(`\n${name} (${objects} requests, concurrency ${concurrency}): top self time`);
    for (const l of t.self) console.log(`  ${l}`);
    console.log(`${name}: top total time in src/`);
    for (const l of t.total) console.log(`  ${l}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
