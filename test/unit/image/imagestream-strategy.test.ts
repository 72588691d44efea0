import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { errors } from '../../../src/apiserver/errors/index.js';
import { fieldErrors, type FieldErrorList } from '../../../src/apiserver/errors/field.js';
import type { RequestContext } from '../../../src/apiserver/registry/strategy.js';
import type { ImageStream, TagReference } from '../../../src/image/api/types.js';
import {
  ImageStreamInternalStrategy,
  ImageStreamStatusStrategy,
  ImageStreamStrategy,
  type TagResolver,
} from '../../../src/image/registry/imagestream/strategy.js';
import { recorded } from './fixtures.js';

const ctx: RequestContext = { user: { username: 'admin', groups: ['system:masters'] }, namespace: 'team-a', dryRun: false };
const HOSTS = { internal: 'defaultregistry:5000' };
const render = (errs: { toString(): string }[]): string[] => errs.map(String);

function spec(s: ImageStream): TagReference[] {
  return s.spec?.tags ?? [];
}

/** A stored stream as this strategy would have written it. */
function stored(body: ImageStream, strategy = new ImageStreamStrategy(HOSTS)): ImageStream {
  const s = structuredClone(body);
  s.metadata = { namespace: 'team-a', ...s.metadata, uid: 'u', resourceVersion: '10', creationTimestamp: '2026-11-27T05:19:24Z' };
  strategy.prepareForCreate(s);
  return s;
}

function request(body: ImageStream, base: ImageStream): ImageStream {
  const s = structuredClone(body);
  s.metadata = { ...base.metadata, ...s.metadata };
  return s;
}

const UBUNTU = (): ImageStream => recorded<ImageStream>('request-create-imagestream.json');

describe('image stream create', () => {
  test('produces the recorded spec, generation 1 and a fresh status', async () => {
    const s = UBUNTU();
    const strategy = new ImageStreamStrategy(HOSTS);
    strategy.prepareForCreate(s);
    assert.deepEqual(await strategy.validate(s, ctx), []);
    const want = recorded<ImageStream>('create-imagestream.json');
    assert.deepEqual(s.spec, want.spec);
    assert.equal(JSON.stringify(s.spec), JSON.stringify(want.spec), 'same key order');
    assert.equal(s.metadata.generation, 1);
    assert.deepEqual(s.status, { dockerImageRepository: 'defaultregistry:5000/team-a/ubuntu' });
  });

  test('client status and generations are ignored', () => {
    const s = UBUNTU();
    s.metadata.generation = 9;
    s.spec?.tags?.forEach((t) => (t.generation = 7));
    s.status = { dockerImageRepository: 'mine', publicDockerImageRepository: 'x', tags: [{ tag: 'a', items: [{ dockerImageReference: 'b' }] }] };
    new ImageStreamStrategy(HOSTS).prepareForCreate(s);
    assert.equal(s.metadata.generation, 1);
    assert.deepEqual(spec(s).map((t) => t.generation), [1, 1]);
    assert.deepEqual(s.status, { dockerImageRepository: 'defaultregistry:5000/team-a/ubuntu' });
  });

  test('computed repositories follow the configured registry hostnames', () => {
    const s = UBUNTU();
    new ImageStreamStrategy({ internal: 'int:5000', external: 'registry.example.com' }).prepareForCreate(s);
    assert.deepEqual(s.status, { dockerImageRepository: 'int:5000/team-a/ubuntu', publicDockerImageRepository: 'registry.example.com/team-a/ubuntu' });
    const none = UBUNTU();
    none.spec = { ...none.spec, dockerImageRepository: 'quay.io/team/ubuntu' };
    new ImageStreamStrategy({}).prepareForCreate(none);
    assert.deepEqual(none.status, { dockerImageRepository: 'quay.io/team/ubuntu' });
    const hub = UBUNTU();
    new ImageStreamStrategy({ internal: 'docker.io' }).prepareForCreate(hub);
    assert.equal(hub.status?.dockerImageRepository, 'docker.io/team-a/ubuntu');
  });

  test('duplicate spec tags collapse (last wins) and come out sorted by name', () => {
    const s: ImageStream = { metadata: { name: 'x', namespace: 'n' }, spec: { tags: [{ name: 'b' }, { name: 'a', reference: true }, { name: 'a' }] } };
    new ImageStreamStrategy(HOSTS).prepareForCreate(s);
    assert.deepEqual(spec(s).map((t) => [t.name, t.reference ?? false]), [
      ['a', false],
      ['b', false],
    ]);
  });

  test('the default import mode is a parameter', () => {
    const s = UBUNTU();
    new ImageStreamStrategy(HOSTS, { importMode: 'PreserveOriginal' }).prepareForCreate(s);
    assert.deepEqual(spec(s).map((t) => t.importPolicy?.importMode), ['PreserveOriginal', 'PreserveOriginal']);
  });

  test('field validation runs on the prepared object', async () => {
    const s = recorded<ImageStream>('request-status-422-imagestream-invalid-dockerimage-reference.json');
    const strategy = new ImageStreamStrategy(HOSTS);
    strategy.prepareForCreate(s);
    const status = errors.invalid('ImageStream', 'image.openshift.io', 'bad2', await strategy.validate(s, ctx)).status;
    assert.deepEqual(status, recorded('status-422-imagestream-invalid-dockerimage-reference.json'));
  });
});

describe('the tag resolution seam', () => {
  /** What the (future) resolver reports for the recorded bad references. */
  const resolver: TagResolver = {
    resolveTags(stream) {
      const errs: FieldErrorList = [];
      for (const t of spec(stream)) {
        if (t.from?.name === 'other:a:b') {
          errs.push(fieldErrors.invalid(`spec.tags[${t.name}].from.name`, t.from.name, 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>'));
        }
      }
      for (const t of spec(stream)) {
        if (t.from?.name === 'other:notadigest') {
          errs.push(
            fieldErrors.invalid(
              `spec.tags[${t.name}].from.name`,
              t.from.name,
              'error generating tag event: imagestreamimage.image.openshift.io "other:notadigest" not found',
            ),
          );
        }
      }
      return errs;
    },
  };

  for (const [name, file] of [
    ['bad3', 'status-422-imagestream-invalid-imagestreamtag-reference.json'],
    ['bad', 'status-422-imagestream-invalid-tag-reference.json'],
  ] as const) {
    test(`resolver errors become one InternalError cause on "[]" (${file})`, async () => {
      const s = recorded<ImageStream>(`request-${file}`);
      const strategy = new ImageStreamStrategy(HOSTS, { tagResolver: resolver });
      strategy.prepareForCreate(s);
      const status = errors.invalid('ImageStream', 'image.openshift.io', name, await strategy.validate(s, ctx)).status;
      assert.deepEqual(status, recorded(file));
    });
  }

  test('the resolver may write status history; it is kept in v1 order', async () => {
    const seen: (ImageStream | undefined)[] = [];
    const writer: TagResolver = {
      async resolveTags(stream, old) {
        seen.push(old);
        stream.status = {
          ...stream.status,
          tags: [
            { tag: 'stable', items: [{ created: '2026-11-27T05:19:24Z', dockerImageReference: 'a/b:1', image: '', generation: 1 }] },
            { tag: '18.04', items: [{ created: '2026-11-27T05:19:24.5Z', dockerImageReference: 'docker.io/library/ubuntu:18.04', image: '', generation: 1 }] },
          ],
        };
        return [];
      },
    };
    const strategy = new ImageStreamStrategy(HOSTS, { tagResolver: writer });
    const s = UBUNTU();
    strategy.prepareForCreate(s);
    assert.deepEqual(await strategy.validate(s, ctx), []);
    assert.deepEqual(
      s.status?.tags?.map((t) => [t.tag, t.items?.[0]?.created]),
      [
        ['18.04', '2026-11-27T05:19:24Z'],
        ['stable', '2026-11-27T05:19:24Z'],
      ],
    );
    const old = stored(UBUNTU());
    const next = request(UBUNTU(), old);
    strategy.prepareForUpdate(next, old);
    await strategy.validateUpdate(next, old, ctx);
    assert.deepEqual(seen[0], undefined);
    assert.equal(seen[1]?.metadata.resourceVersion, '10', 'update passes the stored object');
  });

  test('a limit violation is wrapped the same way', async () => {
    const strategy = new ImageStreamStrategy(HOSTS, {
      limitVerifier: { verifyLimits: (ns) => `ImageStream.image.openshift.io "is" is forbidden: limit in ${ns}` },
    });
    const s = UBUNTU();
    strategy.prepareForCreate(s);
    assert.deepEqual(render(await strategy.validate(s, ctx)), ['[]: Internal error: ImageStream.image.openshift.io "is" is forbidden: limit in team-a']);
  });
});

describe('image stream update', () => {
  const strategy = new ImageStreamStrategy(HOSTS);

  async function update(oldBody: ImageStream, edit: (s: ImageStream) => void): Promise<{ next: ImageStream; errs: string[] }> {
    const old = stored(oldBody);
    const next = request(old, old);
    edit(next);
    strategy.prepareForUpdate(next, old);
    return { next, errs: render(await strategy.validateUpdate(next, old, ctx)) };
  }

  test('status from the request is ignored; computed repositories are refreshed', async () => {
    const old = stored(UBUNTU());
    old.status = { dockerImageRepository: 'stale', tags: [{ tag: 'latest', items: [{ created: '2026-11-27T05:19:24Z', dockerImageReference: 'a/b@sha256:' + '1'.repeat(64), image: 'sha256:' + '1'.repeat(64), generation: 1 }] }] };
    const next = request(old, old);
    next.status = { tags: [{ tag: 'evil', items: [{ dockerImageReference: 'x/y' }] }] };
    strategy.prepareForUpdate(next, old);
    assert.deepEqual(next.status?.tags?.map((t) => t.tag), ['latest']);
    assert.equal(next.status?.dockerImageRepository, 'defaultregistry:5000/team-a/ubuntu');
    assert.equal(old.status?.dockerImageRepository, 'stale', 'the stored object is not modified');
  });

  test('metadata-only changes keep the generation', async () => {
    const { next, errs } = await update(UBUNTU(), (s) => (s.metadata.labels = { app: 'other' }));
    assert.deepEqual(errs, []);
    assert.equal(next.metadata.generation, 1);
    assert.deepEqual(spec(next).map((t) => t.generation), [1, 1]);
  });

  test('any spec change bumps the generation; changed or new tags take it', async () => {
    const { next } = await update(UBUNTU(), (s) => {
      const tags = spec(s);
      tags[0]!.from = { kind: 'DockerImage', name: 'docker.io/library/ubuntu:20.04' };
      tags.push({ name: 'new', from: { kind: 'DockerImage', name: 'quay.io/x' } });
    });
    assert.equal(next.metadata.generation, 2);
    assert.deepEqual(spec(next).map((t) => [t.name, t.generation]), [
      ['18.04', 2],
      ['new', 2],
      ['stable', 1],
    ]);
  });

  test('kind, reference policy, insecure, scheduled and annotations do not renew a tag generation', async () => {
    const { next } = await update(UBUNTU(), (s) => {
      const tags = spec(s);
      tags[0]!.referencePolicy = { type: 'Local' };
      tags[0]!.annotations = { a: 'b' };
      tags[1]!.importPolicy = { ...tags[1]!.importPolicy, insecure: true };
    });
    assert.equal(next.metadata.generation, 2);
    assert.deepEqual(spec(next).map((t) => t.generation), [1, 1]);
  });

  test('reference flag, import mode and source namespace do renew it', async () => {
    const { next } = await update(UBUNTU(), (s) => {
      const tags = spec(s);
      tags[0]!.reference = false;
      tags[1]!.from = { ...tags[1]!.from, namespace: 'elsewhere' };
    });
    assert.deepEqual(spec(next).map((t) => t.generation), [2, 2]);
    const { next: mode } = await update(UBUNTU(), (s) => (spec(s)[0]!.importPolicy = { importMode: 'PreserveOriginal' }));
    assert.deepEqual(spec(mode).map((t) => t.generation), [2, 1]);
  });

  test('clients cannot set a tag generation, except to 0 (re-import request)', async () => {
    const { next: forged } = await update(UBUNTU(), (s) => spec(s).forEach((t) => (t.generation = 99)));
    assert.equal(forged.metadata.generation, 1);
    assert.deepEqual(spec(forged).map((t) => t.generation), [1, 1]);
    const { next: absent } = await update(UBUNTU(), (s) => spec(s).forEach((t) => delete t.generation));
    assert.equal(absent.metadata.generation, 1);
    assert.deepEqual(spec(absent).map((t) => t.generation), [1, 1]);
    const { next: reimport } = await update(UBUNTU(), (s) => (spec(s)[0]!.generation = 0));
    assert.equal(reimport.metadata.generation, 2);
    assert.deepEqual(spec(reimport).map((t) => t.generation), [2, 1]);
  });

  test('a stored generation of 0 (legacy object) is bumped', async () => {
    const old = stored(UBUNTU());
    old.metadata.generation = 0;
    const next = request(old, old);
    strategy.prepareForUpdate(next, old);
    assert.equal(next.metadata.generation, 1);
  });

  test('removing a spec tag keeps its status history', async () => {
    const old = stored(UBUNTU());
    old.status = { ...old.status, tags: [{ tag: 'stable', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'a/b:1', image: '', generation: 1 }] }] };
    const next = request(old, old);
    next.spec = { tags: [] };
    strategy.prepareForUpdate(next, old);
    assert.deepEqual(next.status?.tags?.map((t) => t.tag), ['stable']);
    assert.equal(next.metadata.generation, 2);
  });

  test('update validation includes the metadata update rules', async () => {
    const { errs } = await update(UBUNTU(), (s) => {
      delete s.metadata.resourceVersion;
      s.metadata.name = 'renamed';
    });
    assert.deepEqual(errs, ['metadata.resourceVersion: Invalid value: "": must be specified for an update', 'metadata.name: Invalid value: "renamed": field is immutable']);
  });

  test('PUT never creates and needs a resourceVersion', () => {
    assert.equal(strategy.allowCreateOnUpdate, false);
    assert.equal(strategy.allowUnconditionalUpdate, false);
  });
});

describe('image stream decoration (every returned object)', () => {
  test('recomputes repositories, fills defaults, sorts tags and repairs legacy repositories', () => {
    const s: ImageStream = {
      kind: 'ImageStream',
      metadata: { name: 'app', namespace: 'ns' },
      spec: {
        dockerImageRepository: 'quay.io/team/app:old@sha256:' + 'a'.repeat(64),
        tags: [{ name: 'z' }, { name: 'a', referencePolicy: { type: 'Local' } }],
      },
      status: {
        dockerImageRepository: 'stored/value:tag',
        tags: [
          { tag: 'z', items: [] , conditions: [{ type: 'ImportSuccess', status: 'False', generation: 2 }] },
          { tag: 'a', items: [{ created: '2026-01-01T00:00:00.123Z', dockerImageReference: 'x', image: 'y', generation: 1 }] },
        ],
      },
    };
    new ImageStreamStrategy({ external: 'public.example.com' }).decorate(s);
    assert.deepEqual(s, {
      kind: 'ImageStream',
      metadata: { name: 'app', namespace: 'ns' },
      spec: {
        lookupPolicy: { local: false },
        dockerImageRepository: 'quay.io/team/app',
        tags: [
          { name: 'a', annotations: null, generation: null, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Local' } },
          { name: 'z', annotations: null, generation: null, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } },
        ],
      },
      status: {
        dockerImageRepository: 'quay.io/team/app',
        publicDockerImageRepository: 'public.example.com/ns/app',
        tags: [
          { tag: 'a', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'x', image: 'y', generation: 1 }] },
          { tag: 'z', items: null, conditions: [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: null, generation: 2 }] },
        ],
      },
    });
  });

  test('the recorded stream decorates to itself', () => {
    const want = recorded<ImageStream>('get-imagestream.json');
    const s = structuredClone(want);
    new ImageStreamStrategy(HOSTS).decorate(s);
    assert.equal(JSON.stringify(s), JSON.stringify(want));
  });

  test('an object without a namespace is shown in "default" (as the recorded watch bookmark)', () => {
    const s: ImageStream = { metadata: { resourceVersion: '5' } };
    new ImageStreamStrategy(HOSTS).decorate(s);
    assert.equal(s.metadata.namespace, 'default');
    assert.deepEqual(s.spec, { lookupPolicy: { local: false } });
    assert.equal(s.status?.dockerImageRepository, '', 'no name, no repository');
  });

  test('selectable fields are the stored repositories', () => {
    const strategy = new ImageStreamStrategy(HOSTS);
    assert.deepEqual(strategy.selectableFields({ metadata: {} }), { 'spec.dockerImageRepository': '', 'status.dockerImageRepository': '' });
    const s = stored(UBUNTU());
    assert.deepEqual(strategy.selectableFields(s), {
      'spec.dockerImageRepository': '',
      'status.dockerImageRepository': 'defaultregistry:5000/team-a/ubuntu',
    });
  });

  test('has the imagestreams table', () => {
    assert.equal(new ImageStreamStrategy().table.columns.map((c) => c.name).join(','), 'Name,Image Repository,Tags,Updated');
  });
});

describe('imagestreams/status', () => {
  const strategy = new ImageStreamStatusStrategy(HOSTS);
  const SHA = 'sha256:' + '1'.repeat(64);

  function base(): ImageStream {
    const old = stored(UBUNTU());
    old.metadata.generation = 3;
    old.spec!.tags![0]!.generation = 2;
    old.status = {
      dockerImageRepository: 'defaultregistry:5000/team-a/ubuntu',
      tags: [
        { tag: '18.04', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'docker.io/library/ubuntu:18.04', image: '', generation: 2 }] },
        { tag: 'latest', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: `a/b@${SHA}`, image: SHA, generation: 1 }] },
      ],
    };
    return old;
  }

  test('spec tags and repository are reset; lookupPolicy, labels and status are taken', () => {
    const old = base();
    const next = request(old, old);
    next.metadata.labels = { via: 'status' };
    next.metadata.generation = 10;
    next.spec = { lookupPolicy: { local: true }, dockerImageRepository: 'quay.io/x', tags: [{ name: 'injected' }] };
    next.status = { dockerImageRepository: 'written/verbatim', tags: [...(old.status?.tags ?? []), { tag: 'new', items: [{ created: '2026-01-02T00:00:00Z', dockerImageReference: 'q/r:1', image: '', generation: 0 }] }] };
    strategy.prepareForUpdate(next, old);
    assert.deepEqual(next.spec?.lookupPolicy, { local: true });
    assert.equal(next.spec?.dockerImageRepository, undefined);
    assert.deepEqual(spec(next).map((t) => t.name), ['18.04', 'stable']);
    assert.deepEqual(next.metadata.labels, { via: 'status' });
    assert.equal(next.metadata.generation, 3);
    assert.equal(next.status?.dockerImageRepository, 'written/verbatim', 'persisted as written, hidden by decorate');
    assert.deepEqual(next.status?.tags?.map((t) => t.tag), ['18.04', 'latest', 'new']);
    strategy.decorate(next);
    assert.equal(next.status?.dockerImageRepository, 'defaultregistry:5000/team-a/ubuntu');
  });

  test('a newest event without generation observes the stream or its spec tag generation', () => {
    const old = base();
    const next = request(old, old);
    const tags = next.status!.tags!;
    // 18.04: changed, spec tag has generation 2
    tags[0]!.items = [{ created: '2026-01-03T00:00:00Z', dockerImageReference: 'docker.io/library/ubuntu:18.04', image: SHA, generation: 0 }, ...(tags[0]!.items ?? [])];
    // latest: unchanged newest event with its generation zeroed
    tags[1]!.items![0]!.generation = 0;
    // orphan: changed, no spec tag
    tags.push({ tag: 'orphan', items: [{ created: '2026-01-03T00:00:00Z', dockerImageReference: 'o/p:1', image: '', generation: 0 }] });
    strategy.prepareForUpdate(next, old);
    assert.deepEqual(next.status?.tags?.map((t) => [t.tag, t.items?.[0]?.generation]), [
      ['18.04', 2],
      ['latest', 3],
      ['orphan', 3],
      // stable tracks latest, whose newest event changed: it follows (after any write).
      ['stable', 3],
    ]);
  });

  test('validation checks only new status references, and limits as a Forbidden error', async () => {
    const old = base();
    const limited = new ImageStreamStatusStrategy(HOSTS, { limitVerifier: { verifyLimits: () => 'too many tags' } });
    const next = request(old, old);
    next.spec = { tags: [{ name: 'ignored', referencePolicy: { type: 'bogus' } }] };
    next.status = { tags: [...(old.status?.tags ?? []), { tag: 'bad', items: [{ dockerImageReference: 'upper/CASE' }] }] };
    limited.prepareForUpdate(next, old);
    assert.deepEqual(render(await limited.validateUpdate(next, old, ctx)), [
      'imageStream: Forbidden: too many tags',
      'status.tags[bad].items[0].dockerImageReference: Invalid value: "upper/CASE": repository name must be lowercase',
    ]);
  });
});

describe('internal writer (virtual tag resources)', () => {
  const strategy = new ImageStreamInternalStrategy(HOSTS);

  test('create keeps the given status, with computed repositories', () => {
    const s = UBUNTU();
    s.status = { tags: [{ tag: 'latest', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'a/b:1', image: '', generation: 1 }] }] };
    strategy.prepareForCreate(s);
    assert.deepEqual(s.status?.tags?.map((t) => t.tag), ['latest']);
    assert.equal(s.status?.dockerImageRepository, 'defaultregistry:5000/team-a/ubuntu');
    assert.equal(s.metadata.generation, 1);
  });

  test('update writes spec and status together and drops empty status entries', () => {
    const old = stored(UBUNTU());
    const next = request(old, old);
    next.status = {
      tags: [
        { tag: 'kept', items: [{ created: '2026-01-01T00:00:00Z', dockerImageReference: 'a/b:1', image: '', generation: 1 }] },
        { tag: 'empty', items: [] },
        { tag: 'failed', items: [], conditions: [{ type: 'ImportSuccess', status: 'False', generation: 1 }] },
      ],
    };
    spec(next)[0]!.from = { kind: 'DockerImage', name: 'a/b:2' };
    strategy.prepareForUpdate(next, old);
    assert.deepEqual(next.status?.tags?.map((t) => t.tag), ['failed', 'kept']);
    assert.equal(next.metadata.generation, 2);
    assert.deepEqual(spec(next).map((t) => t.generation), [2, 1]);
  });
});
