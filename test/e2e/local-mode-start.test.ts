// `make run` as a newcomer meets it: where it listens, what it prints, what kubectl gets from it,
// and starts that fail (a server already running, a port taken, an etcd that never gets healthy)
// stop everything they started; a start after a SIGKILL stops the etcd the killed server left.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { Kubectl } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';
import { processesMentioning, runServerToExit, startServerProcess, type ServerProcess } from '../support/process.js';

/** The local addresses listening on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel writes them). */
function listenAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(local.slice(0, -5));
    }
  }
  return found;
}

describe('a local-mode server started as make run starts it', () => {
  let dir: string;
  let port: number;
  let server: ServerProcess;
  let kubectl: Kubectl;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-start-'));
    port = await freePort();
    server = await startServerProcess(['--local', `--local-dir=${dir}`, `--secure-port=${port}`, '--image-import-controller=false']);
    kubectl = new Kubectl(join(dir, 'kubeconfig'));
  });

  after(async () => {
    const code = await server?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0);
  });

  it('listens on loopback only, where its banner says', () => {
    assert.deepEqual(listenAddresses(port), ['0100007F'], '127.0.0.1 and nothing else');
    assert.match(server.output(), new RegExp(`serving image.openshift.io/v1 at https://127\\.0\\.0\\.1:${port}\\n`));
  });

  it('prints its startup log lines before the banner, none after it', () => {
    const out = server.output();
    const banner = out.indexOf('image-apiserver is serving');
    assert.ok(out.indexOf('"msg":"serving"') >= 0 && out.indexOf('"msg":"serving"') < banner, out);
    assert.ok(out.trimEnd().endsWith(`Press Ctrl-C to stop (data is kept in ${dir}).`), out);
  });

  it('writes a kubeconfig that ends with a newline', () => {
    assert.ok(readFileSync(join(dir, 'kubeconfig'), 'utf8').endsWith('\n'));
  });

  it('tells a missing object in any namespace from a missing resource', () => {
    const r = kubectl.run(['-n', 'team-x', 'get', 'is', 'typo']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): imagestreams.image.openshift.io "typo" not found');
    assert.equal(kubectl.ok(['get', 'namespace', 'team-x', '-o', 'jsonpath={.status.phase}']), 'Active');
  });

  it('a list of imagestreamimages is not found, in the words oc and kubectl print for openshift-apiserver', () => {
    const r = kubectl.run(['get', 'isimage']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (NotFound): Unable to list "image.openshift.io/v1, Resource=imagestreamimages": the server could not find the requested resource',
    );
  });

  it('reports a Kubernetes version kubectl accepts, carrying its own release', () => {
    const r = kubectl.run(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Server Version: v1\.33\.0\+image-apiserver\.\d+\.\d+\.\d+$/m);
    assert.doesNotMatch(r.stdout + r.stderr, /WARNING: version difference/);
    const own = JSON.parse(kubectl.ok(['get', '--raw', '/version/openshift'])) as { gitVersion: string };
    assert.match(own.gitVersion, /^v0\.\d+\.\d+$/);
  });

  it('a second server on the same directory says one is running there, and which, and starts nothing', async () => {
    const etcdBefore = processesMentioning(join(dir, 'etcd', 'data'));
    const second = await runServerToExit(['--local', `--local-dir=${dir}`, `--secure-port=${await freePort()}`]);
    assert.equal(second.code, 1);
    assert.match(second.output, new RegExp(`another image-apiserver is already running in ${dir} \\(PID ${server.child.pid}\\)`));
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), etcdBefore);
    assert.equal(kubectl.run(['get', 'is']).code, 0, 'the first server still serves');
  });
});

describe('a local-mode start that fails', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-failed-start-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops its etcd when the port is taken, and a later start succeeds', async () => {
    const taken: Server = createServer();
    const port = await new Promise<number>((res) => taken.listen(0, '127.0.0.1', () => res((taken.address() as { port: number }).port)));
    try {
      const r = await runServerToExit(['--local', `--local-dir=${dir}`, `--secure-port=${port}`]);
      assert.equal(r.code, 1);
      assert.match(r.output, /EADDRINUSE/);
    } finally {
      taken.close();
    }
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), [], 'no etcd is left behind');
    const again = await startServerProcess(['--local', `--local-dir=${dir}`, '--secure-port=0', '--image-import-controller=false']);
    assert.equal(await again.stop('SIGINT'), 0);
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), []);
  });

  it('stops its etcd when it never becomes healthy', async () => {
    // An "etcd" on PATH that runs but never answers /health.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'etcd'), `#!/bin/sh\nexec ${process.execPath} -e 'setInterval(() => {}, 1000)' -- "$@"\n`, { mode: 0o755 });
    const r = await runServerToExit(['--local', `--local-dir=${dir}`, '--secure-port=0'], 60_000, { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` });
    assert.equal(r.code, 1);
    assert.match(r.output, /did not become healthy/);
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), [], 'no etcd is left behind');
  }, 60_000);

  it('stops the etcd a killed server left behind, and then serves', async () => {
    const killed = await startServerProcess(['--local', `--local-dir=${dir}`, '--secure-port=0', '--image-import-controller=false']);
    await killed.stop('SIGKILL');
    const orphans = processesMentioning(join(dir, 'etcd', 'data'));
    assert.equal(orphans.length, 1, 'SIGKILL gives the server no chance to stop its etcd');
    const again = await startServerProcess(['--local', `--local-dir=${dir}`, '--secure-port=0', '--image-import-controller=false']);
    const running = processesMentioning(join(dir, 'etcd', 'data'));
    assert.equal(running.length, 1);
    assert.notEqual(running[0], orphans[0], 'the leftover etcd was stopped');
    assert.equal(await again.stop('SIGINT'), 0);
    assert.deepEqual(processesMentioning(join(dir, 'etcd', 'data')), []);
  }, 90_000);
});
