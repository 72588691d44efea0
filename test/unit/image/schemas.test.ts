import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from '@jest/globals';
import { isRFC3339 } from '../../../src/image/api/formats.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';
import { SHARED_DIR } from '../../support/reference.js';


describe('api-schemas: the definitions are the reference OpenAPI, verbatim', () => {
  test('same 52 definitions as the reference file', () => {
    const reference = JSON.parse(readFileSync(`${SHARED_DIR}/reference/image.openshift.io-v1.openapi.json`, 'utf8')) as unknown;
    // Compared as JSON: Jest loads JSON modules outside the test's realm.
    assert.deepEqual(JSON.parse(JSON.stringify(imageApiDocument)), reference);
    assert.equal(Object.keys(imageApiDocument.definitions).length, 52);
    assert.ok(imageApiDocument.definitions[imageDefinitionName('ImageStream')]);
  });
});

describe('string formats', () => {
  test('RFC 3339 as Go parses it', () => {
    for (const ok of ['2026-11-27T05:19:24Z', '2019-08-15T07:28:14.830150536Z', '2020-02-29T00:00:00+05:30']) assert.ok(isRFC3339(ok), ok);
    for (const bad of ['', '2026-11-27', '2026-11-27 05:19:24Z', '2026-13-01T00:00:00Z', '2019-02-29T00:00:00Z', '2026-11-27t05:19:24z', '2026-11-27T24:00:00Z']) {
      assert.ok(!isRFC3339(bad), bad);
    }
  });
});
