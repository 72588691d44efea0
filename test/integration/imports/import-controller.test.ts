// The background import controller in-process against a real registry and etcd: a tag whose spec
// asks for an import is imported as soon as the stream is written, a scheduled tag picks up a new
// image pushed under it, a generation reset asks again, and the cluster is read with one list per
// interval plus one watch (no reads per stream except to import it).

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { ImportController } from '../../../src/image/controllers/import-controller.js';
import type { StreamSource } from '../../../src/image/controllers/stream-source.js';
import { RegistryClient } from '../../../src/image/importer/index.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { buildOCIImage, type BuiltImage } from '../../support/oci-image.js';
import { pushImage, startRegistry, type RegistryHandle } from '../../support/registry.js';
import { ns } from '../image/helpers.js';

interface StreamJSON {
  metadata: { name: string; generation: number; resourceVersion: string };
  spec: { tags?: { name: string; generation: number }[] };
  status: { tags?: { tag: string; items: { image: string; generation: number }[] | null; conditions?: { reason: string; message: string }[] }[] };
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the image import controller', () => {
  let reg: RegistryHandle;
  let t: ImageTestServer;
  let client: RegistryClient;
  let first: BuiltImage;
  let second: BuiltImage;
  const digests: Record<string, string> = {};
  const reads = { lists: 0, watches: 0, gets: 0 };
  const logged: { level: string; msg: string; stream: unknown }[] = [];
  const record = (level: string) => (obj: Record<string, unknown>, msg: string) => logged.push({ level, msg, stream: obj.stream });
  let controller: ImportController;
  const stop = new AbortController();
  let running: Promise<void>;
  const INTERVAL = 1500;

  before(async () => {
    reg = await startRegistry();
    first = buildOCIImage({ files: { 'v.txt': 'first\n' } });
    second = buildOCIImage({ files: { 'v.txt': 'second\n' } });
    digests.first = (await pushImage(first.dir, `${reg.host}/team/app:stable`, { format: 'v2s2' })).digest;
    digests.pinned = (await pushImage(first.dir, `${reg.host}/team/pinned:v1`, { format: 'v2s2' })).digest;
    client = new RegistryClient({ platform: { os: 'linux', architecture: 'amd64' } });
    t = await startImageTestServer({ registryClient: client });
    const source = t.api.imports.source;
    const counted: StreamSource = {
      list: (o) => (reads.lists++, source.list(o)),
      get: (n, m) => (reads.gets++, source.get(n, m)),
      watch: (rv) => (reads.watches++, source.watch(rv)),
    };
    controller = new ImportController({ source: counted, runImport: t.api.imports.run, intervalMs: INTERVAL, importsPerMinute: 600, random: () => 0.5, pageSize: 2, logger: { info: record('info'), warn: record('warn'), debug: record('debug') } });
    running = controller.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await t?.stop();
    client?.close();
    await reg?.stop();
  });

  const getStream = async (name: string) => (await t.client.get(ns('ctl', 'imagestreams', name))).json<StreamJSON>();
  const newest = (s: StreamJSON, tag: string) => s.status.tags?.find((x) => x.tag === tag)?.items?.[0];

  it('imports a new DockerImage tag as soon as the stream is created', async () => {
    const r = await t.client.post(ns('ctl', 'imagestreams'), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app' },
      spec: { tags: [{ name: 'stable', from: { kind: 'DockerImage', name: `${reg.host}/team/app:stable` }, importPolicy: { insecure: true, scheduled: true } }] },
    });
    assert.equal(r.status, 201, r.text);
    const started = Date.now();
    const s = await eventually('the import', async () => {
      const s = await getStream('app');
      return newest(s, 'stable') ? s : undefined;
    });
    assert.ok(Date.now() - started < INTERVAL, 'promptly, not at the next scheduled round');
    assert.equal(newest(s, 'stable')?.image, digests.first);
    assert.equal(newest(s, 'stable')?.generation, s.spec.tags?.[0]?.generation);
  });

  it('re-imports a scheduled tag: a new image pushed under it appears in the status', async () => {
    digests.second = (await pushImage(second.dir, `${reg.host}/team/app:stable`, { format: 'v2s2' })).digest;
    const s = await eventually('the scheduled import', async () => {
      const s = await getStream('app');
      return newest(s, 'stable')?.image === digests.second ? s : undefined;
    });
    assert.deepEqual(
      s.status.tags?.[0]?.items?.map((e) => e.image),
      [digests.second, digests.first],
    );
  });

  it('a scheduled round that finds nothing new writes nothing', async () => {
    const before = (await getStream('app')).metadata.resourceVersion;
    const sweeps = controller.stats.sweeps;
    await eventually('two more rounds', async () => (controller.stats.sweeps >= sweeps + 2 ? true : undefined), INTERVAL * 4);
    assert.equal((await getStream('app')).metadata.resourceVersion, before);
  });

  it('imports again when a tag\'s generation is reset to 0', async () => {
    const created = await t.client.post(ns('ctl', 'imagestreams'), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'pinned' },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: `${reg.host}/team/pinned:v1` }, importPolicy: { insecure: true } }] },
    });
    assert.equal(created.status, 201, created.text);
    await eventually('the first import', async () => (newest(await getStream('pinned'), 'v1') ? true : undefined));
    const s = await getStream('pinned');
    const tags = structuredClone(s.spec.tags ?? []);
    for (const tag of tags) tag.generation = 0;
    const put = await t.client.put(ns('ctl', 'imagestreams', 'pinned'), { ...s, spec: { ...s.spec, tags } });
    assert.equal(put.status, 200, put.text);
    const generation = put.json<StreamJSON>().metadata.generation;
    assert.ok(generation > s.metadata.generation);
    const again = await eventually('the second import', async () => {
      const cur = await getStream('pinned');
      return (newest(cur, 'v1')?.generation ?? 0) > generation ? cur : undefined;
    });
    // The import writes the stream once more: tag and event meet at that generation.
    assert.equal(newest(again, 'v1')?.generation, again.spec.tags?.[0]?.generation);
    assert.equal(again.status.tags?.[0]?.items?.length, 1, 'the same image: only the generation moved');
  });

  it('records a failed import on the tag and does not retry it in a loop', async () => {
    await t.client.post(ns('ctl', 'imagestreams'), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'broken' },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: `${reg.host}/team/missing:v1` }, importPolicy: { insecure: true } }] },
    });
    const s = await eventually('the failure', async () => {
      const s = await getStream('broken');
      return s.status.tags?.[0]?.conditions?.length ? s : undefined;
    });
    assert.equal(s.status.tags?.[0]?.conditions?.[0]?.reason, 'NotFound');
    const said = logged.filter((l) => l.stream === 'ctl/broken').map((l) => `${l.level} ${l.msg}`);
    assert.ok(said.includes('warn image import controller: import failed'), said.join('; '));
    assert.ok(!said.includes('info image import controller: imported'), 'nothing was imported, so it does not say so');
    const imports = controller.stats.imports;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(controller.stats.imports - imports <= 1, 'no hot loop on a failing tag');
    assert.equal((await getStream('broken')).metadata.resourceVersion, s.metadata.resourceVersion);
  });

  it('reads the cluster with one paged list per round and one watch, not per stream', async () => {
    // Streams with nothing to import cost no reads of their own.
    for (let i = 0; i < 6; i++) {
      await t.client.post(ns('ctl', 'imagestreams'), { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: `quiet-${i}` }, spec: {} });
    }
    const start = { ...reads, imports: controller.stats.imports, sweeps: controller.stats.sweeps };
    await eventually('two rounds', async () => (controller.stats.sweeps >= start.sweeps + 2 ? true : undefined), INTERVAL * 4);
    const streams = 9;
    const rounds = controller.stats.sweeps - start.sweeps;
    // Page size 2: each round reads ceil(9/2) = 5 pages.
    assert.ok(reads.lists - start.lists <= rounds * Math.ceil(streams / 2) + 1, `lists: ${reads.lists - start.lists} for ${rounds} rounds`);
    assert.equal(reads.watches, start.watches, 'the watch kept going');
    assert.ok(reads.gets - start.gets <= controller.stats.imports - start.imports + rounds * 2, 'a get only before an import');
  });

  it('stops when leadership ends', async () => {
    const other = new ImportController({ source: t.api.imports.source, runImport: t.api.imports.run, intervalMs: INTERVAL });
    const ac = new AbortController();
    const run = other.run(ac.signal);
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await run;
  });
});
