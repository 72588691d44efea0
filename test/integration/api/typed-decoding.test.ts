// Bodies are decoded against the group's schemas the way a typed Go server decodes them: a wrong
// JSON type, an unparseable time or bad base64 in a []byte field is 400 "cannot be handled as".

import assert from 'node:assert/strict';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { imageStream, nsPath } from '../../support/fixtures.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe('typed decoding of request bodies', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.stop());

  it('a string where the schema has a boolean answers 400 with Go\'s unmarshal text', async () => {
    const r = await t.client.post(nsPath('typed', 'imagestreams'), imageStream('x', { spec: { lookupPolicy: { local: 'yes' } } }));
    assert.equal(r.status, 400);
    assert.match(String(r.json().message), /^ImageStream in version "v1" cannot be handled as a ImageStream: json: cannot unmarshal string into Go struct field .* of type bool$/);
  });

  it('an unparseable time answers 400', async () => {
    const r = await t.client.post(nsPath('typed', 'imagestreams'), imageStream('x', { metadata: { creationTimestamp: 'yesterday' } }));
    assert.equal(r.status, 400);
    assert.match(String(r.json().message), /parsing time "yesterday"/);
  });

  it('bad base64 in a []byte field answers 400; good base64 is stored', async () => {
    const image = (content: string): Record<string, unknown> => ({
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name: `sha256:${'c'.repeat(64)}` },
      dockerImageReference: `quay.io/a/b@sha256:${'c'.repeat(64)}`,
      signatures: [{ metadata: { name: `sha256:${'c'.repeat(64)}@sig` }, type: 'atomic', content }],
    });
    const bad = await t.client.post('/apis/image.openshift.io/v1/images', image('not base64!'));
    assert.equal(bad.status, 400);
    assert.match(String(bad.json().message), /^Image in version "v1" cannot be handled as a Image: illegal base64 data at input byte 3$/);
    const good = await t.client.post('/apis/image.openshift.io/v1/images', image(Buffer.from('signed').toString('base64')));
    assert.equal(good.status, 201, good.text);
  });
});
