// `kubectl get imagestreamtags` columns: Name, Image Reference, Updated, and (wide) Image Name.

import type { TableColumnDefinition } from '../../../apiserver/api/types.js';
import type { TableConvertor } from '../../../apiserver/registry/strategy.js';
import { NAME_COLUMN } from '../../../apiserver/registry/table.js';
import type { ImageStreamTag } from '../../api/virtual-types.js';
import { IMAGE_REFERENCE_COLUMN } from '../image/table.js';
import { timeAgo } from '../printers.js';

export const UPDATED_COLUMN: TableColumnDefinition = { name: 'Updated', type: 'string', format: '', description: 'Last update time.', priority: 0 };

export const IMAGE_STREAM_TAG_COLUMNS: TableColumnDefinition[] = [
  NAME_COLUMN,
  IMAGE_REFERENCE_COLUMN,
  UPDATED_COLUMN,
  { name: 'Image Name', type: 'string', format: '', description: 'image associated with the ImageStream and tag.', priority: 1 },
];

export const imageStreamTagTable: TableConvertor<ImageStreamTag> = {
  columns: IMAGE_STREAM_TAG_COLUMNS,
  cells(istag: ImageStreamTag, now: Date): unknown[] {
    return [istag.metadata.name ?? '', istag.image?.dockerImageReference ?? '', timeAgo(istag.metadata.creationTimestamp, now), istag.image?.metadata?.name ?? ''];
  },
};
