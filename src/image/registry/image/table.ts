// `kubectl get images` columns: Name, Image Reference.

import type { TableColumnDefinition } from '../../../apiserver/api/types.js';
import type { TableConvertor } from '../../../apiserver/registry/strategy.js';
import { NAME_COLUMN } from '../../../apiserver/registry/table.js';
import type { Image } from '../../api/types.js';

export const IMAGE_REFERENCE_COLUMN: TableColumnDefinition = {
  name: 'Image Reference',
  type: 'string',
  format: '',
  description: 'dockerImageReference is the string that can be used to pull this image.',
  priority: 0,
};

export const IMAGE_COLUMNS: TableColumnDefinition[] = [NAME_COLUMN, IMAGE_REFERENCE_COLUMN];

export const imageTable: TableConvertor<Image> = {
  columns: IMAGE_COLUMNS,
  cells(image: Image): unknown[] {
    return [image.metadata.name ?? '', image.dockerImageReference ?? ''];
  },
};
