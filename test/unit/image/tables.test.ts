import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import type { Table } from '../../../src/apiserver/api/types.js';
import type { Image, ImageStream, NamedTagEventList } from '../../../src/image/api/types.js';
import { imageTable } from '../../../src/image/registry/image/table.js';
import { displayedRepository, imageStreamTable } from '../../../src/image/registry/imagestream/table.js';
import { humanDuration, latestTagEventTime, printTagsUpToWidth, sortStatusTags, timeAgo } from '../../../src/image/registry/printers.js';
import { recorded } from './fixtures.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const DAY = 24 * H;

describe('go-units HumanDuration wording', () => {
  const cases: [number, string][] = [
    [-5 * S, 'Less than a second'],
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [S, '1 second'],
    [59 * S + 999, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M + 59 * S, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [47 * H, '47 hours'],
    [47 * H + 30 * M, '2 days'],
    [13 * DAY, '13 days'],
    [14 * DAY, '2 weeks'],
    [59 * DAY, '8 weeks'],
    [60 * DAY, '2 months'],
    [729 * DAY, '24 months'],
    [730 * DAY, '2 years'],
    [3650 * DAY, '10 years'],
  ];
  for (const [ms, want] of cases) test(`${ms} ms -> ${want}`, () => assert.equal(humanDuration(ms), want));

  test('timeAgo appends "ago" and is empty without a time', () => {
    const now = new Date('2026-11-27T05:19:25Z');
    assert.equal(timeAgo('2026-11-27T05:19:24Z', now), '1 second ago');
    assert.equal(timeAgo('2026-11-25T05:19:24Z', now), '2 days ago');
    assert.equal(timeAgo(null, now), '');
  });
});

function statusOf(tags: [string, string | null][]): ImageStream['status'] {
  const lists: NamedTagEventList[] = tags.map(([tag, created]) => ({ tag, items: created ? [{ created, dockerImageReference: 'x', image: '', generation: 1 }] : null }));
  return { tags: lists };
}

describe('tag list of the imagestreams table', () => {
  test('newest first, ties by name, tags without history last', () => {
    const status = statusOf([
      ['old', '2020-01-01T00:00:00Z'],
      ['new-b', '2021-01-01T00:00:00Z'],
      ['new-a', '2021-01-01T00:00:00Z'],
      ['empty-b', null],
      ['empty-a', null],
    ]);
    assert.deepEqual(sortStatusTags(status), ['new-a', 'new-b', 'old', 'empty-a', 'empty-b']);
    assert.equal(latestTagEventTime(status), '2021-01-01T00:00:00Z');
    assert.equal(latestTagEventTime({}), null);
  });

  test('fits what it can into 40 characters and counts the rest', () => {
    const tags: [string, string][] = Array.from({ length: 10 }, (_, i) => [`tag${i}`, `2020-01-01T00:00:0${i}Z`]);
    assert.equal(printTagsUpToWidth(statusOf(tags), 40), 'tag9,tag8,tag7,tag6,tag5,tag4,tag3,tag2 + 2 more...');
  });

  test('allows 25% overshoot when stopping would leave more than 25% unused', () => {
    const status = statusOf([
      ['a'.repeat(25), '2020-01-03T00:00:00Z'],
      ['b'.repeat(20), '2020-01-02T00:00:00Z'],
      ['c', '2020-01-01T00:00:00Z'],
    ]);
    assert.equal(printTagsUpToWidth(status, 40), `${'a'.repeat(25)},${'b'.repeat(20)} + 1 more...`);
    const tight = statusOf([
      ['a'.repeat(30), '2020-01-02T00:00:00Z'],
      ['b'.repeat(10), '2020-01-01T00:00:00Z'],
    ]);
    assert.equal(printTagsUpToWidth(tight, 40), `${'a'.repeat(30)} + 1 more...`);
  });

  test('always shows at least one tag', () => {
    assert.equal(printTagsUpToWidth(statusOf([['x'.repeat(50), '2020-01-01T00:00:00Z'], ['y', '2019-01-01T00:00:00Z']]), 40), `${'x'.repeat(50)} + 1 more...`);
    assert.equal(printTagsUpToWidth(statusOf([['x'.repeat(50), '2020-01-01T00:00:00Z']]), 40), 'x'.repeat(50));
    assert.equal(printTagsUpToWidth({}, 40), '');
  });
});

describe('imagestreams table', () => {
  const table = recorded<Table>('table-imagestreams.json');

  test('column definitions are the recorded ones', () => {
    assert.deepEqual(imageStreamTable.columns, table.columnDefinitions);
  });

  test('the recorded stream prints the recorded row', () => {
    const stream = recorded<ImageStream>('get-imagestream.json');
    assert.deepEqual(imageStreamTable.cells(stream, new Date('2026-11-27T05:19:25.400Z')), table.rows[0]?.cells);
  });

  test('Image Repository: public, else spec, else status', () => {
    const s: ImageStream = { metadata: {}, spec: { dockerImageRepository: 'spec/repo' }, status: { dockerImageRepository: 'internal/repo', publicDockerImageRepository: 'public/repo' } };
    assert.equal(displayedRepository(s), 'public/repo');
    delete s.status?.publicDockerImageRepository;
    assert.equal(displayedRepository(s), 'spec/repo');
    delete s.spec?.dockerImageRepository;
    assert.equal(displayedRepository(s), 'internal/repo');
    assert.deepEqual(imageStreamTable.cells({ metadata: { name: 'n' } }, new Date()), ['n', '', '', '']);
  });
});

describe('images table', () => {
  test('column definitions and row of the recorded image', () => {
    const table = recorded<Table>('table-images.json');
    assert.deepEqual(imageTable.columns, table.columnDefinitions);
    assert.deepEqual(imageTable.cells(recorded<Image>('get-image.json'), new Date()), table.rows[0]?.cells);
  });
});
