import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import type { KubeObject } from '../../../src/apiserver/api/types.js';
import { FieldManager } from '../../../src/apiserver/endpoints/fieldmanager/field-manager.js';
import { FieldSet, pathString } from '../../../src/apiserver/endpoints/fieldmanager/fieldpath.js';
import { StatusError } from '../../../src/apiserver/errors/index.js';
import { TypeModel } from '../../../src/apiserver/openapi/type-model.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';

const model = new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName });
const clock = (): Date => new Date('2026-01-02T03:04:05.678Z');
const fm = (subresource?: string): FieldManager =>
  new FieldManager({ type: model.forKind('ImageStream'), apiVersion: 'image.openshift.io/v1', subresource, describe: () => 'ns/is; image.openshift.io/v1, Kind=ImageStream', clock });

const is = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'is', namespace: 'ns', ...meta },
  spec,
});
const tag = (name: string, ref: string): Record<string, unknown> => ({ name, from: { kind: 'DockerImage', name: ref } });
const live = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, uid: 'u1', resourceVersion: '5' } });

describe('field sets', () => {
  it('round-trip through FieldsV1 with "." for members that have members below', () => {
    const v1 = { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:tags': { 'k:{"name":"x"}': { '.': {}, 'f:from': {} } } } };
    const set = FieldSet.fromFieldsV1(v1);
    assert.deepEqual(set.toFieldsV1(), v1);
    assert.deepEqual(
      set.paths().map(pathString),
      ['.metadata.labels', '.metadata.labels.a', '.spec.tags[name="x"]', '.spec.tags[name="x"].from'],
    );
  });
});

describe('managedFields of non-apply writes', () => {
  it('a create records the fields it set for the manager, with an RFC3339 time in seconds', () => {
    const out = fm().update(undefined, is({ lookupPolicy: { local: true } }, { labels: { app: 'x' } }), 'curl');
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'curl',
        operation: 'Update',
        apiVersion: 'image.openshift.io/v1',
        time: '2026-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } },
      },
    ]);
  });

  it('a create that sets nothing but the name, or only zero values, records nothing', () => {
    assert.equal(fm().update(undefined, is({}), 'curl').metadata.managedFields, undefined);
    assert.equal(fm().update(undefined, is({ lookupPolicy: { local: false } }), 'curl').metadata.managedFields, undefined);
  });

  it('updates of an untracked object stay untracked; tracked ones move changed fields to the writer', () => {
    const untracked = live(is({}));
    assert.equal(fm().update(untracked, is({ lookupPolicy: { local: true } }), 'kubectl-edit').metadata.managedFields, undefined);
    const created = live(fm().update(undefined, is({ tags: [tag('a', 'x/y:a')] }), 'creator'));
    const next = fm().update(created, { ...created, spec: { tags: [tag('a', 'x/y:b')] } }, 'editor');
    const byManager = Object.fromEntries((next.metadata.managedFields ?? []).map((m) => [m.manager, m.fieldsV1]));
    assert.deepEqual(byManager.editor, { 'f:spec': { 'f:tags': { 'k:{"name":"a"}': { 'f:from': {} } } } });
    assert.equal(JSON.stringify(byManager.creator).includes('f:from'), false, 'the creator lost the field it no longer set');
  });

  it('the status subresource records entries with subresource "status" and ignores managedFields sent to it', () => {
    const created = live(fm().update(undefined, is({ lookupPolicy: { local: true } }), 'creator'));
    const out = fm('status').update(created, { ...created, metadata: { ...created.metadata, managedFields: [] }, status: { dockerImageRepository: 'r' } }, 'ctrl');
    const entry = out.metadata.managedFields?.find((m) => m.manager === 'ctrl');
    assert.equal(entry?.subresource, 'status');
    assert.ok(out.metadata.managedFields?.some((m) => m.manager === 'creator'));
  });

  it('managedFields sent by the client replace the stored ones; [] or [{}] clears them', () => {
    const created = live(fm().update(undefined, is({ lookupPolicy: { local: true } }), 'creator'));
    const given = [{ manager: 'kubectl', operation: 'Apply' as const, apiVersion: 'image.openshift.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } } }];
    const migrated = fm().update(created, { ...created, metadata: { ...created.metadata, managedFields: given } }, 'kubectl');
    assert.deepEqual(
      migrated.metadata.managedFields?.map((m) => [m.manager, m.operation]),
      [['kubectl', 'Apply']],
    );
    const cleared = fm().update(created, { ...created, metadata: { ...created.metadata, managedFields: [{}] } }, 'x');
    assert.equal(cleared.metadata.managedFields, undefined);
  });
});

describe('server-side apply', () => {
  it('owns exactly the applied fields and creates the object when missing', () => {
    const out = fm().apply(undefined, is({ tags: [tag('a', 'x/y:a')] }), 'mgr-a', false);
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'mgr-a',
        operation: 'Apply',
        apiVersion: 'image.openshift.io/v1',
        time: '2026-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:tags': { 'k:{"name":"a"}': { '.': {}, 'f:from': {}, 'f:name': {} } } } },
      },
    ]);
  });

  it('conflicts with another manager are 409 with kube-apiserver texts, unless forced', () => {
    const a = live(fm().apply(undefined, is({ lookupPolicy: { local: true } }, { labels: { l1: 'x' } }), 'mgr-a', false));
    const change = is({ lookupPolicy: { local: false } }, { labels: { l1: 'y' } });
    assert.throws(
      () => fm().apply(a, change, 'mgr-b', false),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 409 &&
        e.status.message === 'Apply failed with 2 conflicts: conflicts with "mgr-a":\n- .metadata.labels.l1\n- .spec.lookupPolicy.local' &&
        e.status.details?.causes?.[0]?.message === 'conflict with "mgr-a"' &&
        e.status.details?.causes?.[0]?.field === '.metadata.labels.l1',
    );
    const forced = fm().apply(a, change, 'mgr-b', true);
    assert.deepEqual(
      forced.metadata.managedFields?.map((m) => m.manager),
      ['mgr-b'],
      'forcing takes the fields, and mgr-a, left with none, disappears',
    );
    const u = live(fm().update(undefined, is({ lookupPolicy: { local: true } }), 'editor'));
    assert.throws(
      () => fm().apply(u, is({ lookupPolicy: { local: false } }), 'mgr-b', false),
      (e: unknown) => e instanceof StatusError && e.status.message === 'Apply failed with 1 conflict: conflict with "editor" using image.openshift.io/v1: .spec.lookupPolicy.local',
    );
  });

  it('applying the same value is shared ownership, not a conflict', () => {
    const a = live(fm().apply(undefined, is({ lookupPolicy: { local: true } }), 'mgr-a', false));
    const b = fm().apply(a, is({ lookupPolicy: { local: true } }), 'mgr-b', false);
    assert.deepEqual(b.metadata.managedFields?.map((m) => m.manager).sort(), ['mgr-a', 'mgr-b']);
  });

  it('fields an applier stops applying are removed unless someone else owns them', () => {
    const a = live(fm().apply(undefined, is({ tags: [tag('a', 'x/y:a'), tag('b', 'x/y:b')] }, { labels: { keep: '1', drop: '1' } }), 'mgr-a', false));
    const out = fm().apply(a, is({ tags: [tag('b', 'x/y:b')] }, { labels: { keep: '1' } }), 'mgr-a', false);
    assert.deepEqual((out.spec as { tags: { name: string }[] }).tags.map((t) => t.name), ['b']);
    assert.deepEqual(out.metadata.labels, { keep: '1' });
  });

  it('an item without its key is the typed-patch error, as a 400', () => {
    assert.throws(
      () => fm().apply(undefined, is({ tags: [{ from: { kind: 'DockerImage', name: 'x' } }] }), 'm', false),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 400 &&
        e.status.reason === 'BadRequest' &&
        e.status.message === 'failed to create typed patch object (ns/is; image.openshift.io/v1, Kind=ImageStream): .spec.tags: associative list with keys has an element that omits key field "name"',
    );
  });
});
