import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import type { ImageStreamImage, ImageStreamTag, ImageTag } from '../../../src/image/api/virtual-types.js';
import { imageStreamImageTable } from '../../../src/image/registry/imagestreamimage/table.js';
import { imageStreamTagTable } from '../../../src/image/registry/imagestreamtag/table.js';
import { imageTagCells } from '../../../src/image/registry/imagetag/table.js';

const NOW = new Date('2026-01-01T01:00:00Z');
const itag = (spec: ImageTag['spec'], status: ImageTag['status']): ImageTag => ({ metadata: { name: 'is:t' }, spec, status, image: null });
const event = (generation: number, image = 'sha256:x', ref = 'quay.io/a/b@sha256:x') => ({ created: '2026-01-01T00:00:00Z', dockerImageReference: ref, image, generation });

describe('imagetags table cells (printImageTag)', () => {
  test('Spec: Tag, Ref, Scheduled, Track; Status from the spec source when there is no history', () => {
    const docker = { kind: 'DockerImage', name: 'quay.io/a/b:1' };
    assert.deepEqual(imageTagCells(itag({ name: 't', from: docker, generation: 1 }, null), NOW), ['is:t', 'Tag', 'quay.io/a/b:1', null, '']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: docker, reference: true }, null), NOW).slice(1, 3), ['Ref', 'quay.io/a/b:1']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: docker, importPolicy: { scheduled: true } }, null), NOW).slice(1, 3), ['Scheduled', 'quay.io/a/b:1']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: { kind: 'ImageStreamTag', name: 'latest' } }, null), NOW).slice(1, 3), ['Track', 'istag/latest']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: { kind: 'ImageStreamTag', name: 'x:latest', namespace: 'o' } }, null), NOW).slice(1, 3), ['Tag', 'istag o/x:latest']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: { kind: 'ImageStreamImage', name: 'x@sha256:y' } }, null), NOW).slice(1, 3), ['Tag', 'image/sha256:y']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: { kind: 'ImageStreamImage', name: 'noat' } }, null), NOW).slice(1, 3), ['Tag', 'InvalidRefName']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: { kind: 'Bogus', name: 'x' } }, null), NOW).slice(1, 3), ['Tag', 'InvalidRefKind']);
    assert.deepEqual(imageTagCells(itag({ name: 't' }, null), NOW).slice(1, 3), ['', '']);
  });

  test('Status: Importing while the history is older than the spec; Push when newer or without spec', () => {
    const docker = { kind: 'DockerImage', name: 'quay.io/a/b:1' };
    assert.deepEqual(imageTagCells(itag({ name: 't', from: docker, generation: 3 }, { tag: 't', items: [event(2)] }), NOW), ['is:t', 'Tag', 'Importing', 1, 'About an hour ago']);
    assert.deepEqual(imageTagCells(itag({ name: 't', from: docker, generation: 2 }, { tag: 't', items: [event(3)] }), NOW).slice(1, 3), ['Push', 'image/sha256:x']);
    assert.deepEqual(imageTagCells(itag(null, { tag: 't', items: [event(1, '', 'quay.io/a/b:2')] }), NOW).slice(1, 3), ['Push', 'quay.io/a/b:2']);
  });

  test('ImportFailed (<reason>) from a false ImportSuccess condition; Updated is the later of event and condition', () => {
    const cells = imageTagCells(
      itag(
        { name: 't', from: { kind: 'DockerImage', name: 'q/a:1' }, generation: 1 },
        { tag: 't', items: [], conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound', lastTransitionTime: '2026-01-01T00:59:00Z' }] },
      ),
      NOW,
    );
    assert.deepEqual(cells, ['is:t', 'Tag', 'ImportFailed (NotFound)', null, 'About a minute ago']);
  });
});

describe('imagestreamtags and imagestreamimages table cells', () => {
  test('istag: name, image reference, age, image name', () => {
    const ist: ImageStreamTag = { metadata: { name: 'is:t', creationTimestamp: '2026-01-01T00:58:00Z' }, image: { metadata: { name: 'sha256:x' }, dockerImageReference: 'q/a@sha256:x' } };
    assert.deepEqual(imageStreamTagTable.cells(ist, NOW), ['is:t', 'q/a@sha256:x', '2 minutes ago', 'sha256:x']);
    assert.deepEqual(imageStreamTagTable.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Image Reference', 0], ['Updated', 0], ['Image Name', 1]]);
  });

  test('isimage: name, age, image reference, image name', () => {
    const isi: ImageStreamImage = { metadata: { name: 'is@x', creationTimestamp: '2026-01-01T00:00:00Z' }, image: { metadata: { name: 'sha256:x' }, dockerImageReference: 'q/a@sha256:x' } };
    assert.deepEqual(imageStreamImageTable.cells(isi, NOW), ['is@x', 'About an hour ago', 'q/a@sha256:x', 'sha256:x']);
    assert.deepEqual(imageStreamImageTable.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Updated', 0], ['Image Reference', 1], ['Image Name', 1]]);
  });
});
