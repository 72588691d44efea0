import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { GROUP_PATH, imageStream, nsPath } from '../../support/fixtures.js';
import { CLIENT_GO_ACCEPT, decodeEnvelope, envelope, isEnveloped, PROTOBUF, ProtobufWatch, wrap, type Message } from '../../support/protobuf.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const NS = 'pb';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const METADATA = { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: '', Created: null, ContainerConfig: {}, Config: { Env: ['PATH=/usr/bin'] }, Architecture: 'amd64', Size: 4711 };

/** client-go's protobuf request: Accept and Content-Type as library-go configures them. */
function pbHeaders(accept = CLIENT_GO_ACCEPT): Record<string, string> {
  return { Accept: accept, 'User-Agent': 'openshift-controller-manager/v0.0.0 (linux/amd64) kubernetes/abc' };
}

function streamBody(name: string, extra: Message = {}): Buffer {
  return envelope('image.openshift.io/v1', 'ImageStream', {
    metadata: { name, labels: { app: 'pb' }, ...(extra.metadata as object) },
    spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/example/app:latest' }, referencePolicy: { type: 'Source' } }], ...(extra.spec as object) },
  });
}

describe('a protobuf client (client-go headers, protobuf bodies, ;stream=watch) over TLS', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  async function pb(method: string, path: string, body?: Buffer, accept?: string) {
    const r = await t.https.request(method, path, { headers: pbHeaders(accept), rawBody: body, contentType: body ? PROTOBUF : undefined });
    return r;
  }

  function expectStatus(r: { status: number; headers: Record<string, unknown>; bytes: Buffer }, code: number, reason: string): Message {
    assert.equal(r.status, code, r.bytes.toString());
    assert.equal(r.headers['content-type'], PROTOBUF);
    const env = decodeEnvelope(r.bytes);
    assert.deepEqual([env.apiVersion, env.kind], ['v1', 'Status']);
    assert.equal(env.object.reason, reason);
    assert.equal(env.object.code, code);
    return env.object;
  }

  it('creates, reads, updates, lists and deletes image streams in protobuf', async () => {
    const created = await pb('POST', nsPath(NS, 'imagestreams'), streamBody('web'));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers['content-type'], PROTOBUF);
    const obj = decodeEnvelope(created.bytes);
    assert.deepEqual([obj.apiVersion, obj.kind], ['image.openshift.io/v1', 'ImageStream']);
    const meta = obj.object.metadata as Message;
    assert.equal(meta.name, 'web');
    assert.equal(meta.namespace, NS);
    assert.deepEqual(meta.labels, { app: 'pb' });
    assert.ok((meta.creationTimestamp as { seconds: number }).seconds > 1_700_000_000);

    // The same object as JSON: protobuf and JSON readers see one object.
    const json = (await t.https.get(nsPath(NS, 'imagestreams', 'web'))).json<{ metadata: { resourceVersion: string; uid: string } }>();
    assert.equal(meta.resourceVersion, json.metadata.resourceVersion);
    assert.equal(meta.uid, json.metadata.uid);

    const got = await pb('GET', nsPath(NS, 'imagestreams', 'web'));
    assert.equal(got.status, 200);
    assert.deepEqual(decodeEnvelope(got.bytes).object, obj.object);

    const updated = await pb('PUT', nsPath(NS, 'imagestreams', 'web'), streamBody('web', { metadata: { resourceVersion: meta.resourceVersion, labels: { app: 'pb', tier: 'web' } } }));
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual((decodeEnvelope(updated.bytes).object.metadata as Message).labels, { app: 'pb', tier: 'web' });

    // A stale resourceVersion: the conflict comes back as a protobuf Status.
    const stale = await pb('PUT', nsPath(NS, 'imagestreams', 'web'), streamBody('web', { metadata: { resourceVersion: meta.resourceVersion } }));
    const conflict = expectStatus(stale, 409, 'Conflict');
    assert.equal(
      conflict.message,
      'Operation cannot be fulfilled on imagestreams.image.openshift.io "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.deepEqual(conflict.details, { name: 'web', group: 'image.openshift.io', kind: 'imagestreams', uid: '', retryAfterSeconds: 0 });

    await pb('POST', nsPath(NS, 'imagestreams'), streamBody('api'));
    const list = await pb('GET', `${nsPath(NS, 'imagestreams')}?labelSelector=app%3Dpb`);
    assert.equal(list.status, 200);
    const l = decodeEnvelope(list.bytes);
    assert.equal(l.kind, 'ImageStreamList');
    assert.deepEqual((l.object.items as Message[]).map((i) => (i.metadata as Message).name), ['api', 'web']);
    assert.ok(Number((l.object.metadata as Message).resourceVersion) > 0);

    // client-go sends DeleteOptions as a protobuf body too.
    const opts = envelope('image.openshift.io/v1', 'DeleteOptions', { propagationPolicy: 'Background', preconditions: { uid: (meta.uid as string) } });
    const deleted = await pb('DELETE', nsPath(NS, 'imagestreams', 'web'), opts);
    assert.equal(deleted.status, 200, deleted.text);
    const status = decodeEnvelope(deleted.bytes);
    assert.deepEqual([status.kind, status.object.status], ['Status', 'Success']);
    const gone = await pb('GET', nsPath(NS, 'imagestreams', 'web'));
    assert.equal(expectStatus(gone, 404, 'NotFound').message, 'imagestreams.image.openshift.io "web" not found');
  });

  it('watches image streams with length-prefixed WatchEvent frames, either Accept form', async () => {
    for (const accept of [CLIENT_GO_ACCEPT, 'application/vnd.kubernetes.protobuf;stream=watch']) {
      const name = accept === CLIENT_GO_ACCEPT ? 'watched-a' : 'watched-b';
      const start = await pb('GET', nsPath(NS, 'imagestreams'));
      const rv = (decodeEnvelope(start.bytes).object.metadata as Message).resourceVersion as string;
      const res = await t.https.stream(`${nsPath(NS, 'imagestreams')}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3D${name}`, pbHeaders(accept));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.kubernetes.protobuf;stream=watch');
      const w = new ProtobufWatch(res);
      const c = await pb('POST', nsPath(NS, 'imagestreams'), streamBody(name));
      const rv1 = (decodeEnvelope(c.bytes).object.metadata as Message).resourceVersion;
      const del = await pb('DELETE', nsPath(NS, 'imagestreams', name));
      assert.equal(del.status, 200);
      const frames = await w.take(2);
      w.stop();
      assert.deepEqual(
        frames.map((f) => [f.type, f.object.kind, (f.object.object.metadata as Message).name]),
        [
          ['ADDED', 'ImageStream', name],
          ['DELETED', 'ImageStream', name],
        ],
      );
      assert.equal((frames[0].object.object.metadata as Message).resourceVersion, rv1);
    }
  });

  it('creates, lists, watches and deletes images; the metadata travels as JSON bytes', async () => {
    const res = await t.https.stream(`${GROUP_PATH}/images?watch=true&fieldSelector=metadata.name%3D${DIGEST}`, pbHeaders());
    const w = new ProtobufWatch(res);
    const body = envelope('image.openshift.io/v1', 'Image', {
      metadata: { name: DIGEST },
      dockerImageReference: `quay.io/acc/pb@${DIGEST}`,
      dockerImageMetadata: { raw: Buffer.from(JSON.stringify(METADATA)) },
      dockerImageMetadataVersion: '1.0',
    });
    const created = await pb('POST', `${GROUP_PATH}/images`, body);
    assert.equal(created.status, 201, created.text);
    const image = decodeEnvelope(created.bytes).object;
    assert.deepEqual(JSON.parse((image.dockerImageMetadata as { raw: Buffer }).raw.toString()), METADATA);
    const list = decodeEnvelope((await pb('GET', `${GROUP_PATH}/images`)).bytes);
    assert.equal(list.kind, 'ImageList');
    assert.ok((list.object.items as Message[]).some((i) => (i.metadata as Message).name === DIGEST));
    const [added] = await w.take(1);
    w.stop();
    assert.deepEqual([added.type, added.object.kind, (added.object.object.metadata as Message).name], ['ADDED', 'Image', DIGEST]);
    const deleted = await pb('DELETE', `${GROUP_PATH}/images/${DIGEST}`);
    assert.equal(deleted.status, 200);
    assert.ok(isEnveloped(deleted.bytes));
  });

  it('reads imagestreamtags and posts an imagestreamimport in protobuf', async () => {
    const mapping = envelope('image.openshift.io/v1', 'ImageStreamMapping', {
      metadata: { name: 'tagged', namespace: NS },
      image: { metadata: { name: DIGEST }, dockerImageReference: `quay.io/acc/pb@${DIGEST}`, dockerImageMetadata: { raw: Buffer.from(JSON.stringify(METADATA)) }, dockerImageMetadataVersion: '1.0' },
      tag: 'v1',
    });
    await pb('POST', nsPath(NS, 'imagestreams'), streamBody('tagged'));
    const mapped = await pb('POST', nsPath(NS, 'imagestreammappings'), mapping);
    assert.equal(mapped.status, 201, mapped.text);
    assert.equal(decodeEnvelope(mapped.bytes).kind, 'Status');

    const istag = await pb('GET', nsPath(NS, 'imagestreamtags', 'tagged:v1'));
    assert.equal(istag.status, 200, istag.text);
    const tag = decodeEnvelope(istag.bytes);
    assert.equal(tag.kind, 'ImageStreamTag');
    assert.equal((tag.object.image as Message).dockerImageReference, `quay.io/acc/pb@${DIGEST}`);
    const tags = decodeEnvelope((await pb('GET', nsPath(NS, 'imagestreamtags'))).bytes);
    assert.equal(tags.kind, 'ImageStreamTagList');
    assert.ok((tags.object.items as Message[]).some((i) => (i.metadata as Message).name === 'tagged:v1'));
    expectStatus(await pb('GET', nsPath(NS, 'imagestreamtags', 'tagged:nope')), 404, 'NotFound');

    const isi = envelope('image.openshift.io/v1', 'ImageStreamImport', {
      metadata: { name: 'imported', namespace: NS },
      spec: { import: false, images: [{ from: { kind: 'DockerImage', name: '127.0.0.1:1/none/app:latest' }, importPolicy: { insecure: true } }] },
    });
    const imported = await pb('POST', nsPath(NS, 'imagestreamimports'), isi);
    assert.equal(imported.status, 201, imported.text);
    const result = decodeEnvelope(imported.bytes);
    assert.equal(result.kind, 'ImageStreamImport');
    const images = (result.object.status as Message).images as Message[];
    assert.equal(images.length, 1);
    assert.equal((images[0].status as Message).status, 'Failure', 'an unreachable registry is reported in the image status');
  });

  it('answers every error as a protobuf Status: 400, 405, 406, 409, 415 and 422', async () => {
    assert.equal((await pb('POST', nsPath(NS, 'imagestreams'), streamBody('dup'))).status, 201);
    const exists = expectStatus(await pb('POST', nsPath(NS, 'imagestreams'), streamBody('dup')), 409, 'AlreadyExists');
    assert.equal(exists.message, 'imagestreams.image.openshift.io "dup" already exists');

    const garbage = expectStatus(await pb('POST', nsPath(NS, 'imagestreams'), Buffer.from('not protobuf')), 400, 'BadRequest');
    assert.equal(
      garbage.message,
      'the object provided is unrecognized (must be of type ImageStream): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6e6f742070726f746f627566)',
    );
    // A message cut short inside a well-formed envelope.
    const truncated = wrap('image.openshift.io/v1', 'ImageStream', Buffer.from([0x0a, 0x10, 0x0a, 0x03]));
    assert.equal(expectStatus(await pb('POST', nsPath(NS, 'imagestreams'), truncated), 400, 'BadRequest').message, 'ImageStream in version "v1" cannot be handled as a ImageStream: unexpected EOF');
    assert.equal(
      expectStatus(await pb('POST', nsPath(NS, 'imagestreams'), Buffer.from(streamBody('cut').subarray(0, 40))), 400, 'BadRequest').message,
      'the object provided is unrecognized (must be of type ImageStream): unexpected EOF (6b3873000a240a15696d6167652e6f70656e73686966742e696f2f763112 ...)',
    );
    const wrongKind = envelope('image.openshift.io/v1', 'Image', { metadata: { name: DIGEST } });
    assert.equal(
      expectStatus(await pb('POST', nsPath(NS, 'imagestreams'), wrongKind), 400, 'BadRequest').message,
      'Image in version "v1" cannot be handled as a ImageStream: the kind in the data (Image) does not match the expected kind (ImageStream)',
    );

    const invalid = streamBody('bad', { spec: { tags: [{ name: 'one', from: { kind: 'DockerImage', name: 'docker.io/library/ubuntu:bad tag!' } }] } });
    const inv = expectStatus(await pb('POST', nsPath(NS, 'imagestreams'), invalid), 422, 'Invalid');
    assert.equal(((inv.details as Message).causes as Message[])[0].field, 'spec.tags[one].from.name');

    expectStatus(await pb('GET', `${nsPath(NS, 'imagestreamtags')}?watch=true`), 405, 'MethodNotAllowed');
    expectStatus(await pb('GET', nsPath(NS, 'imagestreams', 'dup'), undefined, `${PROTOBUF};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`), 406, 'NotAcceptable');
    const text = await t.https.request('POST', nsPath(NS, 'imagestreams'), { headers: pbHeaders(), rawBody: 'x', contentType: 'text/plain' });
    expectStatus(text, 415, 'UnsupportedMediaType');
  });
});

describe('a request that accepts only protobuf never gets JSON', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.client.post(nsPath('only', 'imagestreams'), imageStream('s', { spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/a/b:latest' } }] } }));
  });
  after(async () => t?.stop());

  const ONLY = { Accept: PROTOBUF };

  it('objects, lists and subresources of every readable kind', async () => {
    const paths: [string, string][] = [
      [nsPath('only', 'imagestreams', 's'), 'ImageStream'],
      [nsPath('only', 'imagestreams'), 'ImageStreamList'],
      [`${GROUP_PATH}/imagestreams`, 'ImageStreamList'],
      [nsPath('only', 'imagestreams', 's/status'), 'ImageStream'],
      [nsPath('only', 'imagestreams', 's/layers'), 'ImageStreamLayers'],
      [nsPath('only', 'imagestreams', 's/secrets'), 'SecretList'],
      [`${GROUP_PATH}/images`, 'ImageList'],
      [nsPath('only', 'imagestreamtags'), 'ImageStreamTagList'],
      [nsPath('only', 'imagetags'), 'ImageTagList'],
      [nsPath('only', 'imagetags', 's:latest'), 'ImageTag'],
    ];
    for (const [path, kind] of paths) {
      const r = await t.client.get(path, ONLY);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      assert.equal(r.headers['content-type'], PROTOBUF, path);
      assert.equal(decodeEnvelope(r.bytes).kind, kind, path);
    }
  });

  it('errors, the metadata-only forms and watches', async () => {
    for (const path of [nsPath('only', 'imagestreams', 'missing'), nsPath('only', 'imagestreamimages', 's@sha256:00'), `${GROUP_PATH}/images/nope`]) {
      const r = await t.client.get(path, ONLY);
      assert.equal(r.status, 404, path);
      assert.equal(decodeEnvelope(r.bytes).kind, 'Status', path);
    }
    const unauthorized = await t.client.withToken('not-a-token').get(nsPath('only', 'imagestreams'), ONLY);
    assert.equal(unauthorized.status, 401);
    assert.deepEqual([decodeEnvelope(unauthorized.bytes).kind, decodeEnvelope(unauthorized.bytes).object.reason], ['Status', 'Unauthorized']);
    const pom = `${PROTOBUF};as=PartialObjectMetadata;g=meta.k8s.io;v=v1`;
    const one = await t.client.get(nsPath('only', 'imagestreams', 's'), { Accept: pom });
    assert.equal(one.headers['content-type'], PROTOBUF);
    const partial = decodeEnvelope(one.bytes);
    assert.deepEqual([partial.apiVersion, partial.kind, (partial.object.metadata as Message).name], ['meta.k8s.io/v1', 'PartialObjectMetadata', 's']);
    const list = decodeEnvelope((await t.client.get(nsPath('only', 'imagestreams'), { Accept: `${PROTOBUF};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1` })).bytes);
    assert.equal(list.kind, 'PartialObjectMetadataList');
    assert.equal(((list.object.items as Message[])[0].metadata as Message).name, 's');
    // A shape mismatch is a 406, still in protobuf.
    const mismatch = await t.client.get(nsPath('only', 'imagestreams'), { Accept: pom });
    assert.equal(mismatch.status, 406);
    assert.equal(decodeEnvelope(mismatch.bytes).object.message, 'you requested PartialObjectMetadata, but the requested object is a list (*image.ImageStreamList)');

    const res = await t.client.stream(`${nsPath('only', 'imagestreams')}?watch=true&resourceVersion=0`, { Accept: pom });
    assert.equal(res.headers['content-type'], 'application/vnd.kubernetes.protobuf;stream=watch');
    const w = new ProtobufWatch(res);
    const [ev] = await w.take(1);
    w.stop();
    assert.deepEqual([ev.type, ev.object.kind, (ev.object.object.metadata as Message).name], ['ADDED', 'PartialObjectMetadata', 's']);
  });

  it('watch-list: initial events then the initial-events-end BOOKMARK, and ERROR events, all framed', async () => {
    const res = await t.client.stream(`${nsPath('only', 'imagestreams')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, ONLY);
    const w = new ProtobufWatch(res);
    const [added, bookmark] = await w.take(2);
    w.stop();
    assert.deepEqual([added.type, added.object.kind], ['ADDED', 'ImageStream']);
    assert.deepEqual([bookmark.type, bookmark.object.kind], ['BOOKMARK', 'ImageStream']);
    assert.deepEqual((bookmark.object.object.metadata as Message).annotations, { 'k8s.io/initial-events-end': 'true' });

    // A revision etcd has not reached: after the wait, one ERROR event (the watch cache's window, not
    // etcd's compaction, decides what is too old: test/integration/cacher).
    const head = (decodeEnvelope((await t.client.get(nsPath('only', 'imagestreams'), ONLY)).bytes).object.metadata as Message).resourceVersion;
    const future = new ProtobufWatch(await t.client.stream(`${nsPath('only', 'imagestreams')}?watch=true&resourceVersion=${BigInt(String(head)) + 1000n}`, ONLY));
    const [error] = await future.take(1);
    future.stop();
    assert.deepEqual([error.type, error.object.kind, error.object.object.code, error.object.object.reason], ['ERROR', 'Status', 504, 'Timeout']);
  });

  it('discovery documents too; /version stays JSON as in kube-apiserver', async () => {
    const resources = await t.client.get(GROUP_PATH, ONLY);
    assert.equal(resources.headers['content-type'], PROTOBUF);
    const list = decodeEnvelope(resources.bytes);
    assert.deepEqual([list.apiVersion, list.kind, list.object.groupVersion], ['v1', 'APIResourceList', 'image.openshift.io/v1']);
    const streams = (list.object.resources as Message[]).find((r) => r.name === 'imagestreams') as Message;
    assert.deepEqual((streams.verbs as Message).items, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(streams.shortNames, ['is']);
    const group = decodeEnvelope((await t.client.get('/apis/image.openshift.io', ONLY)).bytes);
    assert.deepEqual([group.kind, (group.object.preferredVersion as Message).groupVersion], ['APIGroup', 'image.openshift.io/v1']);
    const groups = decodeEnvelope((await t.client.get('/apis', { Accept: CLIENT_GO_ACCEPT })).bytes);
    assert.deepEqual(groups.kind, 'APIGroupList');
    assert.equal((await t.client.get('/version', ONLY)).headers['content-type'], 'application/json');
  });

  it('Table is JSON only, as kube-apiserver: protobuf;as=Table alone is a 406 (in protobuf)', async () => {
    const r = await t.client.get(nsPath('only', 'imagestreams'), { Accept: `${PROTOBUF};as=Table;g=meta.k8s.io;v=v1` });
    assert.equal(r.status, 406);
    assert.equal(decodeEnvelope(r.bytes).object.reason, 'NotAcceptable');
    const fallback = await t.client.get(nsPath('only', 'imagestreams'), { Accept: `${PROTOBUF};as=Table;g=meta.k8s.io;v=v1, ${PROTOBUF}` });
    assert.equal(decodeEnvelope(fallback.bytes).kind, 'ImageStreamList');
  });
});
