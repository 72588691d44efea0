// Seeded generators of hostile requests for the fuzz suite: valid bodies of every write endpoint,
// mutated structurally (wrong types, huge strings, deep nesting, unicode, prototype keys) and as
// text (truncated, duplicate keys, 1e309, invalid UTF-8), sent with every patch type and odd
// content types.

import { stringify as toYaml } from 'yaml';

/** mulberry32: small, fast and reproducible from a seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface FuzzRequest {
  method: string;
  path: string;
  body: Buffer;
  contentType: string;
  /** What was sent, for the failure message. */
  what: string;
}

type Json = unknown;
type Obj = Record<string, Json>;

const GROUP = '/apis/image.openshift.io/v1';
export const FUZZ_NS = 'fuzz';
export const DIGEST = `sha256:${'f'.repeat(64)}`;
/** The key every prototype-pollution payload tries to plant. */
export const PLANTED = 'fuzzplanted';

const ns = (resource: string, name = ''): string => `${GROUP}/namespaces/${FUZZ_NS}/${resource}${name ? `/${name}` : ''}`;
const cluster = (resource: string, name = ''): string => `${GROUP}/${resource}${name ? `/${name}` : ''}`;

export function imageStreamBody(name: string): Obj {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, labels: { app: 'fuzz' }, annotations: { note: 'x' } },
    spec: {
      lookupPolicy: { local: false },
      tags: [{ name: 't1', from: { kind: 'DockerImage', name: 'quay.io/o/x:1' }, importPolicy: {}, referencePolicy: { type: 'Source' } }],
    },
  };
}

export function imageBody(name: string): Obj {
  return { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name }, dockerImageReference: `quay.io/o/x@${name}` };
}

function bases(rng: Rng): { method: string; path: string; body: Obj; patchable: boolean }[] {
  const n = rng.int(1_000_000);
  const ref = { kind: 'DockerImage', name: 'quay.io/o/x:2' };
  return [
    { method: 'POST', path: ns('imagestreams'), body: imageStreamBody(`f${n}`), patchable: false },
    { method: 'PUT', path: ns('imagestreams', 'target'), body: imageStreamBody('target'), patchable: true },
    { method: 'PUT', path: ns('imagestreams', 'target/status'), body: { ...imageStreamBody('target'), status: { tags: [{ tag: 't1', items: [] }] } }, patchable: true },
    { method: 'POST', path: cluster('images'), body: imageBody(`sha256:${n.toString(16).padStart(64, '0')}`), patchable: false },
    { method: 'PUT', path: cluster('images', DIGEST), body: imageBody(DIGEST), patchable: true },
    {
      method: 'POST',
      path: ns('imagestreamtags'),
      body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { name: `target:n${n}` }, tag: { name: `n${n}`, from: ref } },
      patchable: false,
    },
    {
      method: 'PUT',
      path: ns('imagestreamtags', 'target:t1'),
      body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { name: 'target:t1' }, tag: { name: 't1', from: ref } },
      patchable: true,
    },
    {
      method: 'POST',
      path: ns('imagetags'),
      body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageTag', metadata: { name: `target:m${n}` }, spec: { name: `m${n}`, from: ref } },
      patchable: false,
    },
    {
      method: 'PUT',
      path: ns('imagetags', 'target:t1'),
      body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageTag', metadata: { name: 'target:t1' }, spec: { name: 't1', from: ref } },
      patchable: true,
    },
    {
      method: 'POST',
      path: ns('imagestreammappings'),
      body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamMapping', metadata: { name: 'target' }, tag: `k${n % 50}`, image: imageBody(DIGEST) },
      patchable: false,
    },
    {
      method: 'POST',
      path: '/admission/image-lookup',
      body: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: `u${n}`,
          kind: { group: '', version: 'v1', kind: 'Pod' },
          resource: { group: '', version: 'v1', resource: 'pods' },
          operation: 'CREATE',
          namespace: FUZZ_NS,
          object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'target:t1' }], initContainers: [{ name: 'i', image: 'target' }] } },
        },
      },
      patchable: false,
    },
    {
      method: 'DELETE',
      path: ns('imagestreams', `f${rng.int(1_000_000)}`),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: 'x' } },
      patchable: false,
    },
  ];
}

const UNICODE = ['💥', 'é', '\u202e', '\u200b', '\u0000', '\ud800', '日本語', '\\', '"', '\n', '~1', '%2F'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

function nested(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function weird(rng: Rng): Json {
  switch (rng.int(12)) {
    case 0:
      return rng.int(2 ** 31) * (rng.chance(0.5) ? -1 : 1);
    case 1:
      return rng.pick([true, false, null, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]);
    case 2:
      return [];
    case 3:
      return {};
    case 4:
      return 'x'.repeat(rng.pick([300, 10_000, 300_000]));
    case 5:
      return rng.pick(UNICODE).repeat(rng.int(50) + 1);
    case 6:
      return nested(rng.pick([50, 500, 999, 1001, 3000]));
    case 7:
      return Array.from({ length: rng.int(200) }, (_, i) => ({ name: `t${i % 7}` }));
    case 8:
      return { [rng.pick(PROTO_KEYS)]: { [PLANTED]: 'x' } };
    case 9:
      return { $patch: rng.pick(['replace', 'delete', 'merge', 'bogus']) };
    case 10:
      return '2006-01-02T15:04:05Z';
    default:
      return rng.pick(['', ' ', 'a:b', 'sha256:abc', '../..', 'quay.io/o/x:1']);
  }
}

/** A random object or array node of `doc` (the root included), with its parent chain. */
function nodes(doc: Json, out: (Obj | Json[])[] = []): (Obj | Json[])[] {
  if (Array.isArray(doc)) {
    out.push(doc);
    for (const x of doc) nodes(x, out);
  } else if (typeof doc === 'object' && doc !== null) {
    out.push(doc as Obj);
    for (const x of Object.values(doc)) nodes(x, out);
  }
  return out;
}

function mutate(rng: Rng, doc: Obj): void {
  const all = nodes(doc);
  for (let m = rng.int(3) + 1; m > 0; m--) {
    const node = rng.pick(all);
    if (Array.isArray(node)) {
      if (node.length && rng.chance(0.5)) node[rng.int(node.length)] = weird(rng);
      else node.push(weird(rng));
      continue;
    }
    const keys = Object.keys(node);
    const key = rng.chance(0.3)
      ? rng.pick([...PROTO_KEYS, PLANTED, rng.pick(UNICODE), '$setElementOrder/tags', '$retainKeys', '$deleteFromPrimitiveList/x', 'status', 'spec'])
      : keys.length
        ? rng.pick(keys)
        : 'k';
    Object.defineProperty(node, key, { value: weird(rng), enumerable: true, writable: true, configurable: true });
  }
}

function textMutations(rng: Rng, text: string): Buffer {
  let t = text;
  switch (rng.int(10)) {
    case 0:
      t = t.slice(0, rng.int(t.length));
      break;
    case 1:
      t = t.replace('{', '{"kind":"Nope","metadata":{"name":"dup"},');
      break;
    case 2:
      t = t.replace(/:(\d+|true|false|null)/, ':1e309');
      break;
    case 3: {
      const at = t.indexOf('"', rng.int(t.length));
      if (at > 0) return Buffer.concat([Buffer.from(t.slice(0, at + 1)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(t.slice(at + 1))]);
      break;
    }
    case 4:
      t = `${t}${t}`;
      break;
    default:
      break;
  }
  return Buffer.from(t);
}

const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/json; charset=latin1', 'text/plain', 'application/vnd.kubernetes.protobuf', 'multipart/form-data; boundary=x', '', 'application/json;;;', 'application/*'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const POINTERS = ['', '/', '/metadata/labels/a', '/metadata/labels/__proto__', '/__proto__/' + PLANTED, '/constructor/prototype/' + PLANTED, '/spec/tags/-', '/spec/tags/0', '/spec/tags/99', '/spec/tags/0/name', '/spec/x', '/metadata/annotations/a~1b', '/metadata/name', 'bad', '/spec/tags/-1', '/~2'];

function jsonPatch(rng: Rng): Json[] {
  if (rng.chance(0.02)) return [{ op: 'add', path: '/spec/x', value: [0] }, ...Array.from({ length: 30 }, () => ({ op: 'copy', from: '/spec/x', path: '/spec/x/-' }))];
  if (rng.chance(0.01)) return Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'ImageStream' }));
  return Array.from({ length: rng.int(12) + 1 }, () => {
    const op: Obj = { op: rng.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus', '']), path: rng.pick(POINTERS) };
    if (rng.chance(0.7)) op.value = weird(rng);
    if (rng.chance(0.4)) op.from = rng.pick(POINTERS);
    if (rng.chance(0.1)) Object.defineProperty(op, rng.pick(PROTO_KEYS), { value: { [PLANTED]: 'x' }, enumerable: true });
    return op;
  });
}

/** Many tags, merged by key and reordered: work that must stay linear. */
function bigStrategicPatch(rng: Rng): Obj {
  const n = rng.pick([2_000, 5_000]);
  const tags = Array.from({ length: n }, (_, i) => ({ name: `b${i}` }));
  return { spec: { tags, '$setElementOrder/tags': [...tags].reverse() } };
}

const BILLION_LAUGHS = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');

function encode(rng: Rng, doc: Json, contentType: string): Buffer {
  let text = JSON.stringify(doc);
  if (contentType.includes('yaml') && rng.chance(0.6)) {
    try {
      text = toYaml(doc);
    } catch {
      // Too deep for the YAML writer: JSON is YAML too.
    }
  }
  return rng.chance(0.25) ? textMutations(rng, text) : Buffer.from(text);
}

export interface FuzzOptions {
  /**
   * Patches with lists of thousands of tags (dry run). Merging them is linear, but the rest of a
   * write (decoding, validation, field tracking) still costs tens of microseconds per tag, so one
   * such request holds the event loop for a large part of a second: they stay out of the default run.
   */
  hugeLists: boolean;
}

export function fuzzRequest(rng: Rng, opts: FuzzOptions): FuzzRequest {
  const base = rng.pick(bases(rng));
  if (base.patchable && rng.chance(0.5)) {
    const type = rng.pick(PATCH_TYPES);
    const path = base.path.replace(/\/status$/, rng.chance(0.5) ? '/status' : '');
    let doc: Json;
    let big = false;
    if (type === 'application/json-patch+json') doc = jsonPatch(rng);
    else if (type === 'application/apply-patch+yaml') {
      doc = structuredClone(base.body);
      mutate(rng, doc as Obj);
    } else if (rng.chance(0.01) && opts.hugeLists) {
      doc = bigStrategicPatch(rng);
      big = true;
    } else {
      doc = { metadata: { labels: { app: 'y' } }, spec: { tags: [{ name: 't1', from: { kind: 'DockerImage', name: 'quay.io/o/x:3' } }] } };
      mutate(rng, doc as Obj);
    }
    // A huge list goes through every step but the write (dry run): stored, it would make each
    // later request on the stream as slow as this one.
    const query = big
      ? '?dryRun=All'
      : type === 'application/apply-patch+yaml'
        ? `?fieldManager=fuzz${rng.chance(0.3) ? '&force=true' : ''}`
        : rng.pick(['', '?fieldValidation=Strict', '?fieldValidation=Warn', '?dryRun=All']);
    const body = type === 'application/apply-patch+yaml' && rng.chance(0.02) ? Buffer.from(BILLION_LAUGHS) : encode(rng, doc, type);
    return { method: 'PATCH', path: path + query, body, contentType: rng.chance(0.05) ? rng.pick(CONTENT_TYPES) : type, what: `PATCH ${path}${query} (${type})` };
  }
  const doc = structuredClone(base.body);
  if (rng.chance(0.85)) mutate(rng, doc);
  const contentType = rng.chance(0.15) ? rng.pick(CONTENT_TYPES) : 'application/json';
  const query = rng.pick(['', '', '?fieldValidation=Strict', '?fieldValidation=Warn', '?dryRun=All', '?fieldManager=%00']);
  return { method: base.method, path: base.path + query, body: encode(rng, doc, contentType), contentType, what: `${base.method} ${base.path}${query} (${contentType})` };
}
