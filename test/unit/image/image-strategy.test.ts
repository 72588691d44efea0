import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { computeDigest } from '../../../src/image/api/digest.js';
import type { Image } from '../../../src/image/api/types.js';
import { ImageStrategy } from '../../../src/image/registry/image/strategy.js';
import {
  AMD64_CONFIG,
  AMD64_DIGEST,
  AMD64_MANIFEST,
  ARM64_DIGEST,
  LIST,
  LIST_DIGEST,
  MANIFEST_LIST,
  recorded,
  SCHEMA2,
} from './fixtures.js';

const NOW = new Date('2030-01-02T03:04:05Z');
const ORDER = 'image.openshift.io/dockerLayersOrder';
const BLOB = Buffer.from('blob').toString('base64');
const render = (errs: { toString(): string }[]): string[] => errs.map(String);

function strategy(log: string[] = []): ImageStrategy {
  return new ImageStrategy({ clock: () => NOW, log: (m) => log.push(m) });
}

/** What the generic store hands the strategy on create. */
function created(body: Image, s = strategy()): Image {
  const img = structuredClone(body);
  img.metadata = { ...img.metadata, uid: 'u', creationTimestamp: '2026-11-27T05:19:24Z', generation: 1 };
  s.prepareForCreate(img);
  img.metadata.resourceVersion = '7';
  return img;
}

const without = (img: Image, ...keys: string[]): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...img, metadata: { ...img.metadata } };
  for (const k of keys) delete (copy.metadata as Record<string, unknown>)[k];
  return copy;
};

describe('image create', () => {
  test('the recorded request becomes the recorded object', () => {
    const img = created(recorded<Image>('request-create-image.json'));
    assert.deepEqual(strategy().validate(img), []);
    strategy().decorate(img);
    const want = recorded<Image>('get-image.json');
    assert.equal(
      JSON.stringify(without(img, 'uid', 'resourceVersion', 'creationTimestamp')),
      JSON.stringify(without(want, 'uid', 'resourceVersion', 'creationTimestamp', 'managedFields')),
    );
  });

  test('generation is left unset, as openshift-apiserver does for images', () => {
    const img = created(recorded<Image>('request-create-image.json'));
    assert.equal(img.metadata.generation, undefined);
  });

  test('a manifest list declared as such gets its entries (client values replaced)', () => {
    const img = created({
      metadata: { name: LIST_DIGEST },
      dockerImageReference: `r/ns/is@${LIST_DIGEST}`,
      dockerImageManifest: MANIFEST_LIST,
      dockerImageManifestMediaType: LIST,
      dockerImageManifests: [{ digest: 'bogus' }],
    });
    assert.deepEqual(img.dockerImageManifests, [
      { digest: AMD64_DIGEST, mediaType: SCHEMA2, manifestSize: 1152, architecture: 'amd64', os: 'linux' },
      { digest: ARM64_DIGEST, mediaType: SCHEMA2, manifestSize: 1152, architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    assert.deepEqual(img.dockerImageMetadata, {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: LIST_DIGEST,
      Created: '2030-01-02T03:04:05Z',
      ContainerConfig: {},
    });
    assert.deepEqual(strategy().validate(img), []);
  });

  test('without a declared list media type the entries are not computed', () => {
    const img = created({ metadata: { name: LIST_DIGEST }, dockerImageReference: 'r/ns/is', dockerImageManifest: MANIFEST_LIST });
    assert.equal(img.dockerImageManifests, undefined);
  });

  test('manifestBlobStored: the raw manifest and config are not kept, the derived data is', () => {
    const body = recorded<Image>('request-create-image.json');
    body.metadata.annotations = { 'image.openshift.io/manifestBlobStored': 'true' };
    const img = created(body);
    assert.equal(img.dockerImageManifest, undefined);
    assert.equal(img.dockerImageConfig, undefined);
    assert.equal(img.dockerImageLayers?.length, 4);
    assert.equal((img.dockerImageMetadata as Record<string, unknown>).Size, 26727512);
  });

  test('the managed-signature annotation is removed from signatures', () => {
    const img = created({
      metadata: { name: 'img' },
      dockerImageReference: 'r/a',
      signatures: [
        { metadata: { name: 'img@s1', annotations: { 'image.openshift.io/managed-signature': 'true' } }, type: 't', content: BLOB },
        { metadata: { name: 'img@s2', annotations: { 'image.openshift.io/managed-signature': 'true', other: 'x' } }, type: 't', content: BLOB },
      ],
    });
    assert.deepEqual(img.signatures?.map((s) => s.metadata), [
      { name: 'img@s1', creationTimestamp: null },
      { name: 'img@s2', creationTimestamp: null, annotations: { other: 'x' } },
    ]);
    assert.deepEqual(render(strategy().validate(img)), ['signatures[1].metadata.annotations: Forbidden: signature annotations cannot be set']);
  });

  test('derivation problems are logged and the create proceeds', () => {
    const log: string[] = [];
    const img = created({ metadata: { name: 'img' }, dockerImageReference: 'r/a', dockerImageManifest: AMD64_MANIFEST }, strategy(log));
    assert.deepEqual(log, [`unable to update image metadata for "img": dockerImageConfig must not be empty for manifest type "${SCHEMA2}"`]);
    assert.equal(img.dockerImageLayers?.length, 4);
  });

  test('client-sent metadata without a manifest is kept (imports create such images)', () => {
    const img = created({
      metadata: { name: 'img' },
      dockerImageReference: 'r/a',
      dockerImageMetadata: { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: 'x', Size: 5, Architecture: 'amd64', Bogus: 1 },
    });
    assert.deepEqual(img.dockerImageMetadata, { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: 'x', Created: null, ContainerConfig: {}, Architecture: 'amd64', Size: 5 });
    assert.equal(img.dockerImageMetadataVersion, '1.0');
  });

  test('pre012 metadata is accepted and served in that version', () => {
    const img = created({
      metadata: { name: 'img' },
      dockerImageReference: 'r/a',
      dockerImageMetadataVersion: 'pre012',
      dockerImageMetadata: { id: 'x', docker_version: '1.9', created: '2015-01-01T00:00:00Z' },
    });
    assert.deepEqual(img.dockerImageMetadata, {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/pre012',
      id: 'x',
      created: '2015-01-01T00:00:00Z',
      container_config: {},
      docker_version: '1.9',
    });
  });

  test('garbage collection policy is unsupported; PUT never creates and needs a resourceVersion', () => {
    const s = strategy();
    assert.equal(s.garbageCollectionUnsupported, true);
    assert.equal(s.allowCreateOnUpdate, false);
    assert.equal(s.allowUnconditionalUpdate, false);
    assert.equal(s.table.columns.map((c) => c.name).join(','), 'Name,Image Reference');
  });
});

describe('image update', () => {
  const stored = (): Image => created(recorded<Image>('request-create-image.json'));

  function update(old: Image, edit: (img: Image) => void, log: string[] = []): Image {
    const next = structuredClone(old);
    edit(next);
    strategy(log).prepareForUpdate(next, old);
    return next;
  }

  test('derived metadata, its version and the layers cannot be changed', () => {
    const old = stored();
    const next = update(old, (img) => {
      img.dockerImageMetadata = { Id: 'forged', Size: 1 };
      img.dockerImageMetadataVersion = 'pre012';
      img.dockerImageLayers = [{ name: 'forged', size: 1, mediaType: 'x' }];
    });
    assert.deepEqual(next.dockerImageMetadata, old.dockerImageMetadata);
    assert.equal(next.dockerImageMetadataVersion, '1.0');
    assert.deepEqual(next.dockerImageLayers, old.dockerImageLayers);
  });

  test('reference, labels, annotations and signatures may change; generation stays', () => {
    const old = stored();
    const next = update(old, (img) => {
      img.dockerImageReference = 'other.io/ns/is@' + AMD64_DIGEST;
      img.metadata.labels = { a: 'b' };
      img.metadata.generation = 40;
      img.signatures = [{ metadata: { name: `${AMD64_DIGEST}@sig` }, type: 'AtomicImageV1', content: BLOB }];
    });
    assert.equal(next.dockerImageReference, 'other.io/ns/is@' + AMD64_DIGEST);
    assert.deepEqual(next.metadata.labels, { a: 'b' });
    assert.equal(next.metadata.generation, undefined);
    assert.equal(next.signatures?.length, 1);
    assert.deepEqual(strategy().validateUpdate(next, old), []);
  });

  test('dockerImageSignatures are kept from the stored image when it has some', () => {
    const old = stored();
    const free = update(old, (img) => (img.dockerImageSignatures = [BLOB]));
    assert.deepEqual(free.dockerImageSignatures, [BLOB], 'none stored: the client value stands');
    const withSigs = { ...old, dockerImageSignatures: ['b2xk'] };
    assert.deepEqual(update(withSigs, (img) => (img.dockerImageSignatures = [BLOB])).dockerImageSignatures, ['b2xk']);
  });

  test('a manifest may be cleared but not replaced by one with another digest', () => {
    const old = stored();
    assert.equal(update(old, (img) => delete img.dockerImageManifest).dockerImageManifest, undefined);
    assert.equal(update(old, (img) => (img.dockerImageManifest = `${AMD64_MANIFEST}\n`)).dockerImageManifest, AMD64_MANIFEST);
  });

  test('a missing manifest may be supplied when it hashes to the image name', () => {
    const old = stored();
    delete old.dockerImageManifest;
    const next = update(old, (img) => (img.dockerImageManifest = AMD64_MANIFEST));
    assert.equal(next.dockerImageManifest, AMD64_MANIFEST);
    const other = update(old, (img) => (img.dockerImageManifest = AMD64_MANIFEST.replace('3409', '3410')));
    assert.equal(other.dockerImageManifest, undefined);
  });

  test('a config may be cleared, or set only when the manifest references its digest', () => {
    const config = '{"architecture":"amd64","os":"linux","created":"2020-01-01T00:00:00Z"}';
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: SCHEMA2,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: computeDigest(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 10, digest: `sha256:${'e'.repeat(64)}` }],
    });
    const name = computeDigest(manifest);
    const old = created({ metadata: { name }, dockerImageReference: `r/a@${name}`, dockerImageManifest: manifest, dockerImageManifestMediaType: SCHEMA2 });
    assert.equal(old.dockerImageConfig, undefined);
    const withConfig = update(old, (img) => (img.dockerImageConfig = config));
    assert.equal(withConfig.dockerImageConfig, config);
    assert.equal(update(old, (img) => (img.dockerImageConfig = AMD64_CONFIG)).dockerImageConfig, undefined);
    assert.equal(update(withConfig, (img) => delete img.dockerImageConfig).dockerImageConfig, undefined);
  });

  test('metadata missing from the stored image is derived on update', () => {
    const log: string[] = [];
    const config = '{"architecture":"arm64","created":"2020-01-01T00:00:00Z"}';
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: SCHEMA2, config: { digest: computeDigest(config), size: 1 }, layers: [] });
    const name = computeDigest(manifest);
    const old = created({ metadata: { name }, dockerImageReference: `r/a@${name}`, dockerImageManifest: manifest }, strategy(log));
    assert.equal(log.length, 1, 'no config at create');
    const next = update(old, (img) => (img.dockerImageConfig = config));
    assert.equal((next.dockerImageMetadata as Record<string, unknown>).Architecture, 'arm64');
    assert.equal((next.dockerImageMetadata as Record<string, unknown>).Id, computeDigest(config));
  });

  test('manifestBlobStored added later drops the raw manifest and config', () => {
    const next = update(stored(), (img) => (img.metadata.annotations = { ...img.metadata.annotations, 'image.openshift.io/manifestBlobStored': 'true' }));
    assert.equal(next.dockerImageManifest, undefined);
    assert.equal(next.dockerImageConfig, undefined);
    assert.equal(next.metadata.annotations?.[ORDER], 'ascending');
  });

  test('update validation: metadata rules plus full image validation', () => {
    const old = stored();
    const next = update(old, (img) => {
      img.dockerImageReference = '';
      img.metadata.uid = 'changed';
    });
    assert.deepEqual(render(strategy().validateUpdate(next, old)), ['metadata.uid: Invalid value: "changed": field is immutable', 'dockerImageReference: Required value']);
  });
});

describe('image decoration', () => {
  test('always shows dockerImageMetadata and its version, in Go field order', () => {
    const img: Image = { dockerImageLayers: [], dockerImageReference: 'r/a', metadata: { name: 'img' }, kind: 'Image' };
    strategy().decorate(img);
    assert.equal(
      JSON.stringify(img),
      JSON.stringify({
        kind: 'Image',
        metadata: { name: 'img' },
        dockerImageReference: 'r/a',
        dockerImageMetadata: { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: '', Created: null, ContainerConfig: {} },
        dockerImageMetadataVersion: '1.0',
      }),
    );
  });

  test('the recorded image decorates to itself', () => {
    const want = recorded<Image>('get-image.json');
    const img = structuredClone(want);
    strategy().decorate(img);
    assert.equal(JSON.stringify(img), JSON.stringify(want));
  });
});
