// The image API end to end with the real kubectl against the server process in local mode: a push
// (an ImageStreamMapping created from a file), a stream whose tag tracks another stream's tag and
// a tag tracking that one, the istag / itag / isimage views (tables and YAML), a tag deleted with
// `kubectl delete istag`, and an image signature added and removed.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { Kubectl } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { SHARED_DIR } from '../support/reference.js';

const INTERNAL = 'registry.example.com:5000';
const DIGEST = 'sha256:ca013ac5c09f9a9f6db8370c1b759a29fe997d64d6591e9a75b71748858f7da0';
const SHORT = DIGEST.slice(7, 19);
const NEWER = `sha256:${'b'.repeat(64)}`;

type Doc = Record<string, unknown> & { metadata: Record<string, unknown> };

/** Rows of a kubectl table as arrays of cells (split on runs of 2+ spaces). */
function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

describe('kubectl with image stream tags, mappings, stream images and signatures', () => {
  let dir: string;
  let server: ServerProcess;
  let kubectl: Kubectl;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-image-tags-'));
    const port = await freePort();
    server = await startServerProcess([
      '--local',
      `--local-dir=${dir}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--log-level=warn',
      `--internal-registry-hostname=${INTERNAL}`,
    ]);
    kubectl = new Kubectl(join(dir, 'kubeconfig'));
  });

  after(async () => {
    await server?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a push: an ImageStreamMapping created from a file puts the image under base:latest', () => {
    const base = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: base\n';
    assert.match(kubectl.ok(['create', '--validate=false', '-f', file('base.yaml', base)]), /imagestream.image.openshift.io\/base created/);
    const manifest = readFileSync(join(SHARED_DIR, 'reference/fixtures/manifest-linux-amd64.json'), 'utf8');
    const config = readFileSync(join(SHARED_DIR, 'reference/fixtures/config-linux-amd64.json'), 'utf8');
    const mapping = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamMapping',
      metadata: { name: 'base' },
      tag: 'latest',
      image: {
        metadata: { name: DIGEST },
        dockerImageReference: `${INTERNAL}/default/base@${DIGEST}`,
        dockerImageManifest: manifest,
        dockerImageConfig: config,
        dockerImageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    };
    const r = kubectl.run(['create', '--validate=false', '-f', file('mapping.json', JSON.stringify(mapping))]);
    assert.equal(r.code, 0, r.stderr);
    // The server answers a bare Status (as openshift-apiserver does), which kubectl prints so.
    assert.equal(r.stdout, 'status/<unknown> created\n');
    const is = parseYaml(kubectl.ok(['get', 'is', 'base', '-o', 'yaml'])) as { status: { tags: { tag: string; items: { image: string }[] }[] } };
    assert.deepEqual(
      is.status.tags.map((t) => [t.tag, t.items[0]?.image]),
      [['latest', DIGEST]],
    );
  });

  it('a stream whose tag tracks another stream\'s tag gets its image; a tag tracking that one too', () => {
    const app = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
spec:
  tags:
  - name: stable
    from:
      kind: ImageStreamTag
      name: base:latest
  - name: current
    from:
      kind: ImageStreamTag
      name: stable
`;
    assert.match(kubectl.ok(['create', '--validate=false', '-f', file('app.yaml', app)]), /imagestream.image.openshift.io\/app created/);
    const table = rows(kubectl.ok(['get', 'is', 'app']));
    assert.deepEqual(table[0], ['NAME', 'IMAGE REPOSITORY', 'TAGS', 'UPDATED']);
    assert.equal(table[1]?.[0], 'app');
    assert.equal(table[1]?.[1], `${INTERNAL}/default/app`);
    assert.match(table[1]?.[2] ?? '', /^(current,stable|stable,current)$/);
  });

  it('get istag lists every tag with an image; -o wide adds the image name', () => {
    const table = rows(kubectl.ok(['get', 'istag']));
    assert.deepEqual(table[0], ['NAME', 'IMAGE REFERENCE', 'UPDATED']);
    const body = table.slice(1).map((r) => [r[0], r[1]]);
    assert.deepEqual(body, [
      ['app:current', `${INTERNAL}/default/app@${DIGEST}`],
      ['app:stable', `${INTERNAL}/default/app@${DIGEST}`],
      ['base:latest', `${INTERNAL}/default/base@${DIGEST}`],
    ]);
    for (const r of table.slice(1)) assert.match(r[2] ?? '', / ago$/);
    const wide = rows(kubectl.ok(['get', 'istag', 'app:stable', '-o', 'wide']));
    assert.deepEqual(wide[0], ['NAME', 'IMAGE REFERENCE', 'UPDATED', 'IMAGE NAME']);
    assert.equal(wide[1]?.[3], DIGEST);
  });

  it('get istag -o yaml shows the tag, the stream\'s generation and the image metadata without the manifest', () => {
    const doc = parseYaml(kubectl.ok(['get', 'istag', 'app:stable', '-o', 'yaml'])) as Doc & { tag: Doc; image: Doc };
    assert.equal(doc.kind, 'ImageStreamTag');
    assert.equal(doc.metadata.name, 'app:stable');
    assert.deepEqual(doc.tag.from, { kind: 'ImageStreamTag', name: 'base:latest' });
    assert.equal(doc.generation, 1);
    assert.equal(doc.image.metadata.name, DIGEST);
    assert.equal(doc.image.dockerImageReference, `${INTERNAL}/default/app@${DIGEST}`);
    assert.equal(doc.image.dockerImageManifest, undefined);
    assert.equal((doc.image.dockerImageMetadata as Doc).Architecture, 'amd64');
  });

  it('a push to the tracked tag moves the tracking tag along', () => {
    const mapping = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamMapping',
      metadata: { name: 'app' },
      tag: 'stable',
      image: { metadata: { name: NEWER }, dockerImageReference: `${INTERNAL}/default/app@${NEWER}` },
    };
    kubectl.ok(['create', '--validate=false', '-f', file('push2.json', JSON.stringify(mapping))]);
    const current = parseYaml(kubectl.ok(['get', 'istag', 'app:current', '-o', 'yaml'])) as { image: Doc };
    assert.equal(current.image.metadata.name, NEWER);
  });

  it('get itag shows Spec, Status and History; -o yaml the whole history', () => {
    const table = rows(kubectl.ok(['get', 'itag']));
    assert.deepEqual(table[0], ['NAME', 'SPEC', 'STATUS', 'HISTORY', 'UPDATED']);
    const byName = Object.fromEntries(table.slice(1).map((r) => [r[0], r.slice(1, 4)]));
    assert.deepEqual(byName['base:latest'], ['Push', `image/${DIGEST}`, '1']);
    assert.deepEqual(byName['app:stable'], ['Tag', `image/${NEWER}`, '2']);
    assert.deepEqual(byName['app:current'], ['Track', `image/${NEWER}`, '2']);
    const doc = parseYaml(kubectl.ok(['get', 'itag', 'app:current', '-o', 'yaml'])) as Doc & { spec: Doc; status: { items: { image: string }[] }; image: Doc };
    assert.equal(doc.kind, 'ImageTag');
    assert.deepEqual(doc.spec.from, { kind: 'ImageStreamTag', name: 'stable' });
    assert.deepEqual(
      doc.status.items.map((i) => i.image),
      [NEWER, DIGEST],
    );
    assert.equal(doc.image.metadata.name, NEWER);
  });

  it('get isimage <stream>@<short id> finds the image; -o yaml names it as asked', () => {
    const table = rows(kubectl.ok(['get', 'isimage', `app@${SHORT}`, '-o', 'wide']));
    assert.deepEqual(table[0], ['NAME', 'UPDATED', 'IMAGE REFERENCE', 'IMAGE NAME']);
    assert.equal(table[1]?.[0], `app@${SHORT}`);
    assert.equal(table[1]?.[2], `${INTERNAL}/default/base@${DIGEST}`);
    assert.equal(table[1]?.[3], DIGEST);
    const doc = parseYaml(kubectl.ok(['get', 'isimage', `app@${SHORT}`, '-o', 'yaml'])) as Doc & { image: Doc };
    assert.equal(doc.kind, 'ImageStreamImage');
    assert.equal(doc.metadata.name, `app@${SHORT}`);
    assert.equal(doc.image.metadata.name, DIGEST);
    const missing = kubectl.run(['get', 'isimage', 'app@0000']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /imagestreamimage.image.openshift.io "app@0000" not found/);
  });

  it('kubectl delete istag removes the tag; the tag that tracked it keeps its history', () => {
    assert.match(kubectl.ok(['delete', 'istag', 'app:stable']), /imagestreamtag.image.openshift.io "app:stable" deleted/);
    const r = kubectl.run(['get', 'istag', 'app:stable']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound.*imagestreamtags.image.openshift.io "app:stable" not found/);
    const names = rows(kubectl.ok(['get', 'itag'])).slice(1).map((row) => row[0]);
    assert.deepEqual(names, ['app:current', 'base:latest']);
  });

  it('a signature is added with kubectl create and removed with kubectl delete', () => {
    const sig = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageSignature',
      metadata: { name: `${DIGEST}@e2e` },
      type: 'AtomicImageV1',
      content: Buffer.from('signed by e2e').toString('base64'),
    };
    const created = kubectl.run(['create', '--validate=false', '-f', file('sig.json', JSON.stringify(sig))]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`imagesignature.image.openshift.io/${DIGEST}@e2e created`));
    assert.equal(kubectl.ok(['get', 'image', DIGEST, '-o', 'jsonpath={.signatures[*].metadata.name}']), `${DIGEST}@e2e`);
    assert.match(kubectl.ok(['delete', 'imagesignature', `${DIGEST}@e2e`]), new RegExp(`imagesignature.image.openshift.io "${DIGEST}@e2e" deleted`));
    assert.equal(kubectl.ok(['get', 'image', DIGEST, '-o', 'jsonpath={.signatures[*].metadata.name}']), '');
  });
});
