// `kubectl get imagestreamimage` columns: Name, Updated, and (wide) Image Reference, Image Name.

import type { KubeObject, TableColumnDefinition } from '../../../apiserver/api/types.js';
import type { TableConvertor } from '../../../apiserver/registry/strategy.js';
import { NAME_COLUMN } from '../../../apiserver/registry/table.js';
import type { ImageStreamImage } from '../../api/virtual-types.js';
import { IMAGE_REFERENCE_COLUMN } from '../image/table.js';
import { UPDATED_COLUMN } from '../imagestreamtag/table.js';
import { timeAgo } from '../printers.js';

export const IMAGE_STREAM_IMAGE_COLUMNS: TableColumnDefinition[] = [
  NAME_COLUMN,
  UPDATED_COLUMN,
  { ...IMAGE_REFERENCE_COLUMN, priority: 1 },
  { name: 'Image Name', type: 'string', format: '', description: 'image associated with the ImageStream and image name.', priority: 1 },
];

export const imageStreamImageTable: TableConvertor = {
  columns: IMAGE_STREAM_IMAGE_COLUMNS,
  cells(obj: KubeObject, now: Date): unknown[] {
    const isi = obj as ImageStreamImage;
    return [isi.metadata.name ?? '', timeAgo(isi.metadata.creationTimestamp, now), isi.image?.dockerImageReference ?? '', isi.image?.metadata?.name ?? ''];
  },
};
