// Micro-benchmark: µs per create body for the shape check alone and for the whole body decode
// (parse, kind check, shape check, duplicate scan for fieldValidation=Warn), on a small ImageStream
// as kubectl sends it and on a large one with status history.
//
//   node --import tsx bench/decode-body.ts [--iterations 20000]

import { decodeBody } from '../src/apiserver/endpoints/decode.js';
import { checkFields } from '../src/apiserver/endpoints/field-validation.js';
import { ShapeValidators } from '../src/apiserver/openapi/shape-validators.js';
import { TypeModel } from '../src/apiserver/openapi/type-model.js';
import { imageApiDocument, imageDefinitionName } from '../src/image/api/schemas.js';

const i = process.argv.indexOf('--iterations');
const iterations = i >= 0 ? Number(process.argv[i + 1]) : 20000;

const model = new TypeModel({ definitions: imageApiDocument.definitions, definitionOf: imageDefinitionName });
const shape = new ShapeValidators(model, ['ImageStream']).forKind('ImageStream');
const expected = { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' };

function stream(tags: number, history: number): Record<string, unknown> {
  const ref = (n: number): string => `quay.io/org/app@sha256:${String(n).padStart(64, '0')}`;
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'app', namespace: 'bench', labels: { app: 'app', tier: 'web' }, annotations: { 'openshift.io/display-name': 'App' } },
    spec: {
      lookupPolicy: { local: true },
      tags: Array.from({ length: tags }, (_, t) => ({
        name: `v${t}`,
        annotations: { description: `tag ${t}` },
        from: { kind: 'DockerImage', name: ref(t) },
        importPolicy: { scheduled: false, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
        generation: 1,
      })),
    },
    status: {
      dockerImageRepository: 'image-registry/bench/app',
      tags: Array.from({ length: history ? tags : 0 }, (_, t) => ({
        tag: `v${t}`,
        items: Array.from({ length: history }, (_, h) => ({ created: '2025-01-02T03:04:05Z', dockerImageReference: ref(h), image: `sha256:${String(h).padStart(64, '0')}`, generation: 1 })),
      })),
    },
  };
}

function timeIt(label: string, body: Record<string, unknown>): void {
  const raw = Buffer.from(JSON.stringify(body));
  const parsed = (): Record<string, unknown> => JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  // The best of five rounds: the machine is shared, and the least disturbed round is the cost.
  const run = (f: () => void): number => {
    for (let n = 0; n < Math.min(2000, iterations); n++) f();
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      for (let n = 0; n < iterations / 5; n++) f();
      best = Math.min(best, ((performance.now() - t0) * 5000) / iterations);
    }
    return best;
  };
  const docs = Array.from({ length: iterations }, parsed);
  let k = 0;
  const check = run(() => {
    checkFields(docs[k++ % docs.length], shape);
  });
  const decode = run(() => {
    decodeBody(raw, 'json', expected, shape, 'Warn');
  });
  console.log(`${label} (${raw.length} bytes): shape check ${check.toFixed(2)} µs/body, whole decode ${decode.toFixed(2)} µs/body`);
}

timeIt('small ImageStream, 2 tags', stream(2, 0));
timeIt('large ImageStream, 20 tags x 10 history', stream(20, 10));
