// §7 over HTTP: ImageStreamTag names, 404 rules, create (spec tag, stream created when missing,
// 409 when the tag exists), PUT/PATCH (blind writes that create, resourceVersion rules, only
// annotations and tag may change), delete (spec and history), list selectors and paging.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { dockerRef, fakeDigest, GROUP_PATH, history, imageBody, mapping, ns, stream, type Obj, type StreamJSON } from './helpers.js';

const NS = 'istag';
const A = fakeDigest('a');

describe('imagestreamtags (§7)', () => {
  let t: ImageTestServer;
  before(async () => {
    t = await startImageTestServer();
    await t.client.post(ns(NS, 'imagestreams'), stream('app', [dockerRef('spec-only', 'quay.io/o/app:1'), dockerRef('ref', 'quay.io/o/app:2', { reference: true })], { metadata: { labels: { team: 'a' } } }));
    const r = await t.client.post(ns(NS, 'imagestreammappings'), mapping('app', 'latest', imageBody(A, `quay.io/o/app@${A}`)));
    assert.equal(r.status, 201, r.text);
  });
  after(async () => t?.stop());

  const url = (name = ''): string => ns(NS, 'imagestreamtags', name);

  it('names without exactly one ":" (or with "@") are 400 on get, put, patch and delete', async () => {
    for (const name of ['app', 'app:a:b', 'app@sha256:x', ':latest', 'app:']) {
      for (const r of [
        await t.client.get(url(name)),
        await t.client.put(url(name), { metadata: { name } }),
        await t.client.patch(url(name), {}),
        await t.client.delete(url(name)),
      ]) {
        assert.equal(r.status, 400, `${name}: ${r.text}`);
        assert.equal(r.json().message, 'ImageStreamTags must be retrieved with <name>:<tag>');
      }
    }
  });

  it('a missing stream is 404 named after imagestreamtags; a spec-only or reference-only tag is 404 too', async () => {
    const missing = await t.client.get(url('nosuch:latest'));
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'imagestreamtags.image.openshift.io "nosuch" not found');
    for (const tag of ['spec-only', 'ref', 'never']) {
      const r = await t.client.get(url(`app:${tag}`));
      assert.equal(r.status, 404);
      assert.equal(r.json().message, `imagestreamtags.image.openshift.io "app:${tag}" not found`);
    }
  });

  it('a tag whose Image was deleted is 404 (the Image is gone)', async () => {
    const img = fakeDigest('d');
    await t.client.post(ns(NS, 'imagestreams'), stream('gone'));
    await t.client.post(ns(NS, 'imagestreammappings'), mapping('gone', 'latest', imageBody(img, `quay.io/o/gone@${img}`)));
    assert.equal((await t.client.delete(`${GROUP_PATH}/images/${img}`)).status, 200);
    const r = await t.client.get(url('gone:latest'));
    assert.equal(r.status, 404);
    assert.equal(r.json().message, `imagestreamtags.image.openshift.io "${img}" not found`);
  });

  it('GET shows the stream labels, resourceVersion, the event time and generation', async () => {
    const is = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    const r = await t.client.get(url('app:latest'));
    assert.equal(r.status, 200);
    const o = r.json<Obj>();
    assert.deepEqual(o.metadata.labels, { team: 'a' });
    assert.equal(o.metadata.resourceVersion, is.metadata.resourceVersion);
    assert.equal(o.metadata.creationTimestamp, is.status.tags?.find((x) => x.tag === 'latest')?.items?.[0]?.created);
    assert.equal(o.tag, null);
    assert.equal(o.generation, 1);
    assert.equal((o.image as Obj).dockerImageReference, `quay.io/o/app@${A}`);
  });

  it('create adds the spec tag (named after the object), creating the stream; annotations of the object are not kept', async () => {
    const r = await t.client.post(url(), {
      metadata: { name: 'fresh:v1', annotations: { a: 'b' } },
      tag: { name: 'ignored', from: { kind: 'DockerImage', name: 'quay.io/o/fresh:1' }, reference: true },
    });
    assert.equal(r.status, 201, r.text);
    const o = r.json<Obj>();
    assert.equal(o.kind, 'ImageStreamTag');
    assert.equal((o.tag as Obj).name, 'v1');
    const is = (await t.client.get(ns(NS, 'imagestreams', 'fresh'))).json<StreamJSON>();
    assert.equal(is.metadata.generation, 1);
    assert.deepEqual(
      is.spec.tags?.map((x) => [x.name, x.annotations, x.generation]),
      [['v1', null, 1]],
    );
    assert.deepEqual(history(is, 'v1'), [['quay.io/o/fresh:1', '', 1]]);
  });

  it('create of an existing spec tag is 409; create without ":" is 400 (OpenShift: 500)', async () => {
    const dup = await t.client.post(url(), { metadata: { name: 'fresh:v1' }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/x:1' } } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json().message, 'imagestreamtag.image.openshift.io "fresh:v1" already exists');
    const noColon = await t.client.post(url(), { metadata: { name: 'fresh' }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/x:1' } } });
    assert.equal(noColon.status, 400);
    assert.equal(noColon.json().message, '"fresh" must be of the form <stream_name>:<tag>');
  });

  it('create splits on the first ":" only ("a:b:c" is tag "b:c", which GET can never read); names must be path segments', async () => {
    const r = await t.client.post(url(), { metadata: { name: 'odd:b:c' }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/odd:1' } } });
    assert.equal(r.status, 201, r.text);
    const is = (await t.client.get(ns(NS, 'imagestreams', 'odd'))).json<StreamJSON>();
    assert.deepEqual(is.spec.tags?.map((x) => x.name), ['b:c']);
    assert.equal((await t.client.get(url('odd:b:c'))).status, 400);
    const slash = await t.client.post(url(), { metadata: { name: 'a%b:c' } });
    assert.equal(slash.status, 422);
    assert.equal(slash.json().message, 'ImageStreamTag.image.openshift.io "a%b:c" is invalid: metadata.name: Invalid value: "a%b:c": may not contain \'%\'');
  });

  it('create validation: tag annotations must equal the object\'s; tag references are validated', async () => {
    const r = await t.client.post(url(), {
      metadata: { name: 'val:1', annotations: { a: '1' } },
      tag: { annotations: { a: '2' }, from: { kind: 'Nope', name: 'x' } },
    });
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      'ImageStreamTag.image.openshift.io "val:1" is invalid: [tag.from.kind: Required value: valid values are \'DockerImage\', \'ImageStreamImage\', \'ImageStreamTag\', tag.annotations: Invalid value: "<map>": tag annotations must not be provided or must be equal to the object meta annotations]',
    );
    const ns2 = await t.client.post(url(), { metadata: { name: 'val:1', namespace: 'elsewhere' } });
    assert.equal(ns2.status, 400);
    assert.equal(ns2.json().message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('a blind PUT of a missing tag creates it (201) even in a missing stream; later PUTs answer 200', async () => {
    const body = { metadata: { name: 'blind:x', annotations: { note: 'hi' } }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/blind:1' }, reference: true } };
    const first = await t.client.put(url('blind:x'), body);
    assert.equal(first.status, 201, first.text);
    const o = first.json<Obj>();
    assert.deepEqual(o.metadata.annotations, { note: 'hi' }, 'on PUT the object annotations become the tag annotations');
    const second = await t.client.put(url('blind:x'), { ...body, metadata: { name: 'blind:x' } });
    assert.equal(second.status, 200, second.text);
    const is = (await t.client.get(ns(NS, 'imagestreams', 'blind'))).json<StreamJSON>();
    assert.equal(is.spec.tags?.[0]?.annotations, null);
  });

  it('concurrent blind PUTs and pushes to one stream all succeed (conflicts are retried)', async () => {
    await t.client.post(ns(NS, 'imagestreams'), stream('conc'));
    const puts = Array.from({ length: 8 }, (_, i) =>
      t.client.put(url(`conc:t${i}`), { metadata: { name: `conc:t${i}` }, tag: { from: { kind: 'DockerImage', name: `quay.io/o/conc:${i}` } } }),
    );
    const pushes = Array.from({ length: 8 }, (_, i) => t.client.post(ns(NS, 'imagestreammappings'), mapping('conc', `p${i}`, imageBody(A, `quay.io/o/app@${A}`))));
    const results = await Promise.all([...puts, ...pushes]);
    assert.deepEqual(
      results.map((r) => r.status),
      [...Array(16).fill(201)],
      results.map((r) => r.text).join('\n'),
    );
    const is = (await t.client.get(ns(NS, 'imagestreams', 'conc'))).json<StreamJSON>();
    assert.equal(is.spec.tags?.length, 8);
    assert.equal(is.status.tags?.length, 8);
  });

  it('PUT of a tag that is in status only, without a tag, is 400', async () => {
    const r = await t.client.put(url('app:latest'), { metadata: { name: 'app:latest' } });
    assert.equal(r.status, 400);
    assert.equal(r.json().message, 'imagestreamtag latest is not a spec tag in imagestream istag/app, cannot be updated');
  });

  it('resourceVersion: another one is 409; one given for a missing stream is 404', async () => {
    const stale = await t.client.put(url('app:spec-only'), { metadata: { name: 'app:spec-only', resourceVersion: '1' }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/x:9' } } });
    assert.equal(stale.status, 409);
    const is = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.equal(
      stale.json().message,
      `Operation cannot be fulfilled on imagestreamtags.image.openshift.io "app:spec-only": another caller has updated the resource version to ${is.metadata.resourceVersion}`,
    );
    const missing = await t.client.put(url('nostream:x'), { metadata: { name: 'nostream:x', resourceVersion: '5' }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/x:9' } } });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'imagestreamtags.image.openshift.io "nostream:x" not found');
  });

  it('an update may change annotations and tag only; labels default to the stream\'s', async () => {
    await t.client.post(ns(NS, 'imagestreams'), stream('upd', [], { metadata: { labels: { team: 'u' } } }));
    await t.client.post(ns(NS, 'imagestreammappings'), mapping('upd', 'latest', imageBody(A, `quay.io/o/app@${A}`)));
    const cur = (await t.client.get(url('upd:latest'))).json<Obj>();
    const { labels: _l, ...withoutLabels } = cur.metadata;
    const ok = await t.client.put(url('upd:latest'), { ...cur, metadata: withoutLabels, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/upd:2' } } });
    assert.equal(ok.status, 201, `${ok.text} (the spec tag is new: 201)`);
    assert.deepEqual(ok.json<Obj>().metadata.labels, { team: 'u' });
    const again = (await t.client.get(url('upd:latest'))).json<Obj>();
    const same = await t.client.put(url('upd:latest'), { ...again, lookupPolicy: { local: true }, generation: 42 });
    assert.equal(same.status, 200, `${same.text} (lookupPolicy and generation changes are ignored)`);
    const annotated = await t.client.put(url('upd:latest'), { ...again, metadata: { ...again.metadata, resourceVersion: undefined, annotations: { 'io.example/note': 'x' } } });
    assert.equal(annotated.status, 200, annotated.text);
    const shown = (await t.client.get(url('upd:latest'))).json<Obj & { image: Obj & { metadata: Obj } }>();
    assert.deepEqual(shown.metadata.annotations, { 'io.example/note': 'x' }, 'the spec tag annotations are the object\'s');
    assert.equal((shown.image.metadata.annotations as Record<string, string>)['io.example/note'], 'x', '...and are merged into the image\'s');
    const bad = await t.client.put(url('upd:latest'), { ...again, metadata: { ...again.metadata, resourceVersion: undefined, labels: { other: 'x' } } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().message, 'ImageStreamTag.image.openshift.io "upd:latest" is invalid: metadata: Invalid value: "": may not update fields other than metadata.annotations');
  });

  it('PATCH applies to the current tag object and writes the spec tag', async () => {
    const r = await t.client.patch(url('app:spec-only'), { metadata: { annotations: { patched: 'yes' } } });
    assert.equal(r.status, 200, r.text);
    const is = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.deepEqual(is.spec.tags?.find((x) => x.name === 'spec-only')?.annotations, { patched: 'yes' });
    const json = await t.client.patch(url('app:spec-only'), [{ op: 'replace', path: '/tag/from/name', value: 'quay.io/o/app:3' }], 'application/json-patch+json');
    assert.equal(json.status, 200, json.text);
    const after = (await t.client.get(ns(NS, 'imagestreams', 'app'))).json<StreamJSON>();
    assert.deepEqual(after.spec.tags?.find((x) => x.name === 'spec-only')?.from, { kind: 'DockerImage', name: 'quay.io/o/app:3' });
  });

  it('delete removes spec and status of the tag (the Image stays); 404 when neither; UID precondition 409', async () => {
    await t.client.post(ns(NS, 'imagestreams'), stream('del', [dockerRef('both', 'quay.io/o/d:1', { reference: true })]));
    const uid = (await t.client.get(ns(NS, 'imagestreams', 'del'))).json<StreamJSON>().metadata.uid;
    const pre = await t.client.delete(url('del:both'), { preconditions: { uid: 'not-it' } });
    assert.equal(pre.status, 409);
    assert.equal(pre.json().message, 'Operation cannot be fulfilled on imagestreamtags.image.openshift.io "del:both": the UID precondition was not met');
    const r = await t.client.delete(url('del:both'), { preconditions: { uid } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 });
    const is = (await t.client.get(ns(NS, 'imagestreams', 'del'))).json<StreamJSON>();
    assert.equal(is.spec.tags, undefined);
    assert.equal(is.status.tags, undefined);
    assert.equal(is.metadata.generation, 2);
    const again = await t.client.delete(url('del:both'));
    assert.equal(again.status, 404);
    assert.equal(again.json().message, 'imagestreamtags.image.openshift.io "del:both" not found');
    const noStream = await t.client.delete(url('nostream:x'));
    assert.equal(noStream.status, 404);
    assert.equal(noStream.json().message, 'imagestreamtags.image.openshift.io "nostream" not found');
  });

  it('dry run writes nothing', async () => {
    const r = await t.client.post(`${url()}?dryRun=All`, { metadata: { name: 'dry:1' }, tag: { from: { kind: 'DockerImage', name: 'quay.io/o/dry:1' } } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await t.client.get(ns(NS, 'imagestreams', 'dry'))).status, 404);
  });

  it('list: only tags with an image; selectors apply to streams first; limit pages streams without a continue token', async () => {
    const L = 'istag-list';
    await t.client.post(ns(L, 'imagestreams'), stream('first', [dockerRef('spec-only', 'quay.io/o/x:1')], { metadata: { labels: { team: 'a' } } }));
    await t.client.post(ns(L, 'imagestreams'), stream('second', [], { metadata: { labels: { team: 'b' } } }));
    for (const [s2, tag] of [['first', 'latest'], ['first', 'old'], ['second', 'v1']] as const) {
      const r = await t.client.post(ns(L, 'imagestreammappings'), mapping(s2, tag, imageBody(A, `quay.io/o/app@${A}`)));
      assert.equal(r.status, 201, r.text);
    }
    const lurl = ns(L, 'imagestreamtags');
    const all = (await t.client.get(lurl)).json<{ metadata: Record<string, unknown>; items: Obj[] }>();
    assert.deepEqual(all.metadata, {});
    assert.deepEqual(
      all.items.map((i) => i.metadata.name),
      ['first:latest', 'first:old', 'second:v1'],
    );
    const item = all.items[0] as Obj;
    assert.deepEqual(Object.keys(item.image as Obj), ['metadata', 'dockerImageReference', 'dockerImageMetadata', 'dockerImageMetadataVersion'], 'images are not loaded');
    const labelled = (await t.client.get(`${lurl}?labelSelector=team%3Db`)).json<{ items: Obj[] }>();
    assert.deepEqual(labelled.items.map((i) => i.metadata.name), ['second:v1']);
    const byName = (await t.client.get(`${lurl}?fieldSelector=metadata.name%3Dfirst%3Alatest`)).json<{ items: Obj[] }>();
    assert.deepEqual(byName.items, [], 'metadata.name is matched against streams first');
    const byStream = (await t.client.get(`${lurl}?fieldSelector=metadata.name%3Dsecond`)).json<{ items: Obj[] }>();
    assert.deepEqual(byStream.items, [], '...and then against the tags');
    const paged = (await t.client.get(`${lurl}?limit=1`)).json<{ metadata: Record<string, unknown>; items: Obj[] }>();
    assert.deepEqual(paged.metadata, {});
    assert.deepEqual(paged.items.map((i) => i.metadata.name), ['first:latest', 'first:old'], 'the limit counts streams');
    const bad = await t.client.get(`${lurl}?fieldSelector=spec.nope%3D1`);
    assert.equal(bad.status, 400);
    const across = (await t.client.get(`${GROUP_PATH}/imagestreamtags`)).json<{ items: Obj[] }>();
    assert.ok(across.items.some((i) => i.metadata.namespace === L) && across.items.some((i) => i.metadata.namespace === NS));
  });

  it('a tag whose Image is gone is still listed (images are not read on lists)', async () => {
    const names = (await t.client.get(url())).json<{ items: Obj[] }>().items.map((i) => i.metadata.name);
    assert.ok(names.includes('gone:latest'));
  });

  it('watch is not supported', async () => {
    const r = await t.client.get(`${url()}?watch=true`);
    assert.equal(r.status, 405);
  });
});
