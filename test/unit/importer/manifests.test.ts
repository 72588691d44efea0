import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { computeDigest } from '../../../src/image/api/digest.js';
import { decodeManifest, MANIFEST_ACCEPT } from '../../../src/image/importer/manifests.js';
import { RegistryError } from '../../../src/image/importer/errors.js';
import { AMD64_DIGEST, AMD64_MANIFEST, LIST, LIST_DIGEST, MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, SCHEMA2, schema1Payload, signSchema1 } from '../image/fixtures.js';

const init = { registry: 'r.io', reference: 'r.io/a/b:t', repository: 'a/b' };
const buf = (s: string) => Buffer.from(s, 'utf8');
const kindOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryError) return `${err.kind}: ${err.message}`;
    throw err;
  }
  return 'ok';
};

describe('manifest responses', () => {
  it('asks for all four OCI and Docker types (and schema1)', () => {
    for (const t of [OCI_MANIFEST, OCI_INDEX, SCHEMA2, LIST]) assert.ok(MANIFEST_ACCEPT.includes(t), t);
  });

  it('decodes a Docker schema2 manifest and checks it hashes to the requested digest', () => {
    const m = decodeManifest(buf(AMD64_MANIFEST), `${SCHEMA2}; charset=utf-8`, { requested: AMD64_DIGEST, announced: AMD64_DIGEST }, init);
    assert.equal(m.kind, 'docker-schema2');
    assert.equal(m.mediaType, SCHEMA2);
    assert.equal(m.digest, AMD64_DIGEST);
    assert.equal(m.config?.digest, 'sha256:a2a15febcdf362f6115e801d37b5e60d6faaeedcb9896155e5fe9d754025be12');
    assert.equal(m.layers.length, 4);
  });

  it('decodes a manifest list with its platforms', () => {
    const m = decodeManifest(buf(MANIFEST_LIST), LIST, { requested: LIST_DIGEST }, init);
    assert.equal(m.kind, 'docker-list');
    assert.deepEqual(
      m.entries?.map((e) => `${e.os}/${e.architecture}${e.variant ? `/${e.variant}` : ''}`),
      ['linux/amd64', 'linux/arm64/v8'],
    );
  });

  it('sniffs the kind when the registry sends a generic content type', () => {
    const oci = JSON.stringify({ schemaVersion: 2, config: { mediaType: 'x', digest: AMD64_DIGEST, size: 1 }, layers: [] });
    assert.equal(decodeManifest(buf(oci), 'application/json', {}, init).kind, 'oci-manifest');
    const index = JSON.stringify({ schemaVersion: 2, manifests: [] });
    assert.equal(decodeManifest(buf(index), undefined, {}, init).kind, 'oci-index');
    assert.equal(decodeManifest(buf(MANIFEST_LIST), 'text/plain', {}, init).kind, 'docker-list');
  });

  it('names signed schema1 by its payload without signatures', () => {
    const payload = schema1Payload();
    const signed = signSchema1(payload);
    const canonical = computeDigest(payload);
    const m = decodeManifest(buf(signed), 'application/vnd.docker.distribution.manifest.v1+prettyjws', { requested: canonical }, init);
    assert.equal(m.kind, 'schema1');
    assert.equal(m.digest, canonical);
    assert.notEqual(computeDigest(signed), canonical);
    assert.equal(m.layers.length, 4);
    // Unsigned schema1 is named by its bytes.
    assert.equal(decodeManifest(buf(payload), 'application/json', {}, init).digest, canonical);
  });

  it('rejects content that does not hash to the digest asked for or announced', () => {
    const other = `sha256:${'0'.repeat(64)}`;
    assert.equal(
      kindOf(() => decodeManifest(buf(AMD64_MANIFEST), SCHEMA2, { requested: other }, init)),
      `DigestMismatch: content integrity error: the manifest retrieved (media type: ${SCHEMA2}) with digest ${other} does not match the digest calculated from the content ${AMD64_DIGEST}`,
    );
    assert.match(kindOf(() => decodeManifest(buf(AMD64_MANIFEST), SCHEMA2, { announced: other }, init)), /^DigestMismatch: /);
    // A sha512 announcement is checked with sha512.
    assert.equal(kindOf(() => decodeManifest(buf(AMD64_MANIFEST), SCHEMA2, { announced: computeDigest(AMD64_MANIFEST, 'sha512') }, init)), 'ok');
  });

  it('rejects what is not a manifest, saying why', () => {
    assert.match(kindOf(() => decodeManifest(buf('{nope'), SCHEMA2, {}, init)), /^InvalidManifest: invalid manifest: the content is not JSON/);
    assert.match(kindOf(() => decodeManifest(Buffer.from([0xff, 0xfe, 0x7b]), SCHEMA2, {}, init)), /not UTF-8/);
    assert.match(kindOf(() => decodeManifest(buf('[]'), SCHEMA2, {}, init)), /not a JSON object/);
    assert.match(kindOf(() => decodeManifest(buf('{"schemaVersion":3}'), 'application/vnd.example+json', {}, init)), /unsupported manifest media type "application\/vnd.example\+json"/);
    assert.match(kindOf(() => decodeManifest(buf(AMD64_MANIFEST), OCI_INDEX, {}, init)), /mediaType in manifest should be/);
    assert.match(kindOf(() => decodeManifest(buf(MANIFEST_LIST), SCHEMA2, {}, init)), /mediaType in manifest should be/);
    const noConfig = JSON.stringify({ schemaVersion: 2, mediaType: SCHEMA2, layers: [] });
    assert.match(kindOf(() => decodeManifest(buf(noConfig), SCHEMA2, {}, init)), /no config descriptor/);
    const badEntry = JSON.stringify({ schemaVersion: 2, mediaType: LIST, manifests: [{ digest: 'nope' }] });
    assert.match(kindOf(() => decodeManifest(buf(badEntry), LIST, {}, init)), /no valid digest/);
  });
});
