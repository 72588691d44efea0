import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RESTStorage } from '../../../src/apiserver/registry/rest.js';
import { buildOpenAPIV2, buildOpenAPIV3 } from '../../../src/apiserver/openapi/documents.js';
import { encodeOpenAPIV2 } from '../../../src/apiserver/openapi/protobuf-v2.js';
import type { GroupAPI } from '../../../src/apiserver/openapi/operations.js';
import { TypeModel } from '../../../src/apiserver/openapi/type-model.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';
import { imageProtobuf } from '../../../src/image/api/protobuf.js';
import { recorded } from '../../support/reference.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking arbitrary OpenAPI JSON

const never = (): never => {
  throw new Error('not called');
};

/** Storages with exactly the verbs openshift-apiserver lists for image.openshift.io/v1. */
function openshiftLikeGroup(): GroupAPI {
  const list = recorded<{ resources: { name: string; kind: string; namespaced: boolean; verbs: string[]; singularName: string }[] }>('discovery-v1-resourcelist.json');
  const resources = new Map<string, RESTStorage>();
  for (const r of list.resources) {
    const parent = list.resources.find((p) => p.name === r.name.split('/')[0]);
    const s: Record<string, unknown> = {
      info: { group: 'image.openshift.io', version: 'v1', resource: r.name.split('/')[0], kind: r.kind, listKind: `${r.kind}List`, singular: parent?.singularName ?? '', namespaced: r.namespaced },
    };
    const v = new Set(r.verbs);
    if (v.has('get')) s.get = never;
    if (v.has('list')) s.list = never;
    if (v.has('watch')) s.watch = never;
    if (v.has('create')) s.create = never;
    if (v.has('update')) s.update = never;
    if (v.has('delete')) s.delete = never;
    if (v.has('deletecollection')) s.deleteCollection = never;
    if (r.name.endsWith('/secrets')) s.getOptions = 'list';
    resources.set(r.name, s as unknown as RESTStorage);
  }
  return { group: 'image.openshift.io', version: 'v1', resources, typeModel: new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName }), protobuf: imageProtobuf };
}

const info = { title: 'test', version: 'v0' };

/** Sorted keys, without GVK lists (ours omit the legacy OpenShift "" group). */
function normalized(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(normalized);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => k !== 'x-kubernetes-group-version-kind')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalized(v)]),
    );
  }
  return x;
}

const names = (params: Json[] | undefined): string[] => (params ?? []).map((p) => String(p.name)).sort();

describe('OpenAPI documents built from storages and api-schemas', () => {
  const api = openshiftLikeGroup();
  const v3 = buildOpenAPIV3(api, info) as Json;
  const v2 = buildOpenAPIV2([api], info) as Json;
  const want3 = recorded<Json>('openapi-v3-apis-image.openshift.io-v1.json');
  const want2 = recorded<Json>('openapi-v2-image.openshift.io-filtered.json');

  it('v3: the same paths, operations, parameters, bodies and responses as openshift-apiserver', () => {
    assert.deepEqual(Object.keys(v3.paths).sort(), Object.keys(want3.paths).sort());
    for (const [path, item] of Object.entries(want3.paths as Json)) {
      const ours = v3.paths[path] as Json;
      assert.deepEqual(names(ours.parameters), names(item.parameters), `${path}: path parameters`);
      const methods = Object.keys(item).filter((k) => k !== 'parameters');
      assert.deepEqual(Object.keys(ours).filter((k) => k !== 'parameters').sort(), methods.sort(), path);
      for (const m of methods) {
        const [a, b] = [item[m] as Json, ours[m] as Json];
        const where = `${m} ${path}`;
        for (const k of ['operationId', 'description', 'tags', 'x-kubernetes-action', 'x-kubernetes-group-version-kind']) assert.deepEqual(b[k], a[k], `${where}: ${k}`);
        assert.deepEqual(names(b.parameters), names(a.parameters), `${where}: parameters`);
        assert.deepEqual(Object.keys(b.requestBody?.content ?? {}).sort(), Object.keys(a.requestBody?.content ?? {}).sort(), `${where}: request body types`);
        assert.equal(b.requestBody?.required, a.requestBody?.required, `${where}: body required`);
        const schemaOf = (r: Json): unknown => (Object.values(r.content ?? {})[0] as Json | undefined)?.schema;
        assert.deepEqual(Object.keys(b.responses), Object.keys(a.responses), `${where}: response codes`);
        for (const code of Object.keys(a.responses)) {
          assert.deepEqual(schemaOf(b.responses[code]), schemaOf(a.responses[code]), `${where}: ${code}`);
          assert.deepEqual(Object.keys(b.responses[code].content ?? {}), Object.keys(a.responses[code].content ?? {}), `${where}: ${code} content types (protobuf included)`);
        }
      }
    }
  });

  it('v3: the same schemas, with list types and merge keys; only create-only kinds differ (status not required)', () => {
    assert.deepEqual(Object.keys(v3.components.schemas).sort(), Object.keys(want3.components.schemas).sort());
    for (const [name, schema] of Object.entries(want3.components.schemas as Json)) {
      const ours = v3.components.schemas[name] as Json;
      if (name.endsWith('.ImageStreamImport')) {
        assert.deepEqual(ours.required, ['spec']);
        assert.deepEqual(normalized({ ...ours, required: undefined }), normalized({ ...schema, required: undefined }));
        continue;
      }
      assert.deepEqual(normalized(ours), normalized(schema), name);
      const gvks = (s: Json): Json[] => (s['x-kubernetes-group-version-kind'] ?? []).filter((g: Json) => g.group === 'image.openshift.io');
      assert.deepEqual(gvks(ours), gvks(schema), `${name}: group-version-kinds (an array on schemas)`);
    }
    const spec = v3.components.schemas['com.github.openshift.api.image.v1.ImageStreamSpec'] as Json;
    assert.equal(spec.properties.tags['x-kubernetes-patch-merge-key'], 'name');
    const mapping = v3.components.schemas['com.github.openshift.api.image.v1.ImageStreamMapping'] as Json;
    assert.equal(mapping.required.includes('status'), false);
  });

  it('v2: KAS-identical meta definitions (no defaults), consumes per PATCH, GVK objects on operations', () => {
    for (const [name, def] of Object.entries(v2.definitions as Json)) {
      const recordedDef = want2.definitions[name];
      if (!recordedDef || name.endsWith('.ImageStreamImport')) continue;
      assert.deepEqual(normalized(def), normalized(recordedDef), name);
    }
    for (const [path, item] of Object.entries(want2.paths as Json)) {
      for (const [m, op] of Object.entries(item as Json)) {
        if (m === 'parameters' || !v2.paths[path]?.[m]) continue;
        assert.deepEqual(v2.paths[path][m].produces, (op as Json).produces, `${m} ${path}: produces (protobuf included)`);
        assert.deepEqual(v2.paths[path][m].consumes, (op as Json).consumes, `${m} ${path}: consumes`);
      }
    }
    const patch = v2.paths['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}'].patch as Json;
    assert.deepEqual(patch.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'image.openshift.io', kind: 'ImageStream', version: 'v1' });
    assert.ok(names(patch.parameters).includes('fieldValidation'));
  });

  it('both validate as OpenAPI (2.0 and 3.0) and every $ref resolves', async () => {
    for (const [doc, version] of [
      [v2, '2.0'],
      [v3, '3.0'],
    ] as const) {
      const validator = new Validator();
      const res = await validator.validate(structuredClone(doc));
      assert.equal(res.valid, true, JSON.stringify(res.errors)?.slice(0, 2000));
      assert.equal(validator.version, version);
      assert.doesNotThrow(() => validator.resolveRefs());
    }
  });

  it('resources whose kind has no schema are left out', () => {
    const bare: GroupAPI = { ...api, typeModel: new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: () => undefined }) };
    assert.deepEqual(Object.keys(buildOpenAPIV3(bare, info).paths as Json), ['/apis/image.openshift.io/v1/'], 'resources without schemas are not documented');
  });
});

/** A protobuf reader just good enough to walk the encoded document: field -> raw values. */
function fields(buf: Buffer): Map<number, (Buffer | number)[]> {
  const out = new Map<number, (Buffer | number)[]>();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    const [field, wire] = [Math.floor(tag / 8), tag % 8];
    let v: Buffer | number;
    if (wire === 0) v = varint();
    else if (wire === 1) {
      v = buf.readDoubleLE(i);
      i += 8;
    } else {
      const len = varint();
      v = buf.subarray(i, i + len);
      i += len;
    }
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}

describe('OpenAPI v2 as protobuf (gnostic openapi.v2.Document)', () => {
  it('carries the paths, the PATCH operation with its GVK extension and parameters, and the definitions', () => {
    const doc = buildOpenAPIV2([openshiftLikeGroup()], info);
    const top = fields(encodeOpenAPIV2(doc));
    assert.equal(String(top.get(1)?.[0]), '2.0');
    const paths = fields(top.get(8)?.[0] as Buffer).get(2) as Buffer[];
    const byName = new Map(paths.map((p) => {
      const f = fields(p);
      return [String(f.get(1)?.[0]), f.get(2)?.[0] as Buffer];
    }));
    assert.equal(byName.size, Object.keys(doc.paths as Json).length);
    const item = fields(byName.get('/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}') as Buffer);
    const patch = fields(item.get(8)?.[0] as Buffer);
    assert.equal(String(patch.get(5)?.[0]), 'patchImageOpenshiftIoV1NamespacedImageStream');
    const ext = (patch.get(13) as Buffer[]).map((e) => fields(e)).find((e) => String(e.get(1)?.[0]) === 'x-kubernetes-group-version-kind');
    const yaml = String(fields(ext?.get(2)?.[0] as Buffer).get(2)?.[0]);
    assert.deepEqual(JSON.parse(yaml), { group: 'image.openshift.io', kind: 'ImageStream', version: 'v1' });
    const paramNames = (patch.get(8) as Buffer[]).map((p) => {
      const param = fields(fields(p).get(1)?.[0] as Buffer);
      const nonBody = param.get(2)?.[0] as Buffer | undefined;
      if (!nonBody) return 'body';
      return String(fields(fields(nonBody).get(3)?.[0] as Buffer).get(4)?.[0]);
    });
    assert.deepEqual(paramNames, ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']);
    const defs = fields(top.get(9)?.[0] as Buffer).get(1) as Buffer[];
    assert.equal(defs.length, Object.keys(doc.definitions as Json).length);
  });
});
