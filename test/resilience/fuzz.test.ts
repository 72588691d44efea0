// A bounded, seeded fuzz run against the real server process: mutated bodies to every write
// endpoint with every patch type. No request may get a 5xx, end the process, stall it (/readyz
// answers within 1 s throughout), grow its memory without bound, or change an object it did not name.
// FUZZ_REQUESTS (default 3000) and FUZZ_SEED choose the run, FUZZ_HUGE_LISTS=1 adds patches of
// thousands of tags; the summary line gives the numbers.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { clientForLocalDir, type TestClient } from '../support/client.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';
import { DIGEST, FUZZ_NS, fuzzRequest, imageBody, imageStreamBody, PLANTED, Rng } from '../support/fuzz.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 15);
const HUGE_LISTS = process.env.FUZZ_HUGE_LISTS === '1';
const CONCURRENCY = 4;


function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('fuzzed requests', () => {
  let etcd: EtcdHandle;
  let server: ServerProcess;
  let client: TestClient;
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  before(async () => {
    etcd = await startEtcd();
    const port = await freePort();
    server = await startServerProcess(['--local', `--local-dir=${dir}`, `--etcd-servers=${etcd.endpoint}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=error', '--image-import-controller=false']);
    client = clientForLocalDir(dir);
  });
  after(async () => {
    client?.close();
    await server?.stop('SIGTERM');
    await etcd?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${REQUESTS} requests (seed ${SEED}): no 5xx, no exit, no stall, no lasting growth, no stray change`, async () => {
    const ns = `/apis/image.openshift.io/v1/namespaces/${FUZZ_NS}`;
    for (const [path, body] of [
      [`${ns}/imagestreams`, imageStreamBody('target')],
      [`${ns}/imagestreams`, imageStreamBody('canary')],
      ['/apis/image.openshift.io/v1/images', imageBody(DIGEST)],
    ] as const) {
      assert.equal((await client.post(path, body)).status, 201);
    }
    const canary = (await client.get(`${ns}/imagestreams/canary`)).text;

    const sample = async (): Promise<{ rss: number; heap: number; lag: number }> => {
      const text = (await client.get('/metrics')).text;
      return {
        rss: metric(text, 'process_resident_memory_bytes') ?? 0,
        heap: metric(text, 'nodejs_heap_size_used_bytes') ?? 0,
        lag: metric(text, 'nodejs_eventloop_lag_max_seconds') ?? 0,
      };
    };
    const start = await sample();
    let maxRss = start.rss;
    let maxLag = 0;
    let slowestReadyz = 0;
    const readyzFailures: string[] = [];
    let done = false;
    const watchdog = (async () => {
      for (let i = 0; !done; i++) {
        // The server's own answer within 1 s; etcd's part (a quorum read, slow when the machine's
        // disk is) must succeed, in whatever time etcd takes.
        const t0 = Date.now();
        const own = await client.get('/readyz?exclude=etcd');
        const took = Date.now() - t0;
        slowestReadyz = Math.max(slowestReadyz, took);
        if (own.status !== 200 || took > 1000) readyzFailures.push(`/readyz?exclude=etcd ${own.status} after ${took} ms`);
        const full = await client.get('/readyz');
        if (full.status !== 200) readyzFailures.push(`/readyz ${full.status}: ${full.text}`);
        if (i % 5 === 0) {
          const s = await sample();
          maxRss = Math.max(maxRss, s.rss);
          maxLag = Math.max(maxLag, s.lag);
        }
        await new Promise((res) => setTimeout(res, 200));
      }
    })();

    const rng = new Rng(SEED);
    const counts = new Map<number, number>();
    const serverErrors: string[] = [];
    let sent = 0;
    const slowest: { ms: number; what: string }[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < REQUESTS) {
          sent++;
          const req = fuzzRequest(rng, { hugeLists: HUGE_LISTS });
          const t0 = Date.now();
          const r = await client.request(req.method, req.path, { rawBody: req.body, contentType: req.contentType }).catch((err: Error) => ({ status: 0, text: err.message }));
          slowest.push({ ms: Date.now() - t0, what: `${req.what} ${req.body.length} bytes -> ${r.status}` });
          slowest.sort((a, b) => b.ms - a.ms).splice(3);
          counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
          if (r.status >= 500 || r.status === 0) serverErrors.push(`${req.what} -> ${r.status} ${r.text.slice(0, 300)}\n  body: ${req.body.subarray(0, 300).toString()}`);
        }
      }),
    );
    done = true;
    await watchdog;
    // Let the server settle (and collect garbage) before comparing memory.
    await new Promise((r) => setTimeout(r, 2000));
    const end = await sample();
    maxLag = Math.max(maxLag, end.lag);
    const summary = {
      seed: SEED,
      requests: REQUESTS,
      statuses: Object.fromEntries([...counts].sort((a, b) => a[0] - b[0])),
      startRssMiB: Math.round(start.rss / 2 ** 20),
      maxRssMiB: Math.round(maxRss / 2 ** 20),
      endRssMiB: Math.round(end.rss / 2 ** 20),
      startHeapMiB: Math.round(start.heap / 2 ** 20),
      endHeapMiB: Math.round(end.heap / 2 ** 20),
      maxEventLoopLagMs: Math.round(maxLag * 1000),
      slowestReadyzMs: slowestReadyz,
      slowestRequests: slowest,
    };
    process.stdout.write(`fuzz summary: ${JSON.stringify(summary)}\n`);

    assert.deepEqual(serverErrors.slice(0, 20), [], `${serverErrors.length} requests got a 5xx or no answer`);
    assert.equal(server.child.exitCode, null, 'the server process is still running');
    assert.deepEqual(readyzFailures, []);
    assert.ok(maxLag < 1, `no request held the event loop for a second: ${JSON.stringify(summary)}`);
    // V8 keeps the pages a burst of large bodies made it take, so RSS is held to a bound and the
    // live heap must come back near where it started (nothing retained per request).
    assert.ok(maxRss < start.rss + 512 * 2 ** 20, `RSS stays bounded: ${JSON.stringify(summary)}`);
    assert.ok(end.heap < start.heap + 256 * 2 ** 20, `the heap returns near its start: ${JSON.stringify(summary)}`);
    // Nothing a request sent reached another object, or the prototype every object shares.
    assert.deepEqual(JSON.parse((await client.get(`${ns}/imagestreams/canary`)).text), JSON.parse(canary));
    const planted = await client.get(`${ns}/imagestreams?labelSelector=${PLANTED}`);
    assert.deepEqual(planted.json<{ items: unknown[] }>().items, []);
  }, Math.max(120_000, REQUESTS * 40));
});
