import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { containerImages } from '../../../src/image/api/pod-specs.js';
import type { ImageStream } from '../../../src/image/api/types.js';
import { parseTriggers } from '../../../src/image/controllers/trigger-annotation.js';
import { triggerValues } from '../../../src/image/controllers/trigger-controller.js';
import { containerField, findContainer } from '../../../src/image/controllers/trigger-field-path.js';

const D1 = `sha256:${'1'.repeat(64)}`;

describe('the image.openshift.io/triggers annotation', () => {
  test('OpenShift\'s format: from, fieldPath, paused; the namespace defaults to empty', () => {
    const parsed = parseTriggers(
      JSON.stringify([
        { from: { kind: 'ImageStreamTag', name: 'app:latest' }, fieldPath: 'spec.template.spec.containers[?(@.name=="web")].image' },
        { from: { kind: 'ImageStreamTag', name: 'side:v1', namespace: 'shared' }, fieldPath: 'spec.template.spec.initContainers[0].image', paused: true, extra: 1 },
      ]),
    );
    assert.deepEqual(parsed, {
      ok: true,
      triggers: [
        { from: { kind: 'ImageStreamTag', name: 'app:latest', namespace: '', apiVersion: '' }, fieldPath: 'spec.template.spec.containers[?(@.name=="web")].image', paused: false },
        { from: { kind: 'ImageStreamTag', name: 'side:v1', namespace: 'shared', apiVersion: '' }, fieldPath: 'spec.template.spec.initContainers[0].image', paused: true },
      ],
    });
    assert.deepEqual(parseTriggers('[]'), { ok: true, triggers: [] });
    assert.deepEqual(parseTriggers('null'), { ok: true, triggers: [] });
  });

  test('malformed: not JSON, not a list, wrong types, duplicate field paths', () => {
    const cases: [string, RegExp][] = [
      ['[{', /is not valid JSON/],
      ['{"from":{}}', /must be a JSON list of triggers/],
      ['["x"]', /trigger 0 must be an object/],
      ['[{"from":{"name":5},"fieldPath":"a"}]', /trigger 0\.from\.name must be a string/],
      ['[{"fieldPath":"a","paused":"yes"}]', /trigger 0\.paused must be a boolean/],
      ['[{"fieldPath":"a"},{"fieldPath":"a"}]', /duplicate triggers are not allowed/],
    ];
    for (const [text, error] of cases) {
      const parsed = parseTriggers(text);
      assert.equal(parsed.ok, false, text);
      if (!parsed.ok) assert.match(parsed.error, error);
    }
  });
});

describe('trigger field paths', () => {
  test('containers and init containers by name or by index under the kind\'s pod spec', () => {
    assert.deepEqual(containerField('Deployment', 'spec.template.spec.containers[?(@.name=="web")].image'), { list: 'containers', selector: { name: 'web' } });
    assert.deepEqual(containerField('StatefulSet', 'spec.template.spec.initContainers[1].image'), { list: 'initContainers', selector: { index: 1 } });
    assert.deepEqual(containerField('CronJob', 'spec.jobTemplate.spec.template.spec.containers[0].image'), { list: 'containers', selector: { index: 0 } });
  });

  test('outside the pod spec, another field, or a selector OpenShift does not read: no container', () => {
    for (const [kind, path] of [
      ['CronJob', 'spec.template.spec.containers[0].image'],
      ['Deployment', 'metadata.annotations'],
      ['Deployment', 'spec.template.spec.containers[0].command'],
      ['Deployment', 'spec.template.spec.containers[-1].image'],
      ['Deployment', 'spec.template.spec.containers[@.name=="web"].image'],
      ['Deployment', 'spec.template.spec.volumes[0].image'],
      ['DaemonSet', 'spec.template.spec.containers[?(@.name=="")].image'],
    ] as const) {
      assert.equal(containerField(kind, path), undefined, path);
    }
  });

  test('finds the container the path designates', () => {
    const containers = containerImages({ initContainers: [{ name: 'init', image: 'a' }], containers: [{ name: 'web', image: 'b' }, { name: 'log', image: 'c' }] });
    assert.equal(findContainer(containers, { list: 'containers', selector: { name: 'log' } })?.image, 'c');
    assert.equal(findContainer(containers, { list: 'containers', selector: { index: 0 } })?.image, 'b');
    assert.equal(findContainer(containers, { list: 'initContainers', selector: { index: 0 } })?.image, 'a');
    assert.equal(findContainer(containers, { list: 'containers', selector: { index: 2 } }), undefined);
    assert.equal(findContainer(containers, { list: 'initContainers', selector: { name: 'web' } }), undefined);
  });
});

describe('trigger values (openshift-controller-manager semantics)', () => {
  const stream = (policy: 'Local' | 'Source', repo: string): ImageStream => ({
    metadata: { name: 'app', namespace: 'team' },
    spec: { tags: [{ name: 'latest', referencePolicy: { type: policy } }] },
    status: {
      dockerImageRepository: repo,
      tags: [
        { tag: 'latest', items: [{ dockerImageReference: `quay.io/org/app@${D1}`, image: D1, created: null, generation: 1 }] },
        { tag: 'empty', items: [] },
      ],
    },
  });

  test('the newest event\'s pull spec; tags without an image have no value', () => {
    assert.deepEqual([...triggerValues(stream('Source', 'registry.internal:5000/team/app'))], [['latest', `quay.io/org/app@${D1}`]]);
  });

  test('reference policy Local: <status.dockerImageRepository>@<image>, unless the stream has no repository', () => {
    assert.deepEqual([...triggerValues(stream('Local', 'registry.internal:5000/team/app'))], [['latest', `registry.internal:5000/team/app@${D1}`]]);
    assert.deepEqual([...triggerValues(stream('Local', ''))], [['latest', `quay.io/org/app@${D1}`]]);
  });
});
