// §5.2–§5.4 over HTTP: spec tags resolved into status (DockerImage references, ImageStreamTag and
// ImageStreamImage sources in this stream, another stream and another namespace behind the
// `get imagestreams/layers` access check), tracking tags that follow their source whichever write
// moved it, per-tag generations, reference policies and the lookup policy.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import type { UserInfo } from '../../../src/apiserver/registry/strategy.js';
import type { AccessDecision, AccessReviewRequest, ImageAccessChecker } from '../../../src/image/collaborators.js';
import { ADMIN, startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { dockerRef, fakeDigest, history, imageBody, isiRef, istRef, mapping, ns, stream, type StreamJSON } from './helpers.js';

const INTERNAL = 'registry.internal:5000';
const A = fakeDigest('a');
const B = fakeDigest('b');
const AB = `sha256:ab${'0'.repeat(62)}`;

/** Records every check; denies user "mallory" everything and "broken" with an evaluation error. */
class RecordingChecker implements ImageAccessChecker {
  readonly calls: { user: string; request: AccessReviewRequest }[] = [];
  async canI(user: UserInfo, request: AccessReviewRequest): Promise<AccessDecision> {
    this.calls.push({ user: user.username, request });
    if (user.username === 'mallory') return { allowed: false, reason: 'no RBAC policy matched' };
    if (user.username === 'broken') throw new Error('webhook unreachable');
    return { allowed: true };
  }
}

describe('spec tag resolution and tracking (§5.2–§5.4)', () => {
  let t: ImageTestServer;
  const checker = new RecordingChecker();
  before(async () => {
    t = await startImageTestServer({
      internalRegistryHostname: INTERNAL,
      accessChecker: checker,
      users: { 'mallory-token': { username: 'mallory', groups: [] }, 'broken-token': { username: 'broken', groups: [] } },
    });
  });
  after(async () => t?.stop());

  const create = async (namespace: string, body: Record<string, unknown>, client = t.client): Promise<StreamJSON> => {
    const r = await client.post(ns(namespace, 'imagestreams'), body);
    assert.equal(r.status, 201, r.text);
    return r.json<StreamJSON>();
  };
  const get = async (namespace: string, name: string): Promise<StreamJSON> => (await t.client.get(ns(namespace, 'imagestreams', name))).json<StreamJSON>();
  const push = async (namespace: string, name: string, tag: string, image: string, ref: string): Promise<void> => {
    const r = await t.client.post(ns(namespace, 'imagestreammappings'), mapping(name, tag, imageBody(image, ref)));
    assert.equal(r.status, 201, r.text);
  };
  const put = async (namespace: string, s: StreamJSON, path = ''): Promise<StreamJSON> => {
    const r = await t.client.put(ns(namespace, 'imagestreams', `${String(s.metadata.name)}${path}`), s);
    assert.equal(r.status, 200, r.text);
    return r.json<StreamJSON>();
  };

  it('a DockerImage reference tag becomes an event at once; a plain DockerImage tag waits for an import', async () => {
    const s = await create('res', stream('docker', [dockerRef('ref', 'quay.io/org/app:1', { reference: true }), dockerRef('plain', 'quay.io/org/app:2')]));
    assert.deepEqual(history(s, 'ref'), [['quay.io/org/app:1', '', 1]]);
    assert.deepEqual(history(s, 'plain'), []);
  });

  it('an ImageStreamTag source in the same stream copies its newest event; a missing source tag waits', async () => {
    await create('res', stream('same'));
    await push('res', 'same', 'latest', A, `${INTERNAL}/res/same@${A}`);
    const s = await get('res', 'same');
    s.spec.tags = [istRef('copy', 'latest'), istRef('waiting', 'nothing-yet')];
    const updated = await put('res', s);
    assert.deepEqual(history(updated, 'copy'), [[`${INTERNAL}/res/same@${A}`, A, 2]], 'event generation = the tag generation');
    assert.deepEqual(history(updated, 'waiting'), []);
  });

  it('a new tag copying a tag of the same stream stamps the new generation on that tag\'s newest event too, as OpenShift does', async () => {
    // openshift-apiserver takes the source event by pointer and sets its generation in place, so
    // after `oc tag app:v1 app:alias --alias` (or `oc create imagestreamtag --from=app:v1`) the
    // source tag's newest event is newer than its spec and `oc get itag` shows SPEC Push for it.
    await create('res', stream('aliased', [dockerRef('v1', 'quay.io/org/app:1')]));
    await push('res', 'aliased', 'v1', A, `quay.io/org/app@${A}`);
    const s = await get('res', 'aliased');
    s.spec.tags = [...(s.spec.tags ?? []), istRef('alias', 'aliased:v1')];
    const updated = await put('res', s);
    const generation = Number(updated.metadata.generation);
    assert.deepEqual(history(updated, 'alias'), [[`quay.io/org/app@${A}`, A, generation]]);
    assert.deepEqual(history(updated, 'v1'), [[`quay.io/org/app@${A}`, A, generation]]);
    const created = await t.client.post(ns('res', 'imagestreamtags'), { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { name: 'aliased:from' }, tag: { name: 'from', from: { kind: 'ImageStreamTag', name: 'aliased:v1' } } });
    assert.equal(created.status, 201, created.text);
    const after = await get('res', 'aliased');
    assert.equal(history(after, 'v1')[0]?.[2], Number(after.metadata.generation));
    const table = await t.client.get(ns('res', 'imagetags', 'aliased:v1'), { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(table.json<{ rows: { cells: unknown[] }[] }>().rows[0]?.cells[1], 'Push');
  });

  it('another stream: its event is copied; an internal-registry reference is rewritten to this stream unless reference:true', async () => {
    await create('res', stream('source'));
    await push('res', 'source', 'latest', A, `${INTERNAL}/res/source@${A}`);
    await push('res', 'source', 'ext', B, `quay.io/org/ext@${B}`);
    const s = await create('res', stream('target', [istRef('local', 'source:latest'), istRef('asref', 'source:latest', { reference: true }), istRef('external', 'source:ext')]));
    assert.deepEqual(history(s, 'local'), [[`${INTERNAL}/res/target@${A}`, A, 1]]);
    assert.deepEqual(history(s, 'asref'), [[`${INTERNAL}/res/source@${A}`, A, 1]]);
    assert.deepEqual(history(s, 'external'), [[`quay.io/org/ext@${B}`, B, 1]]);
  });

  it('a missing source stream and a malformed name are 422 with one InternalError cause', async () => {
    const r = await t.client.post(ns('res', 'imagestreams'), stream('broken', [istRef('latest', 'nosuch:latest')]));
    assert.equal(r.status, 422);
    assert.equal(
      r.json().message,
      'ImageStream.image.openshift.io "broken" is invalid: []: Internal error: imagestreams "broken" is invalid: spec.tags[latest].from.name: Not found: "nosuch:latest"',
    );
  });

  it('ImageStreamImage sources resolve a short id; none or several matches are 422', async () => {
    await create('res', stream('ids'));
    await push('res', 'ids', 'one', A, `quay.io/org/ids@${A}`);
    await push('res', 'ids', 'two', AB, `quay.io/org/ids@${AB}`);
    const ok = await t.client.post(ns('res', 'imagestreams'), stream('pinned2', [isiRef('exact', 'ids@ab0')]));
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(history(ok.json<StreamJSON>(), 'exact'), [[`quay.io/org/ids@${AB}`, AB, 1]]);
    const ambiguous = await t.client.post(ns('res', 'imagestreams'), stream('pinned3', [isiRef('any', 'ids@a')]));
    assert.equal(ambiguous.status, 422);
    assert.equal(
      ambiguous.json().message,
      `ImageStream.image.openshift.io "pinned3" is invalid: []: Internal error: imagestreams "pinned3" is invalid: spec.tags[any].from.name: Invalid value: "ids@a": error generating tag event: Operation cannot be fulfilled on imagestreamimage.image.openshift.io "a": multiple images match the prefix "a": ${A}, ${AB}`,
    );
    const none = await t.client.post(ns('res', 'imagestreams'), stream('pinned4', [isiRef('none', 'ids@fff')]));
    assert.equal(none.status, 422);
    assert.match(none.json().message as string, /error generating tag event: imagestreamimage\.image\.openshift\.io "fff" not found$/);
  });

  it('a tracking tag follows its source after a push, through several hops, and via <stream>:<tag> too', async () => {
    await create('res', stream('other'));
    await create('res', stream('track', [istRef('stable', 'latest'), istRef('prod', 'stable'), istRef('qualified', 'track:latest'), istRef('elsewhere', 'other:latest')]));
    await push('res', 'track', 'latest', A, `quay.io/org/track@${A}`);
    let s = await get('res', 'track');
    for (const tag of ['latest', 'stable', 'prod', 'qualified']) assert.deepEqual(history(s, tag), [[`quay.io/org/track@${A}`, A, 1]], tag);
    assert.deepEqual(history(s, 'elsewhere'), []);
    await push('res', 'track', 'latest', B, `quay.io/org/track@${B}`);
    s = await get('res', 'track');
    for (const tag of ['latest', 'stable', 'prod']) assert.deepEqual(history(s, tag).map((e) => e[1]), [B, A], tag);
  });

  it('tracking tags follow a change made through imagestreams/status', async () => {
    const s = await get('res', 'track');
    const latest = s.status.tags?.find((x) => x.tag === 'latest');
    assert.ok(latest?.items);
    latest.items.unshift({ created: '2026-01-01T00:00:00Z', dockerImageReference: 'quay.io/org/track:manual', image: '', generation: 0 });
    const updated = await put('res', s, '/status');
    assert.equal(history(updated, 'stable')[0]?.[0], 'quay.io/org/track:manual');
    assert.equal(history(updated, 'prod')[0]?.[0], 'quay.io/org/track:manual');
  });

  it('tracking tags follow a change made through the main resource (a reference tag re-pointed)', async () => {
    await create('res', stream('via-spec', [dockerRef('latest', 'quay.io/org/x:1', { reference: true }), istRef('stable', 'latest')]));
    let s = await get('res', 'via-spec');
    assert.deepEqual(history(s, 'stable'), [['quay.io/org/x:1', '', 1]]);
    s.spec.tags = [dockerRef('latest', 'quay.io/org/x:2', { reference: true }), istRef('stable', 'latest')];
    s = await put('res', s);
    // Same (empty) image, another reference: replaced in place, here and in the tracking tag.
    assert.deepEqual(history(s, 'latest'), [['quay.io/org/x:2', '', 2]]);
    assert.deepEqual(history(s, 'stable'), [['quay.io/org/x:2', '', 2]]);
  });

  it('tracking tags follow a change made through an imagestreamtag PUT', async () => {
    const r = await t.client.put(ns('res', 'imagestreamtags', 'via-spec:latest'), {
      metadata: { name: 'via-spec:latest' },
      tag: { from: { kind: 'DockerImage', name: 'quay.io/org/x:3' }, reference: true },
    });
    assert.equal(r.status, 200, r.text);
    const s = await get('res', 'via-spec');
    assert.equal(history(s, 'stable')[0]?.[0], 'quay.io/org/x:3');
  });

  it('tracking tags follow a change written through the stream facade (what an import does)', async () => {
    await create('res', stream('imported', [dockerRef('latest', 'quay.io/org/imp:1'), istRef('stable', 'latest')]));
    const ctx = { user: ADMIN, namespace: 'res', dryRun: false };
    await t.api.streams.update(ctx, 'res', 'imported', (s) => {
      s.status = { ...s.status, tags: [{ tag: 'latest', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: `quay.io/org/imp@${A}`, image: A, generation: 1 }] }] };
      return s;
    });
    const s = await get('res', 'imported');
    assert.deepEqual(history(s, 'stable'), [[`quay.io/org/imp@${A}`, A, 1]]);
  });

  it('generations: new tags take the stream generation, changed tags the new one, unrelated edits keep theirs; 0 asks again', async () => {
    let s = await create('res', stream('gen', [dockerRef('a', 'quay.io/o/a:1', { reference: true }), dockerRef('b', 'quay.io/o/b:1', { reference: true })]));
    const gens = (x: StreamJSON): Record<string, number | undefined> => Object.fromEntries((x.spec.tags ?? []).map((tg) => [tg.name, tg.generation]));
    assert.equal(s.metadata.generation, 1);
    assert.deepEqual(gens(s), { a: 1, b: 1 });
    s.spec.tags = [dockerRef('a', 'quay.io/o/a:2', { reference: true, generation: 1 }), dockerRef('b', 'quay.io/o/b:1', { reference: true, generation: 99, annotations: { note: 'x' } })];
    s = await put('res', s);
    assert.equal(s.metadata.generation, 2);
    assert.deepEqual(gens(s), { a: 2, b: 1 }, 'a changed source; b only annotations (its generation cannot be set)');
    assert.deepEqual(history(s, 'a')[0], ['quay.io/o/a:2', '', 2]);
    const specB = s.spec.tags?.find((x) => x.name === 'b');
    assert.ok(specB);
    specB.generation = 0;
    s = await put('res', s);
    assert.equal(s.metadata.generation, 3);
    assert.equal(gens(s).b, 3, 'generation 0 asks for a new import: the tag takes the new stream generation');
    assert.deepEqual(history(s, 'b'), [['quay.io/o/b:1', '', 1]], 'a reference tag has nothing to import');
  });

  it('reference policy Local hands out the stream repository by digest; Source the original reference', async () => {
    await create('res', stream('policy', [istRef('local', 'latest', { referencePolicy: { type: 'Local' } }), istRef('source', 'latest')]));
    await push('res', 'policy', 'latest', A, `quay.io/org/policy@${A}`);
    const local = (await t.client.get(ns('res', 'imagestreamtags', 'policy:local'))).json<{ image: { dockerImageReference: string } }>();
    assert.equal(local.image.dockerImageReference, `${INTERNAL}/res/policy@${A}`);
    const source = (await t.client.get(ns('res', 'imagestreamtags', 'policy:source'))).json<{ image: { dockerImageReference: string } }>();
    assert.equal(source.image.dockerImageReference, `quay.io/org/policy@${A}`);
    const list = (await t.client.get(ns('res', 'imagestreamtags'))).json<{ items: { metadata: { name: string }; image: { dockerImageReference: string } }[] }>();
    assert.equal(list.items.find((i) => i.metadata.name === 'policy:local')?.image.dockerImageReference, `${INTERNAL}/res/policy@${A}`);
  });

  it('the lookup policy is the stream\'s; it can be set through /status and istag updates ignore it', async () => {
    const s = await get('res', 'policy');
    s.spec.lookupPolicy = { local: true };
    const st = await put('res', s, '/status');
    assert.equal(st.spec.lookupPolicy?.local, true, '/status persists spec.lookupPolicy');
    const istag = (await t.client.get(ns('res', 'imagestreamtags', 'policy:source'))).json<Record<string, unknown>>();
    assert.deepEqual(istag.lookupPolicy, { local: true });
    const r = await t.client.put(ns('res', 'imagestreamtags', 'policy:source'), { ...istag, lookupPolicy: { local: false } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await get('res', 'policy')).spec.lookupPolicy?.local, true);
  });

  it('a cross-namespace source is checked once per source stream as get imagestreams/layers there, for the requesting user', async () => {
    await create('other-ns', stream('base'));
    await push('other-ns', 'base', 'latest', A, `quay.io/org/base@${A}`);
    checker.calls.length = 0;
    const s = await create(
      'res',
      stream('cross', [
        istRef('one', 'base:latest', { from: { kind: 'ImageStreamTag', name: 'base:latest', namespace: 'other-ns' } }),
        { name: 'two', from: { kind: 'ImageStreamImage', name: `base@${A.slice(0, 15)}`, namespace: 'other-ns' } },
      ]),
    );
    assert.deepEqual(history(s, 'one'), [[`quay.io/org/base@${A}`, A, 1]]);
    assert.deepEqual(history(s, 'two'), [[`quay.io/org/base@${A}`, A, 1]]);
    assert.deepEqual(checker.calls, [
      { user: 'admin', request: { verb: 'get', group: 'image.openshift.io', resource: 'imagestreams', subresource: 'layers', namespace: 'other-ns', name: 'base' } },
    ]);
    // An unchanged cross-namespace tag is not checked again on update.
    checker.calls.length = 0;
    const cur = await get('res', 'cross');
    await put('res', { ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } } });
    assert.equal(checker.calls.length, 0);
  });

  it('a refused or failed access check is a Forbidden cause on spec.tags[<tag>].from', async () => {
    const body = stream('denied', [{ name: 'x', from: { kind: 'ImageStreamTag', name: 'base:latest', namespace: 'other-ns' } }]);
    const denied = await t.as('mallory-token').post(ns('res', 'imagestreams'), body);
    assert.equal(denied.status, 422);
    assert.equal(
      denied.json().message,
      'ImageStream.image.openshift.io "denied" is invalid: []: Internal error: imagestreams "denied" is invalid: spec.tags[x].from: Forbidden: other-ns/base: "no RBAC policy matched" ""',
    );
    const failed = await t.as('broken-token').post(ns('res', 'imagestreams'), body);
    assert.equal(failed.status, 422);
    assert.match(failed.json().message as string, /spec\.tags\[x\]\.from: Forbidden: other-ns\/base- webhook unreachable$/);
  });

  it('deleting a source tag with istag delete leaves the history its trackers copied', async () => {
    const r = await t.client.delete(ns('res', 'imagestreamtags', 'track:latest'));
    assert.equal(r.status, 200, r.text);
    const s = await get('res', 'track');
    assert.deepEqual(history(s, 'latest'), []);
    assert.equal(history(s, 'stable').length, 3);
  });
});
