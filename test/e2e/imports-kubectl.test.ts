// Imports end to end with the real kubectl against the server process in local mode and a real
// registry: `kubectl create -f` of an ImageStreamImport prints the created import (and its result
// with -o yaml), and a stream created with a scheduled DockerImage tag is imported by the server
// itself, then picks up a new image pushed under that tag.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { Kubectl } from '../support/kubectl.js';
import { buildOCIImage } from '../support/oci-image.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { pushImage, startRegistry, type RegistryHandle } from '../support/registry.js';

interface ImportYAML {
  kind: string;
  metadata: { name: string };
  status: {
    images: { status: { status: string }; tag: string; image: { metadata: { name: string }; dockerImageManifest?: string } }[];
    import: { metadata: { name: string }; status: { tags: { tag: string; items: { image: string }[] }[] } };
  };
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('kubectl with image imports', () => {
  let dir: string;
  let reg: RegistryHandle;
  let server: ServerProcess;
  let kubectl: Kubectl;
  const digests: Record<string, string> = {};
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-imports-'));
    reg = await startRegistry();
    digests.v1 = (await pushImage(buildOCIImage({ files: { 'v.txt': 'one\n' } }).dir, `${reg.host}/team/app:v1`, { format: 'v2s2' })).digest;
    digests.nightly = (await pushImage(buildOCIImage({ files: { 'v.txt': 'nightly 1\n' } }).dir, `${reg.host}/team/app:nightly`, { format: 'oci' })).digest;
    const port = await freePort();
    server = await startServerProcess([
      '--local',
      `--local-dir=${dir}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--log-level=warn',
      '--scheduled-image-import-interval=2s',
    ]);
    kubectl = new Kubectl(join(dir, 'kubeconfig'));
  });

  after(async () => {
    await server?.stop('SIGINT');
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const isi = (name: string) => `apiVersion: image.openshift.io/v1
kind: ImageStreamImport
metadata:
  name: ${name}
spec:
  import: true
  images:
  - from:
      kind: DockerImage
      name: ${reg.host}/team/app:v1
    to:
      name: v1
    importPolicy:
      insecure: true
`;

  it('kubectl create -f of an ImageStreamImport prints that it was created', async () => {
    const out = await kubectl.okAsync(['create', '-f', file('isi.yaml', isi('app'))]);
    assert.equal(out, 'imagestreamimport.image.openshift.io/app created\n');
    const table = await kubectl.okAsync(['get', 'istag', 'app:v1', '-o', 'jsonpath={.image.metadata.name}']);
    assert.equal(table, digests.v1);
  });

  it('kubectl create -f -o yaml prints the result: per-image status and the stream it wrote', async () => {
    const out = await kubectl.okAsync(['create', '-f', file('isi2.yaml', isi('other')), '-o', 'yaml']);
    const doc = parseYaml(out) as ImportYAML;
    assert.equal(doc.kind, 'ImageStreamImport');
    assert.equal(doc.status.images[0]?.status.status, 'Success');
    assert.equal(doc.status.images[0]?.tag, 'v1');
    assert.equal(doc.status.images[0]?.image.metadata.name, digests.v1);
    assert.equal(doc.status.images[0]?.image.dockerImageManifest, undefined);
    assert.equal(doc.status.import.metadata.name, 'other');
    assert.deepEqual(
      doc.status.import.status.tags.map((t) => [t.tag, t.items[0]?.image]),
      [['v1', digests.v1]],
    );
  });

  it('a stream tag from a DockerImage with importPolicy.scheduled is imported, and again after a push', async () => {
    const stream = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: tracked
spec:
  tags:
  - name: nightly
    from:
      kind: DockerImage
      name: ${reg.host}/team/app:nightly
    importPolicy:
      insecure: true
      scheduled: true
`;
    assert.match(await kubectl.okAsync(['create', '-f', file('is.yaml', stream)]), /imagestream.image.openshift.io\/tracked created/);
    const image = () => kubectl.runAsync(['get', 'istag', 'tracked:nightly', '-o', 'jsonpath={.image.metadata.name}']);
    const first = await eventually('the first import', async () => {
      const r = await image();
      return r.code === 0 && r.stdout ? r.stdout : undefined;
    });
    assert.equal(first, digests.nightly);

    digests.nightly2 = (await pushImage(buildOCIImage({ files: { 'v.txt': 'nightly 2\n' } }).dir, `${reg.host}/team/app:nightly`, { format: 'oci' })).digest;
    const second = await eventually('the scheduled import', async () => {
      const r = await image();
      return r.stdout === digests.nightly2 ? r.stdout : undefined;
    });
    assert.equal(second, digests.nightly2);
    const history = await kubectl.okAsync(['get', 'is', 'tracked', '-o', 'jsonpath={.status.tags[0].items[*].image}']);
    assert.equal(history, `${digests.nightly2} ${digests.nightly}`);
  });
});
