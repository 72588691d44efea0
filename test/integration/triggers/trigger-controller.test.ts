// The image trigger controller against real image streams (etcd) and an in-memory host cluster:
// workloads get the images their triggers name when they appear and whenever the tag moves or
// someone changes the image; triggers that cannot apply do nothing and never block the others; a
// malformed annotation is one Event; failed patches are retried and counted.

import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, describe, it } from '@jest/globals';
import { InMemoryHostCluster, type WorkloadObject } from '../../../src/apiserver/hostcluster/in-memory.js';
import type { WorkloadResource } from '../../../src/apiserver/hostcluster/types.js';
import { TriggerController, type TriggerMetrics } from '../../../src/image/controllers/trigger-controller.js';
import type { WorkloadSource } from '../../../src/image/controllers/workload-source.js';
import { hostWorkloads } from '../../../src/app/image-triggers.js';
import { eventually } from '../../support/delegated-server.js';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { fakeDigest, imageBody, mapping, ns, stream } from '../image/helpers.js';

const INTERNAL = 'registry.internal:5000';
const D1 = fakeDigest('1');
const D2 = fakeDigest('2');

interface Trigger {
  from: { kind: string; name: string; namespace?: string };
  fieldPath: string;
  paused?: boolean;
}
const trigger = (name: string, fieldPath: string, extra: Partial<Trigger> = {}): Trigger => ({ from: { kind: 'ImageStreamTag', name }, fieldPath, ...extra });
const byName = (c: string): string => `spec.template.spec.containers[?(@.name=="${c}")].image`;

function podSpec(containers: Record<string, string>, init: Record<string, string> = {}): Record<string, unknown> {
  const list = (m: Record<string, string>): { name: string; image: string }[] => Object.entries(m).map(([name, image]) => ({ name, image }));
  return { containers: list(containers), ...(Object.keys(init).length ? { initContainers: list(init) } : {}) };
}

function workload(name: string, namespace: string, triggers: Trigger[] | string | undefined, spec: Record<string, unknown>, cron = false): WorkloadObject {
  const annotations = triggers === undefined ? undefined : { 'image.openshift.io/triggers': typeof triggers === 'string' ? triggers : JSON.stringify(triggers) };
  const template = { metadata: { labels: { app: name } }, spec };
  return {
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec: cron ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: name } }, template },
  };
}

const imagesOf = (w: WorkloadObject | undefined, cron = false): Record<string, string> => {
  const spec = (cron ? (w?.spec as { jobTemplate: { spec: { template: { spec: unknown } } } }).jobTemplate.spec.template.spec : (w?.spec as { template: { spec: unknown } }).template.spec) as {
    containers?: { name: string; image: string }[];
    initContainers?: { name: string; image: string }[];
  };
  return Object.fromEntries([...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => [c.name, c.image]));
};

describe('image trigger controller', () => {
  let t: ImageTestServer;
  let host: InMemoryHostCluster;
  let stop: AbortController;
  let running: Promise<void>;
  const counts = { applied: 0, failed: 0 };
  /** Patches fail while this is above zero (each failure counts it down). */
  let failNext = 0;

  const tag = async (namespace: string, name: string, tagName: string, digest: string, ref = `quay.io/org/${name}@${digest}`): Promise<void> => {
    const r = await t.client.post(ns(namespace, 'imagestreammappings'), mapping(name, tagName, imageBody(digest, ref)));
    assert.equal(r.status, 201, r.text);
  };
  /** The pull spec a trigger on the tag writes now (Source policy: the tag's image by its source). */
  const latest = async (namespace: string, name: string, tagName: string): Promise<string> => {
    const r = await t.client.get(ns(namespace, 'imagestreamtags', `${name}:${tagName}`));
    assert.equal(r.status, 200, r.text);
    return String(r.json<{ image: { dockerImageReference: string } }>().image.dockerImageReference);
  };
  const get = (resource: WorkloadResource, namespace: string, name: string): WorkloadObject | undefined => host.getWorkload(resource, namespace, name);

  beforeAll(async () => {
    t = await startImageTestServer({ internalRegistryHostname: INTERNAL });
    host = new InMemoryHostCluster();
    for (const [namespace, name, extra] of [
      ['team', 'app', {}],
      ['team', 'side', {}],
      ['team', 'pinned', { spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: `quay.io/org/pinned@${D1}` }, referencePolicy: { type: 'Local' } }] } }],
      ['shared', 'base', {}],
    ] as const) {
      assert.equal((await t.client.post(ns(namespace, 'imagestreams'), stream(name, [], extra))).status, 201);
    }
    await tag('team', 'app', 'latest', D1);
    await tag('team', 'pinned', 'latest', D1);
    await tag('shared', 'base', 'v1', D2);
    const base = hostWorkloads(host);
    const workloads: WorkloadSource = {
      ...base,
      patch: async (...args) => {
        if (failNext > 0) {
          failNext--;
          throw Object.assign(new Error('503 the host is busy'), { code: 503 });
        }
        return base.patch(...args);
      },
    };
    const metrics: TriggerMetrics = { applied: (_r, n) => void (counts.applied += n), failed: (_r, n) => void (counts.failed += n) };
    stop = new AbortController();
    running = new TriggerController({ streams: t.api.imports.source, workloads, metrics, retryMs: 50, maxRetryMs: 200 }).run(stop.signal);
  });
  afterEach(() => {
    failNext = 0;
  });
  afterAll(async () => {
    stop?.abort();
    await running;
    await host?.close();
    await t?.stop();
  });

  it('a new Deployment whose tag has an image gets it at once, and follows the tag when an ImageStreamMapping moves it', async () => {
    host.setWorkload('deployments', workload('web', 'team', [trigger('app:latest', byName('web'))], podSpec({ web: 'placeholder', log: 'busybox' })));
    await eventually(() => imagesOf(get('deployments', 'team', 'web')).web === `quay.io/org/app@${D1}`, 10_000, 'the trigger to apply');
    assert.equal(imagesOf(get('deployments', 'team', 'web')).log, 'busybox');
    await tag('team', 'app', 'latest', D2);
    await eventually(() => imagesOf(get('deployments', 'team', 'web')).web === `quay.io/org/app@${D2}`, 10_000, 'the moved tag to apply');
  });

  it('puts the image back when someone else changes it', async () => {
    const current = get('deployments', 'team', 'web');
    assert.ok(current);
    const edited = structuredClone(current);
    (edited.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image = 'nginx:manual';
    host.setWorkload('deployments', edited);
    await eventually(() => imagesOf(get('deployments', 'team', 'web')).web === `quay.io/org/app@${D2}`, 10_000, 'the image to be put back');
  });

  it('StatefulSets, DaemonSets (init containers by index) and CronJobs (spec.jobTemplate), across namespaces and with reference policy Local', async () => {
    host.setWorkload('statefulsets', workload('db', 'team', [trigger('pinned:latest', byName('db'))], podSpec({ db: 'x' })));
    host.setWorkload(
      'daemonsets',
      workload('agent', 'team', [trigger('base:v1', 'spec.template.spec.initContainers[0].image', { from: { kind: 'ImageStreamTag', name: 'base:v1', namespace: 'shared' } })], podSpec({ agent: 'a' }, { setup: 'x' })),
    );
    host.setWorkload('cronjobs', workload('report', 'team', [trigger('app:latest', 'spec.jobTemplate.spec.template.spec.containers[0].image')], podSpec({ report: 'x' }), true));
    await eventually(() => imagesOf(get('statefulsets', 'team', 'db')).db === `${INTERNAL}/team/pinned@${D1}`, 10_000, 'the StatefulSet');
    await eventually(() => imagesOf(get('daemonsets', 'team', 'agent')).setup === `quay.io/org/base@${D2}`, 10_000, 'the DaemonSet');
    await eventually(() => imagesOf(get('cronjobs', 'team', 'report'), true).report === `quay.io/org/app@${D2}`, 10_000, 'the CronJob');
  });

  it('paused triggers, missing streams and tags, tags without an image and paths outside the pod spec do nothing, and do not block the others', async () => {
    // A tag waiting for an import (none runs here): in the spec, without any image yet.
    await t.client.post(ns('team', 'imagestreams'), stream('empty', [{ name: 'soon', from: { kind: 'DockerImage', name: 'quay.io/org/empty:soon' } }]));
    const app = await latest('team', 'app', 'latest');
    const triggers = [
      trigger('app:latest', byName('paused'), { paused: true }),
      trigger('nosuch:latest', byName('missing-stream')),
      trigger('app:nosuchtag', byName('missing-tag')),
      trigger('empty:soon', byName('no-image')),
      trigger('app:latest', 'spec.replicas'),
      trigger('app:latest', byName('ghost')),
      trigger('side', byName('no-tag-in-name')),
      trigger('app:latest', byName('ok')),
    ];
    const containers = { paused: 'p', 'missing-stream': 'm', 'missing-tag': 't', 'no-image': 'n', 'no-tag-in-name': 's', ok: 'o' };
    host.setWorkload('deployments', workload('mixed', 'team', triggers, podSpec(containers)));
    await eventually(() => imagesOf(get('deployments', 'team', 'mixed')).ok === app, 10_000, 'the valid trigger');
    assert.deepEqual(imagesOf(get('deployments', 'team', 'mixed')), { ...containers, ok: app });
    // When the paused trigger is resumed it applies.
    const resumed = triggers.map((x) => (x.fieldPath === byName('paused') ? { ...x, paused: false } : x));
    const w = get('deployments', 'team', 'mixed');
    assert.ok(w);
    host.setWorkload('deployments', { ...w, metadata: { ...w.metadata, annotations: { 'image.openshift.io/triggers': JSON.stringify(resumed) } } });
    await eventually(() => imagesOf(get('deployments', 'team', 'mixed')).paused === app, 10_000, 'the resumed trigger');
  });

  it('a malformed annotation is reported once as a Warning Event on the workload; the controller carries on', async () => {
    host.setWorkload('deployments', workload('broken', 'team', '[{"from": ', podSpec({ web: 'keep' })));
    host.setWorkload('deployments', workload('broken', 'team', '[{"from": ', podSpec({ web: 'keep', extra: 'y' })));
    host.setWorkload('deployments', workload('after', 'team', [trigger('app:latest', byName('web'))], podSpec({ web: 'x' })));
    const app = await latest('team', 'app', 'latest');
    await eventually(() => imagesOf(get('deployments', 'team', 'after')).web === app, 10_000, 'the next workload');
    const events = host.events.filter((e) => e.involvedObject.name === 'broken');
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'Warning');
    assert.equal(events[0]?.reason, 'InvalidImageTriggers');
    assert.equal(events[0]?.involvedObject.kind, 'Deployment');
    assert.match(events[0]?.message ?? '', /image\.openshift\.io\/triggers annotation is not valid JSON/);
    assert.equal(imagesOf(get('deployments', 'team', 'broken')).web, 'keep');
  });

  it('a failed patch is counted and retried until it succeeds', async () => {
    const before = { ...counts };
    failNext = 2;
    host.setWorkload('deployments', workload('retry', 'team', [trigger('app:latest', byName('web'))], podSpec({ web: 'x' })));
    const app = await latest('team', 'app', 'latest');
    await eventually(() => imagesOf(get('deployments', 'team', 'retry')).web === app, 10_000, 'the retried patch');
    assert.equal(counts.failed - before.failed, 2);
    assert.equal(counts.applied - before.applied, 1);
  });

  it('writes nothing when the workload already has the value', async () => {
    const app = await latest('team', 'app', 'latest');
    host.setWorkload('deployments', workload('same', 'team', [trigger('app:latest', byName('web'))], podSpec({ web: app })));
    const rv = get('deployments', 'team', 'same')?.metadata.resourceVersion;
    // Queued after it, so looked at after it.
    host.setWorkload('deployments', workload('marker', 'team', [trigger('app:latest', byName('web'))], podSpec({ web: 'x' })));
    await eventually(() => imagesOf(get('deployments', 'team', 'marker')).web === app, 10_000, 'the marker');
    assert.equal(get('deployments', 'team', 'same')?.metadata.resourceVersion, rv);
  });
});
