// `kubectl get imagestreams` columns: Name, Image Repository, Tags, Updated.

import type { TableColumnDefinition } from '../../../apiserver/api/types.js';
import type { TableConvertor } from '../../../apiserver/registry/strategy.js';
import { NAME_COLUMN } from '../../../apiserver/registry/table.js';
import type { ImageStream } from '../../api/types.js';
import { latestTagEventTime, printTagsUpToWidth, timeAgo } from '../printers.js';

const TAGS_WIDTH = 40;

export const IMAGE_STREAM_COLUMNS: TableColumnDefinition[] = [
  NAME_COLUMN,
  {
    name: 'Image Repository',
    type: 'string',
    format: '',
    description:
      'dockerImageRepository represents the effective location this stream may be accessed at. May be empty until the server determines where the repository is located',
    priority: 0,
  },
  { name: 'Tags', type: 'string', format: '', description: 'Human readable list of tags.', priority: 0 },
  { name: 'Updated', type: 'string', format: '', description: 'Last update time.', priority: 0 },
];

/** The public repository if the cluster has one, else the spec's, else the internal one. */
export function displayedRepository(stream: ImageStream): string {
  return stream.status?.publicDockerImageRepository || stream.spec?.dockerImageRepository || stream.status?.dockerImageRepository || '';
}

export const imageStreamTable: TableConvertor<ImageStream> = {
  columns: IMAGE_STREAM_COLUMNS,
  cells(stream: ImageStream, now: Date): unknown[] {
    return [
      stream.metadata.name ?? '',
      displayedRepository(stream),
      printTagsUpToWidth(stream.status, TAGS_WIDTH),
      timeAgo(latestTagEventTime(stream.status), now),
    ];
  },
};
