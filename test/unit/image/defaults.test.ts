import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import { DEFAULT_IMPORT_MODE, defaultImageStream, defaultTagReference } from '../../../src/image/api/defaults.js';
import type { ImageStream, TagReference } from '../../../src/image/api/types.js';

describe('tag reference defaulting', () => {
  test('fills referencePolicy.type Source and importMode Legacy', () => {
    const ref: TagReference = { name: 'a' };
    defaultTagReference(ref);
    assert.deepEqual(ref, { name: 'a', referencePolicy: { type: 'Source' }, importPolicy: { importMode: 'Legacy' } });
    assert.equal(DEFAULT_IMPORT_MODE, 'Legacy');
  });

  test('the default import mode is configurable (PreserveOriginal clusters)', () => {
    const ref: TagReference = { name: 'a', importPolicy: { scheduled: true } };
    defaultTagReference(ref, { importMode: 'PreserveOriginal' });
    assert.deepEqual(ref.importPolicy, { scheduled: true, importMode: 'PreserveOriginal' });
  });

  test('keeps values that are set, including invalid ones (validation reports them)', () => {
    const ref: TagReference = { name: 'a', referencePolicy: { type: 'Local' }, importPolicy: { importMode: 'Bogus' } };
    defaultTagReference(ref);
    assert.deepEqual(ref, { name: 'a', referencePolicy: { type: 'Local' }, importPolicy: { importMode: 'Bogus' } });
  });

  test('an empty or null referencePolicy is defaulted (as over HTTP)', () => {
    const ref = { name: 'a', referencePolicy: null, importPolicy: null } as unknown as TagReference;
    defaultTagReference(ref);
    assert.deepEqual(ref.referencePolicy, { type: 'Source' });
    assert.deepEqual(ref.importPolicy, { importMode: 'Legacy' });
  });
});

describe('image stream defaulting', () => {
  test('defaults every spec tag and leaves streams without tags alone', () => {
    const s: ImageStream = { metadata: { name: 'x' }, spec: { tags: [{ name: 'a' }, { name: 'b', referencePolicy: { type: 'Local' } }] } };
    defaultImageStream(s);
    assert.deepEqual(s.spec?.tags, [
      { name: 'a', referencePolicy: { type: 'Source' }, importPolicy: { importMode: 'Legacy' } },
      { name: 'b', referencePolicy: { type: 'Local' }, importPolicy: { importMode: 'Legacy' } },
    ]);
    const empty: ImageStream = { metadata: {} };
    defaultImageStream(empty);
    assert.deepEqual(empty, { metadata: {} });
  });
});
