import type { KubeObject, TableColumnDefinition, TableRow } from '../api/types.js';
import type { TableConvertor } from './strategy.js';

export interface TableBody {
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

const CREATED_AT_COLUMN: TableColumnDefinition = {
  name: 'Created At',
  type: 'date',
  format: '',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  priority: 0,
};

/** The table k8s.io/apiserver prints for resources without their own printer. */
export function defaultTable(objects: KubeObject[]): TableBody {
  return {
    columnDefinitions: [NAME_COLUMN, CREATED_AT_COLUMN],
    rows: objects.map((o) => ({ cells: [o.metadata.name ?? '', o.metadata.creationTimestamp ?? null], object: o })),
  };
}

export function tableFor<T extends KubeObject>(conv: TableConvertor<T>, objects: T[], now: Date): TableBody {
  return { columnDefinitions: conv.columns, rows: objects.map((o) => ({ cells: conv.cells(o, now), object: o })) };
}
