// A client-go-style flow from another language: the Python kubernetes client (Debian's
// python3-kubernetes) with its dynamic client discovers the group, lists, creates, patches
// (merge and strategic) and watches image streams.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, sys
from kubernetes import config, dynamic
from kubernetes.client import api_client

kubeconfig, cache = sys.argv[1], sys.argv[2]
client = dynamic.DynamicClient(api_client.ApiClient(configuration=config.load_kube_config(config_file=kubeconfig)), cache_file=cache)
streams = client.resources.get(api_version='image.openshift.io/v1', kind='ImageStream')
out = {}

listed = streams.get(namespace='py')
out['listed'] = [i.metadata.name for i in listed.items]
rv = listed.metadata.resourceVersion

created = streams.create(namespace='py', body={
    'apiVersion': 'image.openshift.io/v1', 'kind': 'ImageStream',
    'metadata': {'name': 'snake'},
    'spec': {'tags': [{'name': 'a', 'from': {'kind': 'DockerImage', 'name': 'quay.io/example/snake:a'}}]},
})
out['created'] = created.metadata.name

merged = streams.patch(namespace='py', name='snake', body={'metadata': {'labels': {'lang': 'python'}}}, content_type='application/merge-patch+json')
out['labels'] = dict(merged.metadata.labels)

strategic = streams.patch(namespace='py', name='snake', body={'spec': {'tags': [{'name': 'b', 'from': {'kind': 'DockerImage', 'name': 'quay.io/example/snake:b'}}]}},
                          content_type='application/strategic-merge-patch+json')
out['tags'] = sorted(t.name for t in strategic.spec.tags)

events = []
for ev in streams.watch(namespace='py', resource_version=rv, timeout=3):
    events.append([ev['type'], ev['object'].metadata.name])
    if len(events) == 3:
        break
out['events'] = events
print(json.dumps(out))
`;

describe('the Python kubernetes dynamic client', () => {
  let dir: string;
  let server: ServerProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-python-'));
    const port = await freePort();
    server = await startServerProcess(['--local', `--local-dir=${dir}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--log-level=warn', '--image-import-controller=false']);
  });

  after(async () => {
    await server?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, creates, patches and watches', () => {
    const script = join(dir, 'client.py');
    writeFileSync(script, SCRIPT);
    const r = spawnSync(PYTHON, [script, join(dir, 'kubeconfig'), join(dir, 'discovery-cache.json')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.deepEqual(out.listed, []);
    assert.equal(out.created, 'snake');
    assert.deepEqual(out.labels, { lang: 'python' });
    assert.deepEqual(out.tags, ['a', 'b']);
    assert.deepEqual(out.events, [
      ['ADDED', 'snake'],
      ['MODIFIED', 'snake'],
      ['MODIFIED', 'snake'],
    ]);
  });
});
