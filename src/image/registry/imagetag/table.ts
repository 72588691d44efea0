// `kubectl get imagetags` columns: Name, Spec (Tag, Ref, Scheduled, Track, Push), Status (the
// source, Importing, ImportFailed), History (number of events) and Updated.

import type { TableColumnDefinition } from '../../../apiserver/api/types.js';
import type { TableConvertor } from '../../../apiserver/registry/strategy.js';
import { NAME_COLUMN } from '../../../apiserver/registry/table.js';
import { timeValue } from '../../api/conversion/json.js';
import { splitImageStreamImage, splitImageStreamTag } from '../../api/names.js';
import { IMPORT_SUCCESS_CONDITION, type ImageTag } from '../../api/virtual-types.js';
import { timeAgo } from '../printers.js';

export const IMAGE_TAG_COLUMNS: TableColumnDefinition[] = [
  NAME_COLUMN,
  {
    name: 'Spec',
    type: 'string',
    format: '',
    description: 'spec is the spec tag associated with this image stream tag, and it may be null if only pushes have occurred to this image stream.',
    priority: 0,
  },
  {
    name: 'Status',
    type: 'string',
    format: '',
    description: 'status is the status tag details associated with this image stream tag, and it may be null if no push or import has been performed.',
    priority: 0,
  },
  { name: 'History', type: 'number', format: '', description: 'Number of history entries', priority: 0 },
  { name: 'Updated', type: 'string', format: '', description: 'Last updated at', priority: 0 },
];

/** The row openshift's printImageTag prints. */
export function imageTagCells(itag: ImageTag, now: Date): unknown[] {
  let generation = 0;
  let source = '';
  let status = '';
  let spec = '';
  const ref = itag.spec;
  if (ref) {
    spec = ref.reference ? 'Ref' : 'Tag';
    if (ref.importPolicy?.scheduled) spec = 'Scheduled';
    if (typeof ref.generation === 'number') generation = ref.generation;
    const from = ref.from;
    if (!from) {
      spec = '';
    } else {
      const name = from.name ?? '';
      switch (from.kind) {
        case 'DockerImage':
          source = name;
          break;
        case 'ImageStreamImage': {
          const split = splitImageStreamImage(name);
          if (split.ok) source = `image/${split.id}`;
          else status = 'InvalidRefName';
          break;
        }
        case 'ImageStreamTag':
          source = from.namespace ? `istag ${from.namespace}/${name}` : `istag/${name}`;
          // A source without "<stream>:" is another tag of this stream: a tracking tag.
          if (!splitImageStreamTag(name).ok) spec = 'Track';
          break;
        default:
          status = 'InvalidRefKind';
      }
    }
  }
  let count = 0;
  let updated = '';
  if (itag.status) {
    const items = itag.status.items ?? [];
    count = items.length;
    let last = Number.NEGATIVE_INFINITY;
    let lastText: string | null = null;
    const event = items[0];
    if (event) {
      last = timeValue(event.created);
      lastText = event.created ?? null;
      const eventGeneration = event.generation ?? 0;
      if (generation > 0 && eventGeneration > 0 && eventGeneration < generation) status = 'Importing';
      else if (event.image) source = `image/${event.image}`;
      else if (event.dockerImageReference) source = event.dockerImageReference;
      if (source && !spec) spec = 'Push';
      else if (spec !== 'Track' && generation > 0 && eventGeneration > generation) spec = 'Push';
    }
    for (const c of itag.status.conditions ?? []) {
      if (c.type === IMPORT_SUCCESS_CONDITION && c.status === 'False') status = `ImportFailed (${c.reason ?? ''})`;
      const t = timeValue(c.lastTransitionTime);
      if (t > last) {
        last = t;
        lastText = c.lastTransitionTime ?? null;
      }
    }
    updated = timeAgo(lastText, now);
  }
  if (!status) status = source;
  return [itag.metadata.name ?? '', spec, status, count > 0 ? count : null, updated];
}

export const imageTagTable: TableConvertor<ImageTag> = {
  columns: IMAGE_TAG_COLUMNS,
  cells: (obj: ImageTag, now: Date) => imageTagCells(obj, now),
};
