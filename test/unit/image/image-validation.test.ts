import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { FieldPath } from '../../../src/apiserver/errors/field.js';
import type { Image, ImageManifest, ImageSignature } from '../../../src/image/api/types.js';
import {
  validateImage,
  validateImageManifests,
  validateImageSignature,
  validateImageSignatureUpdate,
  validateImageUpdate,
} from '../../../src/image/api/validation/image.js';

const render = (errs: { toString(): string }[]): string[] => errs.map(String);
const SHA = 'sha256:82bc737c1fede1c1534446cd5fdd0737c4e0f3650454c9e1905e2d70af95778e';
const BLOB = Buffer.from('blob').toString('base64');

function image(rest: Partial<Image> = {}): Image {
  return { metadata: { name: SHA }, dockerImageReference: `registry:5000/ns/is@${SHA}`, ...rest };
}

describe('image validation', () => {
  test('a minimal image passes; its name need not be a digest', () => {
    assert.deepEqual(validateImage(image()), []);
    assert.deepEqual(validateImage(image({ metadata: { name: 'an_image_to_be_deleted' } })), []);
  });

  test('name rules are path-segment rules; images are cluster-scoped', () => {
    assert.deepEqual(render(validateImage(image({ metadata: {} }))), ['metadata.name: Required value: name or generateName is required']);
    assert.deepEqual(render(validateImage(image({ metadata: { name: 'a/b%c' } }))), [
      `metadata.name: Invalid value: "a/b%c": may not contain '/'`,
      `metadata.name: Invalid value: "a/b%c": may not contain '%'`,
    ]);
    assert.deepEqual(render(validateImage(image({ metadata: { name: 'x', namespace: 'ns' } }))), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  test('dockerImageReference is required and must parse', () => {
    assert.deepEqual(render(validateImage(image({ dockerImageReference: '' }))), ['dockerImageReference: Required value']);
    assert.deepEqual(render(validateImage(image({ dockerImageReference: 'a@sha256:123' }))), [
      'dockerImageReference: Invalid value: "a@sha256:123": invalid reference format',
    ]);
  });

  test('dockerImageLayers must be empty when dockerImageManifests is set', () => {
    const manifests: ImageManifest[] = [{ digest: SHA, mediaType: 'a/b', manifestSize: 1, architecture: 'amd64', os: 'linux' }];
    assert.deepEqual(validateImage(image({ dockerImageManifests: manifests })), []);
    assert.deepEqual(render(validateImage(image({ dockerImageManifests: manifests, dockerImageLayers: [{ name: 'l', size: 1, mediaType: 'm' }] }))), [
      'dockerImageLayers: Invalid value: [{"name":"l","size":1,"mediaType":"m"}]: dockerImageLayers should not be set when dockerImageManifests is set',
    ]);
  });

  test('signatures are validated with their index in the path', () => {
    const errs = render(validateImage(image({ signatures: [{ metadata: { name: 'img@sig' }, type: 't', content: BLOB }, { metadata: { name: 'nosig' }, content: BLOB }] })));
    assert.deepEqual(errs, [
      'signatures[1].metadata.name: Invalid value: "nosig": name must be of format <imageName>@<signatureName>',
      'signatures[1].type: Required value',
    ]);
  });

  test('an unknown dockerImageMetadataVersion is refused up front (upstream fails when encoding)', () => {
    assert.deepEqual(validateImage(image({ dockerImageMetadataVersion: 'pre012' })), []);
    assert.deepEqual(render(validateImage(image({ dockerImageMetadataVersion: '2.0' }))), [
      'dockerImageMetadataVersion: Unsupported value: "2.0": supported values: "1.0", "pre012"',
    ]);
  });

  test('update: metadata update rules plus full validation', () => {
    const old = image({ metadata: { name: SHA, resourceVersion: '1', uid: 'u' } });
    assert.deepEqual(validateImageUpdate(image({ metadata: { name: SHA, resourceVersion: '1', uid: 'u' }, dockerImageReference: 'other/ref' }), old), []);
    assert.deepEqual(render(validateImageUpdate(image({ metadata: { name: 'renamed', resourceVersion: '1', uid: 'u' } }), old)), [
      'metadata.name: Invalid value: "renamed": field is immutable',
    ]);
  });
});

describe('manifest list entries', () => {
  const path = FieldPath.root('dockerImageManifests');
  const ok: ImageManifest = { digest: SHA, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifestSize: 10, architecture: 'amd64', os: 'linux' };

  test('a valid entry passes', () => {
    assert.deepEqual(validateImageManifests([ok], path), []);
  });
  test('digest, media type, architecture, os and size rules', () => {
    const bad: ImageManifest = { digest: 'abc', mediaType: 'foobar', manifestSize: -1 };
    assert.deepEqual(render(validateImageManifests([ok, bad], path)), [
      'dockerImageManifests[1].digest: Invalid value: "abc": digest does not conform with OCI image specification',
      'dockerImageManifests[1].mediaType: Invalid value: "foobar": media type does not conform to RFC6838',
      'dockerImageManifests[1].architecture: Required value',
      'dockerImageManifests[1].os: Required value',
      'dockerImageManifests[1].size: Invalid value: -1: manifest size cannot be negative',
    ]);
  });
  test('the digest pattern is searched, not anchored (as upstream)', () => {
    assert.deepEqual(validateImageManifests([{ ...ok, digest: `junk ${'x'}:${'0'.repeat(32)} junk` }], path), []);
  });
  test('media types allow surrounding spaces and RFC 6838 characters', () => {
    assert.deepEqual(validateImageManifests([{ ...ok, mediaType: ' application/vnd.a+json ' }], path), []);
    assert.equal(validateImageManifests([{ ...ok, mediaType: 'a/b/c' }], path).length, 1);
  });
});

describe('image signatures', () => {
  const base: ImageSignature = { metadata: { name: 'imgname@valid' }, type: 'valid', content: BLOB };
  const check = (sig: ImageSignature): string[] => render(validateImageSignature(sig));

  test('valid signature', () => {
    assert.deepEqual(check(base), []);
  });

  test('valid trusted signature with identity', () => {
    const sig: ImageSignature = {
      ...base,
      conditions: [
        { type: 'Trusted', status: 'True' },
        { type: 'ForImage', status: 'True' },
      ],
      imageIdentity: 'registry.company.ltd/app/core:v1.2',
    };
    assert.deepEqual(check(sig), []);
  });

  test('the latest Trusted condition decides (equal probe times: later wins)', () => {
    const sig: ImageSignature = {
      ...base,
      conditions: [
        { type: 'Trusted', status: 'True' },
        { type: 'ForImage', status: 'False' },
        { type: 'Trusted', status: 'False' },
      ],
      imageIdentity: 'x',
    };
    assert.deepEqual(check(sig), []);
    const unknownLast: ImageSignature = { ...sig, conditions: [...(sig.conditions ?? []), { type: 'Trusted', status: 'Unknown' }] };
    assert.deepEqual(check(unknownLast), ['imageIdentity: Invalid value: "x": must be unset for unknown signature state']);
  });

  test('lastProbeTime orders Trusted conditions', () => {
    const sig: ImageSignature = {
      ...base,
      conditions: [
        { type: 'Trusted', status: 'Unknown', lastProbeTime: '2020-01-02T00:00:00Z' },
        { type: 'ForImage', status: 'True' },
        { type: 'Trusted', status: 'True', lastProbeTime: '2020-01-01T00:00:00Z' },
      ],
      imageIdentity: 'x',
    };
    assert.deepEqual(check(sig), ['imageIdentity: Invalid value: "x": must be unset for unknown signature state']);
  });

  test('invalid name and missing type', () => {
    assert.deepEqual(check({ metadata: { name: 'notype' }, content: BLOB }), [
      'metadata.name: Invalid value: "notype": name must be of format <imageName>@<signatureName>',
      'type: Required value',
    ]);
  });

  test('missing content', () => {
    assert.deepEqual(check({ metadata: { name: 'img@nocontent' }, type: 'invalid' }), ['content: Required value']);
  });

  test('a Trusted condition needs a ForImage one and vice versa', () => {
    assert.deepEqual(check({ ...base, conditions: [{ type: 'Trusted', status: 'True' }], imageIdentity: 'x' }), [
      'conditions: Invalid value: [{"type":"Trusted","status":"True"}]: missing "ForImage" condition type',
    ]);
    assert.deepEqual(check({ ...base, conditions: [{ type: 'ForImage', status: 'True' }] }), [
      'conditions: Invalid value: [{"type":"ForImage","status":"True"}]: missing "Trusted" condition type',
    ]);
  });

  test('labels and annotations are forbidden', () => {
    assert.deepEqual(check({ ...base, metadata: { name: 'img@annotated', annotations: { key: 'value' }, labels: { label: 'value' } } }), [
      'metadata.labels: Forbidden: signature labels cannot be set',
      'metadata.annotations: Forbidden: signature annotations cannot be set',
    ]);
  });

  test('filled metadata for an unknown signature state', () => {
    const sig: ImageSignature = {
      metadata: { name: 'img@metadatafilled' },
      type: 'invalid',
      content: BLOB,
      conditions: [
        { type: 'Trusted', status: 'Unknown' },
        { type: 'ForImage', status: 'Unknown' },
      ],
      imageIdentity: 'registry.company.ltd/app/core:v1.2',
      signedClaims: { claim: 'value' },
      issuedBy: { organization: 'org' },
      issuedTo: { publicKeyID: 'id' },
    };
    assert.deepEqual(check(sig), [
      'imageIdentity: Invalid value: "registry.company.ltd/app/core:v1.2": must be unset for unknown signature state',
      'signedClaims: Invalid value: {"claim":"value"}: must be unset for unknown signature state',
      'issuedBy: Invalid value: {"organization":"org"}: must be unset for unknown signature state',
      'issuedTo: Invalid value: {"publicKeyID":"id"}: must be unset for unknown signature state',
    ]);
  });

  test('without any condition, identity fields must be unset too', () => {
    assert.deepEqual(check({ ...base, issuedTo: { publicKeyID: 'k' } }), ['issuedTo: Invalid value: {"publicKeyID":"k"}: must be unset for unknown signature state']);
  });

  test('a condition list that crashes upstream is a 422 field error here', () => {
    assert.deepEqual(check({ ...base, conditions: [{ type: 'Expired', status: 'True' }] }), [
      'conditions: Invalid value: [{"type":"Expired","status":"True"}]: condition 0 of type "Expired" must not come before the "ForImage" condition',
    ]);
    const olderTrusted: ImageSignature = {
      ...base,
      conditions: [
        { type: 'Trusted', status: 'True', lastProbeTime: '2020-01-02T00:00:00Z' },
        { type: 'Trusted', status: 'True', lastProbeTime: '2020-01-01T00:00:00Z' },
        { type: 'ForImage', status: 'True' },
      ],
    };
    assert.match(check(olderTrusted)[0] ?? '', /condition 1 of type "Trusted" must not come before the "ForImage" condition$/);
  });

  test('after a ForImage condition, other condition types are harmless', () => {
    const sig: ImageSignature = {
      ...base,
      conditions: [
        { type: 'ForImage', status: 'True' },
        { type: 'Expired', status: 'False' },
        { type: 'Trusted', status: 'True' },
      ],
      imageIdentity: 'x',
    };
    assert.deepEqual(check(sig), []);
  });

  test('update through imagesignatures: type and content are immutable', () => {
    const old: ImageSignature = { ...base, metadata: { name: 'img@s', resourceVersion: '1' } };
    assert.deepEqual(validateImageSignatureUpdate({ ...old }, old), []);
    assert.deepEqual(render(validateImageSignatureUpdate({ ...old, type: 'other', content: Buffer.from('x').toString('base64') }, old)), [
      'type: Forbidden: cannot change signature type',
      'content: Forbidden: cannot change signature content',
    ]);
  });
});
