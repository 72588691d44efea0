import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import {
  decodeDockerImageMetadata,
  deriveImageMetadata,
  emptyMetadata,
  encodeDockerImageMetadata,
} from '../../../src/image/api/metadata.js';
import type { Image } from '../../../src/image/api/types.js';
import {
  AMD64_CONFIG,
  AMD64_DIGEST,
  AMD64_MANIFEST,
  ARM64_CONFIG,
  ARM64_DIGEST,
  ARM64_MANIFEST,
  LIST,
  LIST_DIGEST,
  MANIFEST_LIST,
  OCI_MANIFEST,
  recorded,
  SCHEMA2,
  schema1Payload,
  signSchema1,
} from './fixtures.js';

const NOW = new Date('2030-01-02T03:04:05.678Z');
const ORDER = 'image.openshift.io/dockerLayersOrder';

function image(rest: Partial<Image>): Image {
  return { metadata: { name: AMD64_DIGEST }, dockerImageReference: 'r/ns/is', ...rest };
}

describe('metadata from a docker schema2 manifest and its config', () => {
  test('matches what openshift-apiserver returned for the fixture image', () => {
    const want = recorded<Image>('get-image.json');
    const img = image({ dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: AMD64_CONFIG, dockerImageManifestMediaType: SCHEMA2 });
    assert.equal(deriveImageMetadata(img, NOW), null);
    assert.deepEqual(img.dockerImageMetadata, want.dockerImageMetadata);
    assert.equal(JSON.stringify(img.dockerImageMetadata), JSON.stringify(want.dockerImageMetadata), 'same key order');
    assert.deepEqual(img.dockerImageLayers, want.dockerImageLayers);
    assert.deepEqual(img.metadata.annotations, { [ORDER]: 'ascending' });
    assert.equal(img.dockerImageManifestMediaType, SCHEMA2);
  });

  test('size is the config length plus each distinct layer once', () => {
    const img = image({ metadata: { name: ARM64_DIGEST }, dockerImageManifest: ARM64_MANIFEST, dockerImageConfig: ARM64_CONFIG });
    assert.equal(deriveImageMetadata(img, NOW), null);
    const meta = img.dockerImageMetadata as Record<string, unknown>;
    assert.equal(meta.Size, Buffer.byteLength(ARM64_CONFIG) + 23715438 + 35201 + 850 + 189);
    assert.equal(meta.Id, 'sha256:eb8f2c2207058e4d8bb3afb85e959ff3f12d3481f3e38611de549a39935b28c4');
    assert.equal(meta.Architecture, 'arm64');
    assert.equal(meta.Created, '2019-08-15T01:31:21Z');
    assert.equal(img.dockerImageManifestMediaType, SCHEMA2, 'taken from the manifest');

    const dup = JSON.parse(AMD64_MANIFEST) as { layers: unknown[] };
    dup.layers.push(dup.layers[0]);
    const img2 = image({ dockerImageManifest: JSON.stringify(dup), dockerImageConfig: '{}' });
    deriveImageMetadata(img2, NOW);
    assert.equal((img2.dockerImageMetadata as Record<string, unknown>).Size, 2 + 26687415 + 35366 + 848 + 162);
    assert.equal(img2.dockerImageLayers?.length, 5);
  });

  test('an OCI manifest keeps its media type; a manifest without one keeps the image media type or defaults to schema2', () => {
    const oci = image({ dockerImageManifest: AMD64_MANIFEST.replace(SCHEMA2, OCI_MANIFEST), dockerImageConfig: AMD64_CONFIG });
    deriveImageMetadata(oci, NOW);
    assert.equal(oci.dockerImageManifestMediaType, OCI_MANIFEST);

    const bare = AMD64_MANIFEST.replace(`"mediaType": "${SCHEMA2}",`, '');
    const untyped = image({ dockerImageManifest: bare, dockerImageConfig: AMD64_CONFIG });
    deriveImageMetadata(untyped, NOW);
    assert.equal(untyped.dockerImageManifestMediaType, SCHEMA2);
    const typed = image({ dockerImageManifest: bare, dockerImageConfig: AMD64_CONFIG, dockerImageManifestMediaType: OCI_MANIFEST });
    deriveImageMetadata(typed, NOW);
    assert.equal(typed.dockerImageManifestMediaType, OCI_MANIFEST);
  });

  test('without a config only the layers are filled, and the problem is reported', () => {
    const img = image({ dockerImageManifest: AMD64_MANIFEST });
    assert.equal(deriveImageMetadata(img, NOW), `dockerImageConfig must not be empty for manifest type "${SCHEMA2}"`);
    assert.equal(img.dockerImageLayers?.length, 4);
    assert.equal(img.dockerImageMetadata, undefined);
  });

  test('an unreadable config is reported', () => {
    const img = image({ dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: '{"created": "yesterday"}' });
    assert.match(deriveImageMetadata(img, NOW) ?? '', /^failed to parse dockerImageConfig: parsing time "yesterday"/);
    const img2 = image({ dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: '{"config": {"Cmd": "sh"}}' });
    assert.match(deriveImageMetadata(img2, NOW) ?? '', /^failed to parse dockerImageConfig: json: cannot unmarshal string/);
    const img3 = image({ dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: 'not json' });
    assert.match(deriveImageMetadata(img3, NOW) ?? '', /^failed to parse dockerImageConfig:/);
  });
});

describe('metadata of manifest lists', () => {
  test('Id is the image name, Created is now; nothing else is derived', () => {
    const img = image({ metadata: { name: LIST_DIGEST }, dockerImageManifest: MANIFEST_LIST, dockerImageManifestMediaType: LIST });
    assert.equal(deriveImageMetadata(img, NOW), null);
    assert.deepEqual(img.dockerImageMetadata, {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: LIST_DIGEST,
      Created: '2030-01-02T03:04:05Z',
      ContainerConfig: {},
    });
    assert.equal(img.dockerImageLayers, undefined);
    assert.equal(img.metadata.annotations, undefined);
  });

  test('the list is recognised from its body media type', () => {
    const img = image({ metadata: { name: LIST_DIGEST }, dockerImageManifest: MANIFEST_LIST });
    deriveImageMetadata(img, NOW);
    assert.equal((img.dockerImageMetadata as Record<string, unknown>).Id, LIST_DIGEST);
  });

  test('an earlier Created stamp is kept (upstream restamps on every update)', () => {
    const img = image({
      metadata: { name: LIST_DIGEST },
      dockerImageManifest: MANIFEST_LIST,
      dockerImageMetadata: { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: LIST_DIGEST, Created: '2020-01-01T00:00:00Z' },
    });
    deriveImageMetadata(img, NOW);
    assert.equal((img.dockerImageMetadata as Record<string, unknown>).Created, '2020-01-01T00:00:00Z');
  });
});

describe('metadata from a schema1 manifest', () => {
  test('layers reversed (base first) with v1Compatibility sizes; metadata from history[0]', () => {
    const img = image({ dockerImageManifest: signSchema1(schema1Payload()) });
    assert.equal(deriveImageMetadata(img, NOW), null);
    assert.equal(img.dockerImageManifestMediaType, 'application/vnd.docker.distribution.manifest.v1+json');
    const gtar = 'application/vnd.docker.container.image.rootfs.diff+x-gtar';
    assert.deepEqual(img.dockerImageLayers, [
      { name: `sha256:${'a'.repeat(64)}`, size: 10, mediaType: gtar },
      { name: `sha256:${'b'.repeat(64)}`, size: 20, mediaType: gtar },
      { name: `sha256:${'b'.repeat(64)}`, size: 20, mediaType: gtar },
      { name: `sha256:${'c'.repeat(64)}`, size: 30, mediaType: gtar },
    ]);
    assert.deepEqual(img.dockerImageMetadata, {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: 'top',
      Parent: 'mid',
      Created: '2016-02-15T07:30:37Z',
      Container: 'c0ffee',
      ContainerConfig: { Hostname: 'h', Cmd: ['/bin/sh', '-c', '#(nop) COPY x'] },
      DockerVersion: '1.10.0',
      Author: 'someone@example.com',
      Config: { ExposedPorts: { '80/tcp': {} }, Env: ['A=1'], Volumes: { '/data': {} } },
      Architecture: 'amd64',
      Size: 60,
    });
    assert.deepEqual(img.metadata.annotations, { [ORDER]: 'ascending' });
  });

  test('history and layers must pair up; history must not be empty', () => {
    const p = JSON.parse(schema1Payload()) as { history: unknown[]; fsLayers: unknown[] };
    const mismatched = image({ dockerImageManifest: JSON.stringify({ ...p, history: p.history.slice(1) }) });
    assert.match(deriveImageMetadata(mismatched, NOW) ?? '', /has mismatched history and fslayer cardinality \(3 != 4\)$/);
    const empty = image({ dockerImageManifest: JSON.stringify({ ...p, history: [], fsLayers: [] }) });
    assert.equal(deriveImageMetadata(empty, NOW), `the image ${AMD64_DIGEST} (r/ns/is) has a schema 1 manifest, but it doesn't have history`);
  });
});

describe('layer order and short-circuits', () => {
  const layers = (): Image['dockerImageLayers'] => [
    { name: 'top', size: 1, mediaType: 'm' },
    { name: 'base', size: 2, mediaType: 'm' },
  ];

  test('layers marked descending are reversed and marked ascending', () => {
    const img = image({ metadata: { name: 'x', annotations: { [ORDER]: 'descending' } }, dockerImageLayers: layers(), dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: AMD64_CONFIG });
    deriveImageMetadata(img, NOW);
    assert.deepEqual(img.dockerImageLayers?.map((l) => l.name), ['base', 'top']);
    assert.equal(img.metadata.annotations?.[ORDER], 'ascending');
  });

  test('unmarked schema2 layers are taken as descending, unmarked schema1 layers as ascending', () => {
    const s2 = image({ metadata: { name: 'x' }, dockerImageLayers: layers(), dockerImageManifestMediaType: SCHEMA2, dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: AMD64_CONFIG });
    deriveImageMetadata(s2, NOW);
    assert.deepEqual(s2.dockerImageLayers?.map((l) => l.name), ['base', 'top']);
    const s1 = image({ metadata: { name: 'x' }, dockerImageLayers: layers(), dockerImageManifestMediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws', dockerImageManifest: signSchema1(schema1Payload()) });
    deriveImageMetadata(s1, NOW);
    assert.deepEqual(s1.dockerImageLayers?.map((l) => l.name), ['top', 'base']);
    assert.equal(s1.metadata.annotations?.[ORDER], 'ascending');
  });

  test('existing layers are kept (not refilled from the manifest) and count towards the size', () => {
    const img = image({ metadata: { name: 'x', annotations: { [ORDER]: 'ascending' } }, dockerImageLayers: layers(), dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: '{}' });
    deriveImageMetadata(img, NOW);
    assert.deepEqual(img.dockerImageLayers, layers());
    assert.equal((img.dockerImageMetadata as Record<string, unknown>).Size, 2 + 1 + 2);
  });

  test('nothing is recomputed when layers, a size and a media type are present', () => {
    const meta = { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: 'kept', Size: 5 };
    const img = image({ dockerImageLayers: layers(), dockerImageMetadata: meta, dockerImageManifestMediaType: OCI_MANIFEST, dockerImageManifest: AMD64_MANIFEST, dockerImageConfig: AMD64_CONFIG, metadata: { name: 'x', annotations: { [ORDER]: 'ascending' } } });
    deriveImageMetadata(img, NOW);
    assert.equal(img.dockerImageMetadata, meta);
    assert.equal(img.dockerImageManifestMediaType, OCI_MANIFEST);
  });

  test('without a manifest nothing happens; unknown schema versions are reported', () => {
    const img = image({ dockerImageLayers: layers(), dockerImageManifestMediaType: SCHEMA2 });
    deriveImageMetadata(img, NOW);
    assert.deepEqual(img.dockerImageLayers, layers());
    const v3 = image({ dockerImageManifest: '{"schemaVersion": 3}' });
    assert.equal(deriveImageMetadata(v3, NOW), `unrecognized container image manifest schema 3 for "${AMD64_DIGEST}" (r/ns/is)`);
  });
});

describe('DockerImage encodings', () => {
  test('1.0 is PascalCase; Created and ContainerConfig are always written', () => {
    assert.deepEqual(encodeDockerImageMetadata(emptyMetadata()), {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: '',
      Created: null,
      ContainerConfig: {},
    });
  });

  test('pre012 uses the old lower-case keys', () => {
    const meta = { ...emptyMetadata(), id: 'i', created: '2020-01-01T00:00:00Z', dockerVersion: '1.0', containerConfig: { Env: ['A=1'] }, size: 3 };
    const encoded = encodeDockerImageMetadata(meta, 'pre012');
    assert.deepEqual(encoded, {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/pre012',
      id: 'i',
      created: '2020-01-01T00:00:00Z',
      container_config: { Env: ['A=1'] },
      docker_version: '1.0',
      size: 3,
    });
    assert.deepEqual(decodeDockerImageMetadata(encoded, 'pre012'), meta);
    assert.deepEqual(decodeDockerImageMetadata(encoded), meta, 'its own apiVersion wins');
  });

  test('decoding is lenient: wrong types are dropped, times truncated to seconds in UTC', () => {
    const meta = decodeDockerImageMetadata({ Id: 5, Size: 'big', Created: '2020-01-01T10:00:00.9+02:00', Config: { Env: 'x', Cmd: ['a'] }, Unknown: 1 });
    assert.deepEqual(meta, { id: '', created: '2020-01-01T08:00:00Z', containerConfig: {}, config: { Cmd: ['a'] } });
    assert.deepEqual(decodeDockerImageMetadata(null), emptyMetadata());
    assert.deepEqual(decodeDockerImageMetadata({ Created: '0001-01-01T00:00:00Z' }).created, null);
  });
});
