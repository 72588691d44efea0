import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import type { ImageStream } from '../../../src/image/api/types.js';
import { imageLookupPatch, type LookupRequest } from '../../../src/image/lookup/image-lookup.js';
import { localName, resolveInStream, RESOLVE_NAMES_ANNOTATION } from '../../../src/image/lookup/resolve.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function stream(name: string, o: { local?: boolean; repo?: string; tags?: Record<string, [string, string][]>; policy?: Record<string, 'Local' | 'Source'> } = {}): ImageStream {
  return {
    metadata: { name, namespace: 'team' },
    spec: {
      lookupPolicy: { local: o.local ?? true },
      tags: Object.entries(o.policy ?? {}).map(([tag, type]) => ({ name: tag, referencePolicy: { type } })),
    },
    status: {
      dockerImageRepository: o.repo ?? '',
      tags: Object.entries(o.tags ?? {}).map(([tag, items]) => ({ tag, items: items.map(([ref, image]) => ({ dockerImageReference: ref, image, created: null, generation: 1 })) })),
    },
  };
}

describe('local names (which pod images may name an image stream)', () => {
  test('a bare name is a stream; no tag means latest; @digest is an image of the stream', () => {
    assert.deepEqual(localName('app', false), { stream: 'app', tag: 'latest', id: '' });
    assert.deepEqual(localName('app:v2', false), { stream: 'app', tag: 'v2', id: '' });
    assert.deepEqual(localName(`app@${D1}`, false), { stream: 'app', tag: '', id: D1 });
  });

  test('a registry or a namespace makes it a remote image, unless every name is to be resolved', () => {
    assert.equal(localName('quay.io/org/app:v1', false), undefined);
    assert.equal(localName('org/app:v1', false), undefined);
    assert.deepEqual(localName('quay.io/org/app:v1', true), { stream: 'app', tag: 'v1', id: '' });
  });

  test('an unparsable image is never a local name', () => {
    assert.equal(localName('Not An Image', true), undefined);
    assert.equal(localName('', false), undefined);
  });
});

describe('pull-spec resolution in a stream', () => {
  const tagged = stream('app', { repo: 'registry.internal:5000/team/app', tags: { latest: [[`quay.io/org/app@${D1}`, D1]], v1: [[`quay.io/org/app:v1`, D2]] } });

  test('a tag with an image resolves to the source repository by digest', () => {
    assert.equal(resolveInStream(tagged, { stream: 'app', tag: 'latest', id: '' }, false), `quay.io/org/app@${D1}`);
    assert.equal(resolveInStream(tagged, { stream: 'app', tag: 'v1', id: '' }, false), `quay.io/org/app@${D2}`);
  });

  test('with reference policy Local, the stream repository by digest', () => {
    const local = stream('app', { repo: 'registry.internal:5000/team/app', tags: { latest: [[`quay.io/org/app@${D1}`, D1]] }, policy: { latest: 'Local' } });
    assert.equal(resolveInStream(local, { stream: 'app', tag: 'latest', id: '' }, false), `registry.internal:5000/team/app@${D1}`);
  });

  test('a tag the stream lacks resolves to <status.dockerImageRepository>:<tag>, or stays without one', () => {
    assert.equal(resolveInStream(tagged, { stream: 'app', tag: 'v9', id: '' }, false), 'registry.internal:5000/team/app:v9');
    assert.equal(resolveInStream(stream('app', { tags: {} }), { stream: 'app', tag: 'v9', id: '' }, false), undefined);
  });

  test('an image ID resolves when some tag of the stream has it', () => {
    assert.equal(resolveInStream(tagged, { stream: 'app', tag: '', id: D2 }, false), `quay.io/org/app@${D2}`);
    assert.equal(resolveInStream(tagged, { stream: 'app', tag: '', id: `sha256:${'3'.repeat(64)}` }, false), undefined);
  });

  test('a stream without local lookup resolves nothing unless every name is to be resolved', () => {
    const remote = stream('app', { local: false, tags: { latest: [[`quay.io/org/app@${D1}`, D1]] } });
    assert.equal(resolveInStream(remote, { stream: 'app', tag: 'latest', id: '' }, false), undefined);
    assert.equal(resolveInStream(remote, { stream: 'app', tag: 'latest', id: '' }, true), `quay.io/org/app@${D1}`);
  });
});

describe('image lookup patch', () => {
  const streams = new Map([
    ['app', stream('app', { tags: { latest: [[`quay.io/org/app@${D1}`, D1]] } })],
    ['side', stream('side', { tags: { v1: [[`quay.io/org/side@${D2}`, D2]] } })],
    ['remote', stream('remote', { local: false, tags: { latest: [[`quay.io/org/remote@${D1}`, D1]] } })],
  ]);
  const reads: string[] = [];
  const getStream = async (namespace: string, name: string): Promise<ImageStream | undefined> => {
    reads.push(`${namespace}/${name}`);
    return streams.get(name);
  };
  const pod = (containers: string[], init: string[] = [], metadata: Record<string, unknown> = {}): Record<string, unknown> => ({
    metadata: { name: 'p', ...metadata },
    spec: { containers: containers.map((image, i) => ({ name: `c${i}`, image })), initContainers: init.map((image, i) => ({ name: `i${i}`, image })) },
  });
  const req = (resource: string, group: string, object: unknown, operation = 'CREATE'): LookupRequest => ({ group, resource, operation, namespace: 'team', object });

  test('a Pod: containers and init containers naming local streams are replaced; others stay', async () => {
    reads.length = 0;
    const ops = await imageLookupPatch(req('pods', '', pod(['app', 'nginx:1.25', 'app:latest', 'remote'], ['side:v1'])), getStream);
    assert.deepEqual(ops, [
      { op: 'replace', path: '/spec/initContainers/0/image', value: `quay.io/org/side@${D2}` },
      { op: 'replace', path: '/spec/containers/0/image', value: `quay.io/org/app@${D1}` },
      { op: 'replace', path: '/spec/containers/2/image', value: `quay.io/org/app@${D1}` },
    ]);
    // One read per stream name, however many containers name it.
    assert.deepEqual([...reads].sort(), ['team/app', 'team/nginx', 'team/remote', 'team/side']);
  });

  test('pod templates of workloads, and a CronJob under spec.jobTemplate', async () => {
    const template = { template: pod(['app']) };
    for (const [group, resource] of [
      ['apps', 'deployments'],
      ['apps', 'statefulsets'],
      ['apps', 'daemonsets'],
      ['apps', 'replicasets'],
      ['batch', 'jobs'],
    ]) {
      assert.deepEqual(await imageLookupPatch(req(resource, group, { metadata: {}, spec: template }), getStream), [
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `quay.io/org/app@${D1}` },
      ]);
    }
    const cron = { metadata: {}, spec: { jobTemplate: { spec: template } } };
    assert.deepEqual(await imageLookupPatch(req('cronjobs', 'batch', cron), getStream), [
      { op: 'replace', path: '/spec/jobTemplate/spec/template/spec/containers/0/image', value: `quay.io/org/app@${D1}` },
    ]);
  });

  test('resolve-names "*" on the pod template (or the Pod) resolves streams without local lookup', async () => {
    const annotated = { metadata: {}, spec: { template: pod(['remote'], [], { annotations: { [RESOLVE_NAMES_ANNOTATION]: '*' } }) } };
    assert.deepEqual(await imageLookupPatch(req('deployments', 'apps', annotated), getStream), [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `quay.io/org/remote@${D1}` },
    ]);
    const podAnnotated = pod(['remote'], [], { annotations: { [RESOLVE_NAMES_ANNOTATION]: '*' } });
    assert.equal((await imageLookupPatch(req('pods', '', podAnnotated), getStream)).length, 1);
    const other = pod(['remote'], [], { annotations: { [RESOLVE_NAMES_ANNOTATION]: 'app' } });
    assert.deepEqual(await imageLookupPatch(req('pods', '', other), getStream), []);
  });

  test('nothing for pods a controller owns, Job updates, subresources, deletes and other resources', async () => {
    const owned = pod(['app'], [], { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] });
    assert.deepEqual(await imageLookupPatch(req('pods', '', owned), getStream), []);
    assert.deepEqual(await imageLookupPatch(req('jobs', 'batch', { metadata: {}, spec: { template: pod(['app']) } }, 'UPDATE'), getStream), []);
    assert.deepEqual(await imageLookupPatch({ ...req('pods', '', pod(['app'])), subResource: 'status' }, getStream), []);
    assert.deepEqual(await imageLookupPatch(req('pods', '', pod(['app']), 'DELETE'), getStream), []);
    assert.deepEqual(await imageLookupPatch(req('services', '', pod(['app'])), getStream), []);
  });

  test('malformed objects give no patch rather than an error', async () => {
    for (const object of [null, 'x', { spec: { containers: 'nope' } }, { spec: { containers: [null, { image: 7 }] } }]) {
      assert.deepEqual(await imageLookupPatch(req('pods', '', object), getStream), []);
    }
  });
});
