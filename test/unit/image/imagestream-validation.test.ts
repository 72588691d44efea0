import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from '@jest/globals';
import { errors } from '../../../src/apiserver/errors/index.js';
import { FieldPath } from '../../../src/apiserver/errors/field.js';
import type { DockerImageReference } from '../../../src/image/api/reference.js';
import type { ImageStream, TagReference } from '../../../src/image/api/types.js';
import type { AllowListTransport, RegistryAllowList } from '../../../src/image/api/validation/allowlist.js';
import {
  validateImageStream,
  validateImageStreamName,
  validateImageStreamStatusUpdate,
  validateImageStreamUpdate,
  validateImportPolicy,
  validateTagReference,
} from '../../../src/image/api/validation/imagestream.js';
import { SHARED_DIR } from '../../support/reference.js';

const RECORDED = `${SHARED_DIR}/reference/recorded/`;
const render = (errs: { toString(): string }[]): string[] => errs.map(String);

const NAME_REGEX_MESSAGE = 'must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"';

function stream(spec: ImageStream['spec'] = {}, status: ImageStream['status'] = {}, meta: ImageStream['metadata'] = {}): ImageStream {
  return { metadata: { name: 'is', namespace: 'ns', ...meta }, spec, status };
}

function tag(name: string, rest: Partial<TagReference> = {}): TagReference {
  return { name, referencePolicy: { type: 'Source' }, importPolicy: { importMode: 'Legacy' }, ...rest };
}

/** An allow-list admitting only the given registries, recording what it was asked. */
function allowOnly(registries: string[]): RegistryAllowList & { asked: [string, AllowListTransport][] } {
  const asked: [string, AllowListTransport][] = [];
  const make = (allowed: Set<string>): RegistryAllowList & { asked: typeof asked } => ({
    asked,
    admitReference(ref: DockerImageReference, transport: AllowListTransport) {
      asked.push([ref.exact() || ref.registry, transport]);
      return allowed.has(ref.registry) || allowed.has(ref.exact()) ? null : `registry ${JSON.stringify(ref.registry)} not allowed by whitelist`;
    },
    withPullSpecs(specs: Iterable<string>) {
      return make(new Set([...allowed, ...specs]));
    },
  });
  return make(new Set(registries));
}

describe('image stream names', () => {
  test('lowercase repository name components only', () => {
    for (const ok of ['ubuntu', 'a.b', 'a_b', 'a-b', 'a1', '1']) assert.deepEqual(validateImageStreamName(ok, false), [], ok);
    for (const bad of ['Ubuntu', 'a..b', 'a-', '-a', 'a__b', 'a b', 'a:b']) {
      assert.deepEqual(validateImageStreamName(bad, false), [NAME_REGEX_MESSAGE], bad);
    }
  });
  test('path segment problems are reported instead of the regex', () => {
    assert.deepEqual(validateImageStreamName('..', false), ["may not be '..'"]);
    assert.deepEqual(validateImageStreamName('a/b', false), ["may not contain '/'"]);
  });
  test('a generateName prefix may end with a separator (better than upstream)', () => {
    assert.deepEqual(validateImageStreamName('app-', true), []);
    assert.deepEqual(validateImageStreamName('app', true), []);
    assert.deepEqual(validateImageStreamName('-app', true), [NAME_REGEX_MESSAGE]);
    assert.deepEqual(validateImageStreamName('app--', true), [NAME_REGEX_MESSAGE]);
  });
});

describe('image stream metadata', () => {
  test('name and namespace are required', () => {
    assert.deepEqual(render(validateImageStream({ metadata: {} })), [
      'metadata.name: Required value: name or generateName is required',
      'metadata.namespace: Required value',
    ]);
  });
  test('invalid name and namespace', () => {
    assert.deepEqual(render(validateImageStream(stream({}, {}, { name: 'Bad', namespace: 'a.b' }))), [
      `metadata.name: Invalid value: "Bad": ${NAME_REGEX_MESSAGE}`,
      'metadata.namespace: Invalid value: "a.b": must not contain dots',
    ]);
  });
  test("'namespace/name' may not exceed 255 characters", () => {
    const ns = 'n'.repeat(63);
    assert.deepEqual(validateImageStream(stream({}, {}, { namespace: ns, name: 'a'.repeat(191) })), []);
    assert.deepEqual(render(validateImageStream(stream({}, {}, { namespace: ns, name: 'a'.repeat(192) }))), [
      `metadata.name: Invalid value: "${'a'.repeat(192)}": 'namespace/name' cannot be longer than 255 characters`,
    ]);
  });
});

describe('spec.dockerImageRepository', () => {
  test('must parse and may not carry a tag or an ID', () => {
    assert.deepEqual(validateImageStream(stream({ dockerImageRepository: 'quay.io/a/b' })), []);
    assert.deepEqual(render(validateImageStream(stream({ dockerImageRepository: 'quay/A' }))), [
      'spec.dockerImageRepository: Invalid value: "quay/A": repository name must be lowercase',
    ]);
    assert.deepEqual(render(validateImageStream(stream({ dockerImageRepository: 'a/b:1' }))), [
      'spec.dockerImageRepository: Invalid value: "a/b:1": the repository name may not contain a tag',
    ]);
    const sha = `sha256:${'0'.repeat(64)}`;
    assert.deepEqual(render(validateImageStream(stream({ dockerImageRepository: `a/b:1@${sha}` }))), [
      `spec.dockerImageRepository: Invalid value: "a/b:1@${sha}": the repository name may not contain a tag`,
      `spec.dockerImageRepository: Invalid value: "a/b:1@${sha}": the repository name may not contain an ID`,
    ]);
  });
  test('is checked against the allow-list, with any transport when the stream is insecure', () => {
    const allow = allowOnly(['quay.io']);
    assert.deepEqual(render(validateImageStream(stream({ dockerImageRepository: 'evil.io/a' }), { allowList: allow })), [
      'spec.dockerImageRepository: Forbidden: registry "evil.io" not allowed by whitelist',
    ]);
    const insecure = stream({ dockerImageRepository: 'quay.io/a' }, {}, { annotations: { 'openshift.io/image.insecureRepository': 'true' } });
    assert.deepEqual(validateImageStream(insecure, { allowList: allow }), []);
    assert.deepEqual(allow.asked, [
      ['evil.io/a', 'secure'],
      ['quay.io/a', 'any'],
    ]);
  });
});

describe('spec tag references', () => {
  const path = FieldPath.root('spec').child('tags').key('t');
  const check = (ref: TagReference): string[] => render(validateTagReference(ref, path));

  test('a well-formed DockerImage, ImageStreamTag or ImageStreamImage source passes', () => {
    assert.deepEqual(check(tag('t', { from: { kind: 'DockerImage', name: 'quay.io/a/b:1' } })), []);
    assert.deepEqual(check(tag('t', { from: { kind: 'ImageStreamTag', name: 'other:latest', namespace: 'x' } })), []);
    assert.deepEqual(check(tag('t', { from: { kind: 'ImageStreamImage', name: 'other@sha256:abc' } })), []);
    assert.deepEqual(check(tag('t')), [], 'no from at all');
  });

  test('from.name is required and a DockerImage name must parse', () => {
    assert.deepEqual(check(tag('t', { from: { kind: 'DockerImage' } })), ['spec.tags[t].from.name: Required value']);
    assert.deepEqual(check(tag('t', { from: { kind: 'DockerImage', name: 'docker.io/library/ubuntu:bad tag!' } })), [
      'spec.tags[t].from.name: Invalid value: "docker.io/library/ubuntu:bad tag!": invalid reference format',
    ]);
  });

  test('any other kind (including none) is reported on from.kind', () => {
    const msg = "spec.tags[t].from.kind: Required value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'";
    assert.deepEqual(check(tag('t', { from: { kind: 'Image', name: 'x' } })), [msg]);
    assert.deepEqual(check(tag('t', { from: { name: 'x' } })), [msg]);
    assert.deepEqual(check(tag('t', { from: {} })), ['spec.tags[t].from.name: Required value', msg]);
  });

  test('only DockerImage tags may be scheduled (digests included)', () => {
    assert.deepEqual(check(tag('t', { from: { kind: 'DockerImage', name: `a@sha256:${'1'.repeat(64)}` }, importPolicy: { scheduled: true, importMode: 'Legacy' } })), []);
    assert.deepEqual(check(tag('t', { from: { kind: 'ImageStreamTag', name: 'x' }, importPolicy: { scheduled: true, importMode: 'Legacy' } })), [
      'spec.tags[t].importPolicy.scheduled: Invalid value: true: only tags pointing to Docker repositories may be scheduled for background import',
    ]);
  });

  test('referencePolicy.type is Source or Local', () => {
    assert.deepEqual(check(tag('t', { referencePolicy: { type: 'Local' } })), []);
    assert.deepEqual(check(tag('t', { referencePolicy: {} })), ['spec.tags[t].referencePolicy.type: Invalid value: "": valid values are "Source", "Local"']);
    assert.deepEqual(check(tag('t', { referencePolicy: { type: 'local' } })), [
      'spec.tags[t].referencePolicy.type: Invalid value: "local": valid values are "Source", "Local"',
    ]);
  });

  test("importMode is '', Legacy or PreserveOriginal", () => {
    const p = FieldPath.root('x');
    assert.deepEqual(validateImportPolicy({}, p), []);
    assert.deepEqual(validateImportPolicy({ importMode: 'PreserveOriginal' }, p), []);
    assert.deepEqual(render(validateImportPolicy({ importMode: 'All' }, p)), [
      "x.importMode: Invalid value: \"All\": invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
    ]);
  });

  test('DockerImage sources are allow-listed; insecure tags or streams may use either transport', () => {
    const allow = allowOnly([]);
    const ref = tag('t', { from: { kind: 'DockerImage', name: 'quay.io/a/b' } });
    assert.deepEqual(render(validateTagReference(ref, path, { allowList: allow })), [
      'spec.tags[t].from.name: Forbidden: registry "quay.io" not allowed by whitelist',
    ]);
    validateTagReference({ ...ref, importPolicy: { insecure: true } }, path, { allowList: allow });
    validateTagReference(ref, path, { allowList: allow, insecureRepository: true });
    assert.deepEqual(
      allow.asked.map(([, t]) => t),
      ['secure', 'any', 'any'],
    );
  });

  test('tag names themselves are not validated', () => {
    const s = stream({ tags: [tag('with/slash:and colon'), tag('')] });
    assert.deepEqual(validateImageStream(s), []);
  });

  test('duplicated spec tags are validated once, the last one winning', () => {
    const s = stream({ tags: [tag('a', { referencePolicy: { type: 'bad' } }), tag('a')] });
    assert.deepEqual(validateImageStream(s), []);
  });
});

describe('status history references', () => {
  test('each item needs a parsable dockerImageReference', () => {
    const s = stream(
      {},
      {
        tags: [
          { tag: 'b', items: [{ dockerImageReference: 'quay.io/a/b@sha256:x' }] },
          { tag: 'a', items: [{ dockerImageReference: 'quay.io/a/b:1' }, { dockerImageReference: '' }] },
        ],
      },
    );
    assert.deepEqual(render(validateImageStream(s)), [
      'status.tags[a].items[1].dockerImageReference: Required value',
      'status.tags[b].items[0].dockerImageReference: Invalid value: "quay.io/a/b@sha256:x": invalid reference format',
    ]);
  });

  test('are allow-listed, insecure when their spec tag or the stream is', () => {
    const allow = allowOnly(['quay.io']);
    const s = stream(
      { tags: [tag('a', { importPolicy: { insecure: true } })] },
      { tags: [{ tag: 'a', items: [{ dockerImageReference: 'quay.io/x' }] }, { tag: 'b', items: [{ dockerImageReference: 'evil.io/x' }] }] },
    );
    assert.deepEqual(render(validateImageStream(s, { allowList: allow })), [
      'status.tags[b].items[0].dockerImageReference: Forbidden: registry "evil.io" not allowed by whitelist',
    ]);
    assert.deepEqual(allow.asked, [
      ['quay.io/x', 'any'],
      ['evil.io/x', 'secure'],
    ]);
  });
});

describe('recorded 422 responses', () => {
  const recorded = (f: string): unknown => JSON.parse(readFileSync(RECORDED + f, 'utf8'));

  test('an unparsable DockerImage spec tag gives the recorded Status', () => {
    const body = recorded('request-status-422-imagestream-invalid-dockerimage-reference.json') as ImageStream;
    body.spec?.tags?.forEach((t) => Object.assign(t, { referencePolicy: { type: 'Source' } }));
    const errs = validateImageStream(body);
    const status = errors.invalid('ImageStream', 'image.openshift.io', 'bad2', errs).status;
    assert.deepEqual(status, recorded('status-422-imagestream-invalid-dockerimage-reference.json'));
  });
});

describe('image stream update', () => {
  const old = stream(
    { dockerImageRepository: 'old.io/a', tags: [tag('t', { from: { kind: 'DockerImage', name: 'old.io/b:1' } })] },
    { tags: [{ tag: 't', items: [{ dockerImageReference: 'old2.io/c@sha256:' + '2'.repeat(64) }] }] },
    { resourceVersion: '3', uid: 'u' },
  );

  test('metadata update rules apply', () => {
    const next = stream({}, {}, { uid: 'other' });
    assert.deepEqual(render(validateImageStreamUpdate(next, old)), [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.uid: Invalid value: "other": field is immutable',
    ]);
  });

  test('a problem found by both the update and the create rules is reported once', () => {
    const next = structuredClone(old);
    next.metadata.labels = { 'bad key': 'v' };
    const errs = render(validateImageStreamUpdate(next, old));
    assert.equal(errs.filter((e) => e.startsWith('metadata.labels: Invalid value: "bad key"')).length, 1);
  });

  test('references the stream already had stay allowed; new ones are checked', () => {
    const allow = allowOnly([]);
    const next = structuredClone(old);
    next.spec?.tags?.push(tag('u', { from: { kind: 'DockerImage', name: 'new.io/x' } }));
    assert.deepEqual(render(validateImageStreamUpdate(next, old, { allowList: allow })), [
      'spec.tags[u].from.name: Forbidden: registry "new.io" not allowed by whitelist',
    ]);
  });

  test('status update: only references new to the status are parsed and allow-listed', () => {
    const allow = allowOnly([]);
    const next = structuredClone(old);
    next.status = {
      tags: [
        { tag: 't', items: [{ dockerImageReference: '' }, ...(old.status?.tags?.[0]?.items ?? [])] },
        { tag: 'x', items: [{ dockerImageReference: 'new.io/y:1' }] },
      ],
    };
    assert.deepEqual(render(validateImageStreamStatusUpdate(next, old, { allowList: allow })), [
      'status.tags[t].items[0].dockerImageReference: Invalid value: "": repository name must have at least one component',
      'status.tags[x].items[0].dockerImageReference: Forbidden: registry "new.io" not allowed by whitelist',
    ]);
  });

  test('status update does not validate the spec', () => {
    const next = structuredClone(old);
    next.spec = { tags: [tag('t', { referencePolicy: { type: 'nonsense' } })] };
    assert.deepEqual(validateImageStreamStatusUpdate(next, old), []);
  });
});
