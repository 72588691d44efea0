// Benchmark: the cost of serializing one object in protobuf (our codec) next to JSON.stringify of
// the same object, and of decoding each back, for the objects openshift-apiserver served in the
// recorded exchanges (an ImageStream with managedFields, an Image with its metadata, a list of 500
// streams). Both run in the same invocation on the same objects.
//
//   node --import tsx bench/protobuf-encode.ts [--iterations 20000]

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { protobufCodec } from '../src/apiserver/api/protobuf/meta.js';
import { TypeModel } from '../src/apiserver/openapi/type-model.js';
import { imageProtobuf } from '../src/image/api/protobuf.js';
import { imageApiDocument, imageDefinitionName } from '../src/image/api/schemas.js';

const shared = process.env.IMAGE_APISERVER_SHARED_DIR ?? resolve(import.meta.dirname, '..', '..', 'shared');
const recorded = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(shared, 'reference', 'recorded', name), 'utf8')) as Record<string, unknown>;

const i = process.argv.indexOf('--iterations');
const iterations = i >= 0 ? Number(process.argv[i + 1]) : 20_000;

const codec = protobufCodec(new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName }), imageProtobuf);
const stream = recorded('get-imagestream.json');
const image = codec.decode(readFileSync(join(shared, 'reference', 'recorded', 'protobuf', 'get-image-with-metadata.bin'))).object;
const list = {
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStreamList',
  metadata: { resourceVersion: '1' },
  items: Array.from({ length: 500 }, (_, n) => ({ ...stream, metadata: { ...(stream.metadata as object), name: `s${n}` } })),
};
const cases: [string, Record<string, unknown>, number][] = [
  ['ImageStream', stream, iterations],
  ['Image', { apiVersion: 'image.openshift.io/v1', kind: 'Image', ...image }, iterations],
  ['ImageStreamList (500 items)', list, Math.max(10, Math.floor(iterations / 500))],
];

function time(n: number, fn: () => unknown): number {
  for (let k = 0; k < Math.min(n, 1000); k++) fn();
  const start = process.hrtime.bigint();
  for (let k = 0; k < n; k++) fn();
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

console.log('object                          encode us (json / protobuf)   decode us (json / protobuf)   bytes (json / protobuf)');
for (const [name, obj, n] of cases) {
  const json = JSON.stringify(obj);
  const pb = codec.encode(obj);
  const ej = time(n, () => JSON.stringify(obj));
  const ep = time(n, () => codec.encode(obj));
  const dj = time(n, () => JSON.parse(json));
  const dp = time(n, () => codec.decode(pb));
  const cell = (a: number, b: number): string => `${a.toFixed(1).padStart(8)} / ${b.toFixed(1).padEnd(8)} (${(b / a).toFixed(2)}x)`;
  console.log(`${name.padEnd(32)}${cell(ej, ep).padEnd(30)}${cell(dj, dp).padEnd(30)}${Buffer.byteLength(json)} / ${pb.length}`);
}
