// §5.1 over HTTP: how pushes (ImageStreamMappings) grow a tag's history, newest first: identical
// events change nothing, a new generation only moves the generation, one of reference/image equal
// replaces in place, both different prepends; conditions are cleared by any change; and the
// configurable history bound.

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { startImageTestServer, type ImageTestServer } from '../../support/image-server.js';
import { fakeDigest, history, imageBody, mapping, ns, stream, type StreamJSON } from './helpers.js';

const NS = 'history';
const A = fakeDigest('a');
const B = fakeDigest('b');
const C = fakeDigest('c');

describe('tag history (§5.1)', () => {
  let t: ImageTestServer;
  let bounded: ImageTestServer;
  before(async () => {
    t = await startImageTestServer();
    bounded = await startImageTestServer({ tagHistoryLimit: 2 });
  });
  after(async () => {
    await t?.stop();
    await bounded?.stop();
  });

  const push = async (srv: ImageTestServer, name: string, tag: string, image: string, ref: string): Promise<void> => {
    const r = await srv.client.post(ns(NS, 'imagestreammappings'), mapping(name, tag, imageBody(image, ref)));
    assert.equal(r.status, 201, r.text);
  };
  const get = async (srv: ImageTestServer, name: string): Promise<StreamJSON> => (await srv.client.get(ns(NS, 'imagestreams', name))).json<StreamJSON>();

  it('a first push starts the history; pushing the same again changes nothing (no new resourceVersion)', async () => {
    assert.equal((await t.client.post(ns(NS, 'imagestreams'), stream('one'))).status, 201);
    await push(t, 'one', 'latest', A, `quay.io/a/one@${A}`);
    const first = await get(t, 'one');
    assert.deepEqual(history(first, 'latest'), [[`quay.io/a/one@${A}`, A, 1]]);
    await push(t, 'one', 'latest', A, `quay.io/a/one@${A}`);
    const again = await get(t, 'one');
    assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);
  });

  it('a different image at a different reference is prepended: newest first', async () => {
    await push(t, 'one', 'latest', B, `quay.io/a/one@${B}`);
    assert.deepEqual(history(await get(t, 'one'), 'latest'), [
      [`quay.io/a/one@${B}`, B, 1],
      [`quay.io/a/one@${A}`, A, 1],
    ]);
  });

  it('the same image at another reference replaces the newest reference in place (created kept)', async () => {
    const before = await get(t, 'one');
    const created = before.status.tags?.find((x) => x.tag === 'latest')?.items?.[0]?.created;
    await push(t, 'one', 'latest', B, `mirror.example.com/a/one@${B}`);
    const s = await get(t, 'one');
    assert.deepEqual(history(s, 'latest'), [
      [`mirror.example.com/a/one@${B}`, B, 1],
      [`quay.io/a/one@${A}`, A, 1],
    ]);
    assert.equal(s.status.tags?.find((x) => x.tag === 'latest')?.items?.[0]?.created, created);
  });

  it('another image at the same reference replaces the newest image in place', async () => {
    await push(t, 'one', 'latest', C, `mirror.example.com/a/one@${B}`);
    assert.deepEqual(history(await get(t, 'one'), 'latest'), [
      [`mirror.example.com/a/one@${B}`, C, 1],
      [`quay.io/a/one@${A}`, A, 1],
    ]);
  });

  it('the same event under a newer stream generation only moves the generation', async () => {
    const s = await get(t, 'one');
    // A spec change bumps the stream generation to 2; the next push is observed at 2.
    const upd = await t.client.put(ns(NS, 'imagestreams', 'one'), { ...s, spec: { ...s.spec, tags: [{ name: 'other', from: { kind: 'DockerImage', name: 'quay.io/x/y:1' } }] } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.json<StreamJSON>().metadata.generation, 2);
    await push(t, 'one', 'latest', C, `mirror.example.com/a/one@${B}`);
    assert.deepEqual(history(await get(t, 'one'), 'latest'), [
      [`mirror.example.com/a/one@${B}`, C, 2],
      [`quay.io/a/one@${A}`, A, 1],
    ]);
  });

  it('conditions of a tag are cleared by the next change', async () => {
    const s = await get(t, 'one');
    const latest = s.status.tags?.find((x) => x.tag === 'latest');
    assert.ok(latest);
    latest.conditions = [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: 'gone', generation: 2, lastTransitionTime: '2026-01-01T00:00:00Z' }];
    const st = await t.client.put(ns(NS, 'imagestreams', 'one/status'), s);
    assert.equal(st.status, 200, st.text);
    const withCondition = await get(t, 'one');
    assert.equal(withCondition.status.tags?.find((x) => x.tag === 'latest')?.conditions?.length, 1);
    const istag = (await t.client.get(ns(NS, 'imagestreamtags', 'one:latest'))).json<{ conditions?: unknown[] }>();
    assert.equal(istag.conditions?.length, 1, 'istag shows the tag conditions');
    await push(t, 'one', 'latest', A, `quay.io/a/one@${A}`);
    const after = await get(t, 'one');
    assert.equal(after.status.tags?.find((x) => x.tag === 'latest')?.conditions, undefined);
    assert.equal(history(after, 'latest').length, 3);
  });

  it('history is never truncated by default', async () => {
    assert.equal((await t.client.post(ns(NS, 'imagestreams'), stream('long'))).status, 201);
    for (let i = 0; i < 12; i++) await push(t, 'long', 'latest', fakeDigest(i.toString(16)), `quay.io/a/long:${i}`);
    assert.equal(history(await get(t, 'long'), 'latest').length, 12);
  });

  it('with a history bound, each tag keeps only the newest N events (pushes and status writes alike)', async () => {
    assert.equal((await bounded.client.post(ns(NS, 'imagestreams'), stream('short', [{ name: 'follow', from: { kind: 'ImageStreamTag', name: 'latest' } }]))).status, 201);
    await push(bounded, 'short', 'latest', A, `quay.io/a/short@${A}`);
    await push(bounded, 'short', 'latest', B, `quay.io/a/short@${B}`);
    await push(bounded, 'short', 'latest', C, `quay.io/a/short@${C}`);
    const s = await get(bounded, 'short');
    assert.deepEqual(
      history(s, 'latest').map((e) => e[1]),
      [C, B],
    );
    assert.deepEqual(
      history(s, 'follow').map((e) => e[1]),
      [C, B],
      'tracking tags are bounded too',
    );
    // A status update that sends a longer history is cut as well.
    const latest = s.status.tags?.find((x) => x.tag === 'latest');
    assert.ok(latest?.items);
    latest.items.push({ created: '2020-01-01T00:00:00Z', dockerImageReference: `quay.io/a/short@${A}`, image: A, generation: 1 });
    const st = await bounded.client.put(ns(NS, 'imagestreams', 'short/status'), s);
    assert.equal(st.status, 200, st.text);
    assert.equal(history(st.json<StreamJSON>(), 'latest').length, 2);
  });
});
