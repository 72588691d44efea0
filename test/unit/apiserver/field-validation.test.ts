import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { scanJSON, scanYAML } from '../../../src/apiserver/endpoints/duplicate-fields.js';
import { checkFields, strictErrors } from '../../../src/apiserver/endpoints/field-validation.js';
import { managerFromUserAgent } from '../../../src/apiserver/endpoints/resource-handler.js';
import { ShapeValidators } from '../../../src/apiserver/openapi/shape-validators.js';
import { TypeModel } from '../../../src/apiserver/openapi/type-model.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';

const model = new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName });

describe('duplicate field scanning', () => {
  it('finds repeated keys with their paths in JSON, inside arrays too', () => {
    const text = '{"a":{"b":1,"b":2},"c":[{"d":1},{"d":1,"d":[1,{"e":"x\\"y"}]}],"a":null}';
    assert.deepEqual(JSON.parse(text), { a: null, c: [{ d: 1 }, { d: [1, { e: 'x"y' }] }] });
    const found = scanJSON(text);
    assert.deepEqual(
      found.duplicates.map((d) => d.path),
      ['a.b', 'c[1].d', 'a'],
    );
    assert.ok((found.firstSeen.get('c') ?? 0) > (found.firstSeen.get('a') ?? 0));
  });

  it('and in YAML', () => {
    const found = scanYAML('metadata:\n  name: x\n  name: y\nspec:\n  tags:\n  - name: a\n    name: b\n');
    assert.deepEqual(
      found.duplicates.map((d) => d.path),
      ['metadata.name', 'spec.tags[0].name'],
    );
  });
});

describe('typed decoding', () => {
  const stream = new ShapeValidators(model, ['ImageStream']).forKind('ImageStream');

  it('drops and names unknown fields, keeping everything declared', () => {
    const check = checkFields({ metadata: { name: 'x', bogus: 1 }, spec: { tags: [{ name: 'a', extra: true }] }, top: 1 }, stream);
    assert.deepEqual(check.unknown, ['metadata.bogus', 'spec.tags[0].extra', 'top']);
    assert.deepEqual(check.value, { metadata: { name: 'x' }, spec: { tags: [{ name: 'a' }] } });
    assert.equal(check.typeError, undefined);
  });

  it("reports the first wrong type as Go's encoding/json does", () => {
    assert.equal(checkFields({ spec: { lookupPolicy: [] } }, stream).typeError, 'json: cannot unmarshal array into Go struct field ImageStreamSpec.spec.lookupPolicy of type v1.ImageLookupPolicy');
    assert.equal(checkFields({ metadata: { generation: '1' } }, stream).typeError, 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64');
    assert.match(String(checkFields({ metadata: { creationTimestamp: 'yesterday' } }, stream).typeError), /^parsing time "yesterday" as "2006-01-02T15:04:05Z07:00"/);
    assert.equal(checkFields({ metadata: { labels: null }, spec: null }, stream).typeError, undefined, 'null is every type');
  });

  it('orders strict errors as the decoder meets them', () => {
    const text = '{"spec":{"x":1},"metadata":{"name":"a","name":"b"}}';
    assert.deepEqual(strictErrors(['spec.x'], scanJSON(text)), ['unknown field "spec.x"', 'duplicate field "metadata.name"']);
  });
});

describe('field manager names', () => {
  it('come from the User-Agent up to the first "/"', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.32.5 (linux/amd64) kubernetes/9894294'), 'kubectl');
    assert.equal(managerFromUserAgent('kube-controller-manager/v1.34.1'), 'kube-controller-manager');
    assert.equal(managerFromUserAgent(undefined), '');
    assert.equal(managerFromUserAgent('x'.repeat(200)).length, 128);
  });
});
