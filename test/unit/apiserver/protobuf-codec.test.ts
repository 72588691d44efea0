import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { ProtobufCodec, ProtobufDecodeError } from '../../../src/apiserver/api/protobuf/codec.js';
import { META_MESSAGES, protobufCodec } from '../../../src/apiserver/api/protobuf/meta.js';
import { TypeModel } from '../../../src/apiserver/openapi/type-model.js';
import { imageProtobuf } from '../../../src/image/api/protobuf.js';
import { imageApiDocument, imageDefinitionName } from '../../../src/image/api/schemas.js';
import { decodeEnvelope, splitFrames } from '../../support/protobuf.js';
import { readReference, recorded, SHARED_DIR } from '../../support/reference.js';

type Json = Record<string, unknown>;

const codec = protobufCodec(new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName }), imageProtobuf);
const GV = 'image.openshift.io/v1';

function bin(name: string): Buffer {
  return readFileSync(join(SHARED_DIR, 'reference', 'recorded', 'protobuf', name));
}

/** The "JSON form" block of each file's section in recorded/protobuf/README.md. */
function jsonForm(name: string): unknown {
  const readme = readReference('recorded/protobuf/README.md');
  const section = readme.slice(readme.indexOf(`### \`${name}\``));
  const start = section.indexOf('```json\n') + '```json\n'.length;
  return JSON.parse(section.slice(start, section.indexOf('\n```', start)));
}

/** JSON -> protobuf -> JSON. */
function roundTrip(obj: Json): Json {
  const d = codec.decode(codec.encode(obj));
  return { apiVersion: d.apiVersion, kind: d.kind, ...d.object };
}

describe('recorded openshift-apiserver protobuf exchanges', () => {
  const objects: [string, string][] = [
    ['get-imagestream.bin', 'ImageStream'],
    ['list-imagestreams.bin', 'ImageStreamList'],
    ['get-image-with-metadata.bin', 'Image'],
    ['get-missing-404.bin', 'Status'],
    ['update-conflict-409.bin', 'Status'],
  ];

  it('decode to the JSON form of the same objects', () => {
    for (const [file, kind] of objects) {
      const d = codec.decode(bin(file));
      assert.equal(d.kind, kind, file);
      assert.deepEqual({ apiVersion: d.apiVersion, kind: d.kind, ...d.object }, jsonForm(file), file);
    }
  });

  it('our encoder writes the same bytes from the JSON form', () => {
    for (const [file] of objects) {
      // The README prints dockerImageMetadata with sorted keys; the bytes carry Go's field order, as our stored JSON does.
      const obj = file === 'get-image-with-metadata.bin' ? { ...(jsonForm(file) as Json), dockerImageMetadata: codec.decode(bin(file)).object.dockerImageMetadata } : (jsonForm(file) as Json);
      assert.ok(codec.encode(obj).equals(bin(file)), file);
    }
  });

  it('a watch body: length-prefixed frames of WatchEvent around enveloped objects, byte for byte', () => {
    const body = bin('watch-added-modified-deleted.bin');
    const events = jsonForm('watch-added-modified-deleted.bin') as { type: string; object: Json }[];
    const { frames, rest } = splitFrames(body);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      frames.map((f) => f.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    for (const [i, f] of frames.entries()) {
      const d = codec.decode(f.object.bytes);
      assert.deepEqual({ apiVersion: d.apiVersion, kind: d.kind, ...d.object }, events[i].object);
    }
    const ours = Buffer.concat(events.map((e) => codec.watchFrame(e.type, codec.encode(e.object))));
    assert.ok(ours.equals(body));
  });

  it('the client-go PUT body decodes, and re-encodes to the same bytes but for the envelope tail', () => {
    const readme = readReference('recorded/protobuf/README.md');
    const hex = /Request body \(protobuf, hex\):\n\n```\n([0-9a-f]+)\n```/.exec(readme)?.[1] ?? '';
    const body = Buffer.from(hex, 'hex');
    const d = codec.decode(body);
    assert.equal(d.kind, 'ImageStream');
    const meta = d.object.metadata as Json;
    assert.deepEqual([meta.name, meta.namespace, meta.resourceVersion], ['pbput-d62d6', 'team-a', '351']);
    // client-go leaves the envelope's empty contentEncoding and contentType out; servers write them.
    assert.ok(codec.encode({ apiVersion: d.apiVersion, kind: d.kind, ...d.object }).equals(Buffer.concat([body, Buffer.from('1a002200', 'hex')])));
  });

  it('the descriptor files are the reference field facts, split between the meta layer and the group', () => {
    const reference = JSON.parse(readReference('protobuf-fields.json')) as { messages: Json };
    const ours = JSON.parse(JSON.stringify({ ...META_MESSAGES.messages, ...imageProtobuf.messages.messages })) as Json;
    assert.deepEqual(ours, reference.messages);
  });
});

const meta = (name: string, extra: Json = {}): Json => ({
  name,
  namespace: 'ns',
  uid: '11111111-1111-1111-1111-111111111111',
  resourceVersion: '7',
  creationTimestamp: '2026-12-08T03:13:55Z',
  ...extra,
});

/** ObjectMeta of an object that was never stored. */
function bareMeta(name: string): Json {
  const m = meta(name);
  delete m.creationTimestamp;
  return m;
}

const tagRef = (name: string, extra: Json = {}): Json => ({
  name,
  annotations: null,
  from: { kind: 'DockerImage', name: `quay.io/a/b:${name}` },
  generation: 2,
  importPolicy: { importMode: 'Legacy' },
  referencePolicy: { type: 'Source' },
  ...extra,
});

const signature: Json = {
  metadata: { name: `sha256:${'a'.repeat(64)}@sig` },
  type: 'atomic',
  content: Buffer.from('signed bytes').toString('base64'),
  conditions: [
    { type: 'Trusted', status: 'True', lastProbeTime: '2026-01-01T00:00:00Z', lastTransitionTime: null, reason: 'ok', message: 'verified' },
  ],
  imageIdentity: 'quay.io/a/b',
  signedClaims: { z: '1', a: '2' },
  created: '2026-01-02T03:04:05Z',
  issuedBy: { organization: 'Red Hat', commonName: 'signer' },
  issuedTo: { commonName: 'subject', publicKeyID: 'abc' },
};

/** Nested objects have no kind or apiVersion in protobuf (TypeMeta is not a field). */
const imageBody: Json = {
  metadata: { name: `sha256:${'a'.repeat(64)}`, uid: 'u', resourceVersion: '3', creationTimestamp: '2026-12-08T03:14:00Z' },
  dockerImageReference: 'quay.io/a/b@sha256:aaaa',
  dockerImageMetadata: { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: '', Created: null, ContainerConfig: {}, Size: 1 },
  dockerImageMetadataVersion: '1.0',
  dockerImageLayers: [{ name: 'sha256:l1', size: 0, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
  signatures: [signature],
  dockerImageSignatures: ['', Buffer.from([1, 2, 3]).toString('base64')],
  dockerImageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  dockerImageManifests: [{ digest: 'sha256:m', mediaType: 'm', manifestSize: 12, architecture: 'arm64', os: 'linux', variant: 'v8' }],
};
const image: Json = { apiVersion: GV, kind: 'Image', ...imageBody };

const importStatus: Json = {
  status: { metadata: {}, status: 'Failure', message: 'unreachable', reason: 'InternalError', code: 500 },
  image: imageBody,
  tag: 'latest',
};

describe('JSON -> protobuf -> JSON is the identity on what the server stores and serves', () => {
  it('every object the recorded JSON exchanges hold (images, streams, tags, layers, secrets, lists)', () => {
    const files = [
      'get-image.json',
      'get-imagestream.json',
      'get-imagestream-layers.json',
      'get-imagestreamimage.json',
      'get-imagestreamtag.json',
      'get-imagestreamtag-tracking-stable.json',
      'get-imagetag.json',
      'get-imagetag-reference-18.04.json',
      'list-images.json',
      'list-imagestreams.json',
      'list-imagestreamtags.json',
      'list-imagetags.json',
      'status-404-imagestream.json',
      'status-422-imagestream-invalid-tag-reference.json',
      'status-409-imagestream-stale-update.json',
    ];
    for (const f of files) {
      const obj = recorded<Json>(f);
      assert.deepEqual(roundTrip(obj), obj, f);
    }
  });

  it('the kinds no recording holds: signatures, mappings, imports, secrets, meta kinds', () => {
    const objects: Json[] = [
      image,
      { apiVersion: GV, kind: 'ImageSignature', ...signature },
      { apiVersion: GV, kind: 'ImageStreamMapping', metadata: bareMeta('m'), image: imageBody, tag: 'v1' },
      {
        apiVersion: GV,
        kind: 'ImageStreamImport',
        metadata: bareMeta('i'),
        spec: {
          import: true,
          repository: { from: { kind: 'DockerImage', name: 'quay.io/a/b' }, importPolicy: { scheduled: true }, referencePolicy: { type: 'Local' }, includeManifest: true },
          images: [{ from: { kind: 'DockerImage', name: 'quay.io/a/b:c' }, to: { name: 'c' }, importPolicy: { insecure: true }, referencePolicy: { type: '' } }],
        },
        status: {
          import: { metadata: meta('i'), spec: { lookupPolicy: { local: true }, tags: [tagRef('c')] }, status: { dockerImageRepository: '' } },
          repository: { status: { metadata: {}, status: 'Success', code: 200 }, images: [importStatus], additionalTags: ['x', 'y'] },
          images: [importStatus, { status: { metadata: {} }, manifests: [imageBody] }],
        },
      },
      {
        apiVersion: GV,
        kind: 'ImageStreamLayers',
        metadata: meta('s'),
        blobs: { 'sha256:b': { size: 10, mediaType: 'x' }, 'sha256:a': { size: null, mediaType: '' } },
        images: { 'sha256:i': { layers: ['sha256:a'], config: 'sha256:c', imageMissing: false, manifests: ['sha256:m'] }, 'sha256:j': { imageMissing: true, layers: null, config: null } },
      },
      {
        apiVersion: GV,
        kind: 'SecretList',
        metadata: { resourceVersion: '9' },
        items: [{ metadata: meta('pull'), data: { '.dockerconfigjson': Buffer.from('{}').toString('base64'), empty: '' }, type: 'kubernetes.io/dockerconfigjson', immutable: false }],
      },
      {
        apiVersion: GV,
        kind: 'ImageTagList',
        metadata: { resourceVersion: '9', continue: 'abc', remainingItemCount: 0 },
        items: [{ metadata: meta('s:a'), spec: tagRef('a', { generation: null, annotations: { k: 'v' } }), status: null, image: null }],
      },
      {
        apiVersion: 'v1',
        kind: 'Status',
        metadata: {},
        status: 'Failure',
        message: 'too many',
        reason: 'TooManyRequests',
        details: { name: 'x', group: 'image.openshift.io', kind: 'imagestreams', uid: 'u', causes: [{ reason: 'FieldValueInvalid', message: 'bad', field: 'spec' }, {}], retryAfterSeconds: 3 },
        code: 429,
      },
      { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: meta('p', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u', controller: false }], finalizers: ['f'], deletionTimestamp: '2026-12-08T03:14:00Z', deletionGracePeriodSeconds: 0 }) },
      { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadataList', metadata: { resourceVersion: '1' }, items: [{ metadata: meta('p') }] },
      { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'u' }, propagationPolicy: 'Background', dryRun: ['All'] },
      { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions', dryRun: ['All'], fieldManager: 'm', fieldValidation: 'Strict' },
      {
        apiVersion: 'v1',
        kind: 'APIResourceList',
        groupVersion: GV,
        resources: [{ name: 'imagestreams', singularName: 'imagestream', namespaced: true, kind: 'ImageStream', verbs: ['get', 'list'], shortNames: ['is'], categories: ['all'], storageVersionHash: 'h' }],
      },
    ];
    for (const o of objects) assert.deepEqual(roundTrip(o), o, String(o.kind));
  });

  it('empty and missing: what Go keeps apart survives, what it cannot tell apart collapses as in Go', () => {
    const stream: Json = {
      apiVersion: GV,
      kind: 'ImageStream',
      metadata: meta('s', { labels: {}, annotations: { a: '' } }),
      spec: { lookupPolicy: { local: false }, tags: [tagRef('a', { annotations: {}, generation: 0 }), tagRef('b', { generation: null })] },
      status: { dockerImageRepository: '' },
    };
    const back = roundTrip(stream);
    const spec = back.spec as { tags: Json[] };
    assert.equal((back.metadata as Json).labels, undefined, 'an empty map is no map (omitempty)');
    assert.deepEqual((back.metadata as Json).annotations, { a: '' }, 'an empty value is kept');
    assert.equal(spec.tags[0].annotations, null, 'annotations has no omitempty: null, as openshift-apiserver writes it');
    assert.equal(spec.tags[0].generation, 0, 'a pointer to zero is not nil');
    assert.equal(spec.tags[1].generation, null);
    assert.deepEqual(back.status, { dockerImageRepository: '' });
    // An empty list's items: nil on the wire, null in Go's JSON.
    assert.equal(roundTrip({ apiVersion: GV, kind: 'ImageList', metadata: {}, items: [] }).items, null);
    // RawExtension carries the JSON bytes (newline-terminated, as Go's encoder writes them).
    const raw = decodeEnvelope(codec.encode(image)).object.dockerImageMetadata as { raw: Buffer };
    assert.equal(raw.raw.toString(), `${JSON.stringify(image.dockerImageMetadata)}\n`);
  });

  it('metav1.Time travels as whole seconds: fractions are dropped as Go drops them; nil and zero are apart', () => {
    const at = (ts: unknown): Json => ({ apiVersion: GV, kind: 'ImageStream', metadata: { name: 's', creationTimestamp: ts, deletionTimestamp: ts } });
    const frac = roundTrip(at('2026-12-08T03:13:55.987654Z')).metadata as Json;
    assert.equal(frac.creationTimestamp, '2026-12-08T03:13:55Z');
    assert.equal(frac.deletionTimestamp, '2026-12-08T03:13:55Z');
    assert.equal((roundTrip(at('2026-12-08T05:13:55+02:00')).metadata as Json).creationTimestamp, '2026-12-08T03:13:55Z');
    assert.equal((roundTrip(at('1969-12-31T23:59:59Z')).metadata as Json).creationTimestamp, '1969-12-31T23:59:59Z');
    assert.equal((roundTrip(at('1970-01-01T00:00:00Z')).metadata as Json).creationTimestamp, '1970-01-01T00:00:00Z', 'the epoch is a time, not nil');
    const unset = roundTrip(at(null)).metadata as Json;
    assert.equal('creationTimestamp' in unset, false, 'creationTimestamp is omitzero (apimachinery 1.34): left out when zero');
    assert.equal('deletionTimestamp' in unset, false, 'a *Time: left out when nil');
    const condition = { type: 'ImportSuccess', status: 'False', lastTransitionTime: null, generation: 0 };
    const stream = { apiVersion: GV, kind: 'ImageStream', metadata: { name: 's' }, status: { dockerImageRepository: '', tags: [{ tag: 't', items: null, conditions: [condition] }] } };
    assert.deepEqual(((roundTrip(stream).status as { tags: Json[] }).tags[0].conditions as Json[])[0], condition, 'a value Time: written, null when zero');
    // On the wire: {seconds, nanos: 0}.
    const wire = decodeEnvelope(codec.encode(at('2026-12-08T03:13:55.5Z'))).object.metadata as Json;
    assert.deepEqual(wire.creationTimestamp, { seconds: 1796699635, nanos: 0 });
  });

  it('metav1.MicroTime keeps microseconds (nanoseconds beyond are dropped, as Go truncates)', () => {
    const micro = new ProtobufCodec({
      messages: [META_MESSAGES, { messages: { 'example.com.v1.Event': [{ name: 'eventTime', number: 1, type: '.k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime' }] } }],
      model: new TypeModel({
        definitions: { 'com.example.v1.Event': { type: 'object', properties: { eventTime: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime' } } } },
        definitionOf: (kind) => `com.example.v1.${kind}`,
      }),
      pointerFields: new Set(),
      notOmitEmpty: new Set(),
      omitZero: new Set(),
    });
    const at = (eventTime: string): Json => micro.decode(micro.encode({ apiVersion: 'example.com/v1', kind: 'Event', eventTime })).object;
    assert.deepEqual(at('2026-12-08T03:13:55.123456Z'), { eventTime: '2026-12-08T03:13:55.123456Z' });
    assert.deepEqual(at('2026-12-08T03:13:55.123456789Z'), { eventTime: '2026-12-08T03:13:55.123456Z' });
    assert.deepEqual(at('2026-12-08T03:13:55Z'), { eventTime: '2026-12-08T03:13:55.000000Z' });
  });

  it('map entries are written sorted by key, byte order as Go sorts them', () => {
    const obj = { apiVersion: GV, kind: 'ImageStream', metadata: { name: 's', labels: { b: '1', '9': '2', '10': '3', a: '4' } } };
    const bytes = codec.encode(obj);
    const order = ['10', '9', 'a', 'b'].map((k) => bytes.indexOf(Buffer.concat([Buffer.from([0x0a, k.length]), Buffer.from(k), Buffer.from([0x12, 1])])));
    assert.ok(order.every((p, i) => p > 0 && (i === 0 || p > order[i - 1])), `entries at ${order.join(',')}`);
  });
});

describe('protobuf decoding errors', () => {
  it('name what is wrong: no envelope, unknown kind, a message cut short', () => {
    assert.throws(() => codec.decode(Buffer.from('{"kind":"ImageStream"}')), (e: unknown) => e instanceof ProtobufDecodeError && /does not appear to be a protobuf message/.test(e.message));
    const other = codec.encode({ apiVersion: GV, kind: 'ImageStream', metadata: { name: 's' } });
    const renamed = Buffer.from(other.toString('latin1').replace('ImageStream', 'ImageStreaX'), 'latin1');
    assert.throws(() => codec.decode(renamed), /no kind "ImageStreaX" is registered/);
    const cut = other.subarray(0, other.length - 9);
    assert.throws(() => codec.decode(cut), ProtobufDecodeError);
  });
});
