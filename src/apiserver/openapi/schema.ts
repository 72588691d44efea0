// The OpenAPI v2 (Swagger 2.0) schema shapes this server reads and writes: the definitions a group
// ships in api-schemas/, and the Kubernetes extensions on them.

export interface SchemaNode {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  $ref?: string;
  allOf?: SchemaNode[];
  required?: string[];
  default?: unknown;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  [extension: string]: unknown;
}

export type Definitions = Record<string, SchemaNode>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export const DEFINITION_REF_PREFIX = '#/definitions/';

/** "#/definitions/a.b.C" -> "a.b.C". */
export function refName(ref: string): string {
  return ref.startsWith(DEFINITION_REF_PREFIX) ? ref.slice(DEFINITION_REF_PREFIX.length) : ref;
}
