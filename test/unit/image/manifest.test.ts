import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { computeDigest } from '../../../src/image/api/digest.js';
import {
  baseMediaType,
  configMatchesManifest,
  decodeLooseManifest,
  manifestListEntries,
  manifestMatchesDigest,
  schema1CanonicalPayload,
} from '../../../src/image/api/manifest.js';
import {
  AMD64_CONFIG,
  AMD64_DIGEST,
  AMD64_MANIFEST,
  ARM64_DIGEST,
  LIST,
  LIST_DIGEST,
  MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  SCHEMA2,
  schema1Payload,
  signSchema1,
} from './fixtures.js';

describe('fixture digests', () => {
  test('are the sha256 of the fixture bytes', () => {
    assert.equal(computeDigest(AMD64_MANIFEST), AMD64_DIGEST);
    assert.equal(computeDigest(MANIFEST_LIST), LIST_DIGEST);
  });
});

describe('decoding manifests loosely (any schema)', () => {
  test('schema2 fields', () => {
    const m = decodeLooseManifest(AMD64_MANIFEST);
    assert.equal(m.schemaVersion, 2);
    assert.equal(m.mediaType, SCHEMA2);
    assert.equal(m.config.digest, 'sha256:a2a15febcdf362f6115e801d37b5e60d6faaeedcb9896155e5fe9d754025be12');
    assert.equal(m.layers.length, 4);
    assert.equal(m.layers[0]?.size, 26687415);
  });
  test('keys match case-insensitively, like Go struct decoding', () => {
    assert.equal(decodeLooseManifest('{"SchemaVersion": 2, "MEDIATYPE": "x"}').mediaType, 'x');
  });
  test('wrong JSON types and broken JSON throw', () => {
    assert.throws(() => decodeLooseManifest('{"schemaVersion": "2"}'), { name: 'GoJSONError' });
    assert.throws(() => decodeLooseManifest('{"layers": {}}'), { name: 'GoJSONError' });
    assert.throws(() => decodeLooseManifest('{'), { name: 'GoJSONError' });
  });
});

describe('manifest lists and OCI indexes', () => {
  test('entries of the fixture list, variant only where set', () => {
    assert.deepEqual(manifestListEntries(LIST, MANIFEST_LIST), [
      { digest: AMD64_DIGEST, mediaType: SCHEMA2, manifestSize: 1152, architecture: 'amd64', os: 'linux' },
      { digest: ARM64_DIGEST, mediaType: SCHEMA2, manifestSize: 1152, architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
  });
  test('the declared media type picks the parser (parameters and case ignored)', () => {
    assert.equal(baseMediaType(' Application/Vnd.Docker.Distribution.Manifest.List.v2+JSON; charset=utf-8'), LIST);
    assert.equal(manifestListEntries(`${LIST}; charset=utf-8`, MANIFEST_LIST)?.length, 2);
    assert.equal(manifestListEntries('', MANIFEST_LIST), null, 'no sniffing of the body');
    assert.equal(manifestListEntries(SCHEMA2, MANIFEST_LIST), null);
  });
  test('a docker list must say so in its body', () => {
    assert.equal(manifestListEntries(LIST, MANIFEST_LIST.replace(LIST, OCI_INDEX)), null);
  });
  test('an OCI index may omit its media type but must not look like a manifest', () => {
    const index = JSON.stringify({ schemaVersion: 2, manifests: [{ digest: AMD64_DIGEST, mediaType: OCI_MANIFEST, size: 5, platform: { architecture: 'amd64', os: 'linux' } }] });
    assert.equal(manifestListEntries(OCI_INDEX, index)?.length, 1);
    assert.equal(manifestListEntries(OCI_INDEX, JSON.stringify({ ...JSON.parse(index), mediaType: OCI_INDEX }))?.length, 1);
    assert.equal(manifestListEntries(OCI_INDEX, JSON.stringify({ ...JSON.parse(index), mediaType: LIST })), null);
    assert.equal(manifestListEntries(OCI_INDEX, JSON.stringify({ ...JSON.parse(index), config: {} })), null);
    assert.equal(manifestListEntries(OCI_INDEX, '{"manifests": 1}'), null);
  });
});

describe('does a new manifest hash to the image name?', () => {
  test('schema2: the exact bytes are hashed', () => {
    assert.ok(manifestMatchesDigest(AMD64_DIGEST, SCHEMA2, AMD64_MANIFEST));
    assert.ok(!manifestMatchesDigest(AMD64_DIGEST, SCHEMA2, `${AMD64_MANIFEST} `));
    assert.ok(!manifestMatchesDigest(ARM64_DIGEST, SCHEMA2, AMD64_MANIFEST));
  });
  test('read as the image media type: an OCI image rejects a docker-typed body', () => {
    assert.ok(!manifestMatchesDigest(AMD64_DIGEST, OCI_MANIFEST, AMD64_MANIFEST));
    const oci = AMD64_MANIFEST.replace(SCHEMA2, OCI_MANIFEST);
    assert.ok(manifestMatchesDigest(computeDigest(oci), OCI_MANIFEST, oci));
    assert.ok(!manifestMatchesDigest(computeDigest(oci), SCHEMA2, oci), 'schema2 requires its own media type');
  });
  test('schema1 (or no media type): the signed payload is hashed, unsigned never matches', () => {
    const payload = schema1Payload();
    const signed = signSchema1(payload);
    assert.notEqual(signed, payload);
    assert.deepEqual(schema1CanonicalPayload(Buffer.from(signed)).toString(), payload);
    const digest = computeDigest(payload);
    assert.ok(manifestMatchesDigest(digest, '', signed));
    assert.ok(manifestMatchesDigest(digest, 'application/vnd.docker.distribution.manifest.v1+json', signed));
    assert.ok(!manifestMatchesDigest(digest, '', payload), 'no signatures');
    assert.ok(!manifestMatchesDigest(digest, '', signSchema1(payload, { formatLengthDelta: 10_000 })), 'format length beyond the content');
  });
  test('other media types and non-digest names never match', () => {
    assert.ok(!manifestMatchesDigest(LIST_DIGEST, LIST, MANIFEST_LIST));
    assert.ok(!manifestMatchesDigest('image1', SCHEMA2, AMD64_MANIFEST));
  });
});

describe('does a new config match the manifest?', () => {
  const manifestFor = (config: string, mediaType = SCHEMA2): string =>
    JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: computeDigest(config) }, layers: [] });

  test('schema2 and OCI: the config must hash to the manifest config digest', () => {
    assert.ok(configMatchesManifest(SCHEMA2, manifestFor(AMD64_CONFIG), AMD64_CONFIG));
    assert.ok(configMatchesManifest(OCI_MANIFEST, manifestFor(AMD64_CONFIG, OCI_MANIFEST), AMD64_CONFIG));
    assert.ok(!configMatchesManifest(SCHEMA2, manifestFor(AMD64_CONFIG), `${AMD64_CONFIG}\n`));
    // The fixture manifest names the original config blob, not this pretty-printed copy.
    assert.ok(!configMatchesManifest(SCHEMA2, AMD64_MANIFEST, AMD64_CONFIG));
  });
  test('other media types never accept a config', () => {
    assert.ok(!configMatchesManifest('', manifestFor(AMD64_CONFIG), AMD64_CONFIG));
    assert.ok(!configMatchesManifest(LIST, manifestFor(AMD64_CONFIG), AMD64_CONFIG));
  });
});
