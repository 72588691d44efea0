// The type model: what the server knows about the shape of each kind, built once from the OpenAPI
// definitions a group ships (api-schemas/) plus the meta.k8s.io definitions. Strategic merge patch
// (patch strategies, merge keys), server-side apply (list types, map types), the ajv validators of
// request bodies (shape-validators.ts: known fields, JSON types) and the OpenAPI documents all read
// it, so they cannot disagree.

import metaDocument from './meta-definitions.json' with { type: 'json' };
import { refName, type Definitions, type SchemaNode } from './schema.js';

export type TypeNode = ScalarType | UntypedType | StructType | MapType | ListType;

export interface ScalarType {
  readonly kind: 'scalar';
  /** The JSON type: string, integer, number or boolean. */
  readonly type: string;
  readonly format?: string;
  /** How Go names the type in decoding errors (string, int64, v1.Time). */
  readonly goType: string;
}

/** Free-form JSON (RawExtension, FieldsV1, objects without properties): taken as a whole. */
export interface UntypedType {
  readonly kind: 'untyped';
  readonly goType: string;
}

/** How list items are identified: by the whole list, by value, or by key fields. */
export type ListSemantics = 'atomic' | 'set' | 'map';

export class ListType {
  readonly kind = 'list';
  /** Server-side apply semantics (x-kubernetes-list-type, else derived from the patch strategy). */
  readonly listType: ListSemantics;
  readonly keys: readonly string[];
  /** Strategic merge patch: "merge", "retainKeys", "replace" (comma-separated in the schema). */
  readonly patchStrategies: readonly string[];
  readonly patchMergeKey?: string;
  private elem?: TypeNode;

  constructor(
    private readonly model: TypeModel,
    private readonly node: SchemaNode,
  ) {
    this.patchStrategies = splitStrategies(node['x-kubernetes-patch-strategy']);
    const mergeKey = node['x-kubernetes-patch-merge-key'];
    if (mergeKey) this.patchMergeKey = mergeKey;
    const declared = node['x-kubernetes-list-type'];
    if (declared === 'atomic' || declared === 'set' || declared === 'map') {
      this.listType = declared;
      this.keys = declared === 'map' ? [...(node['x-kubernetes-list-map-keys'] ?? (mergeKey ? [mergeKey] : []))] : [];
    } else if (this.patchStrategies.includes('merge')) {
      // What kube-openapi's schema conversion does: a merge key makes an associative list.
      this.listType = mergeKey ? 'map' : 'set';
      this.keys = mergeKey ? [mergeKey] : [];
    } else {
      this.listType = 'atomic';
      this.keys = [];
    }
  }

  get element(): TypeNode {
    this.elem ??= this.model.resolve(this.node.items ?? {});
    return this.elem;
  }

  get goType(): string {
    return `[]${this.element.goType}`;
  }
}

export class MapType {
  readonly kind = 'map';
  readonly atomic: boolean;
  private elem?: TypeNode;

  constructor(
    private readonly model: TypeModel,
    private readonly node: SchemaNode,
  ) {
    this.atomic = node['x-kubernetes-map-type'] === 'atomic';
  }

  get element(): TypeNode {
    this.elem ??= this.model.resolve(typeof this.node.additionalProperties === 'object' ? this.node.additionalProperties : {});
    return this.elem;
  }

  get goType(): string {
    return `map[string]${this.element.goType}`;
  }
}

export class StructType {
  readonly kind = 'struct';
  /** x-kubernetes-map-type: atomic (e.g. ObjectReference): replaced and owned as a whole. */
  readonly atomic: boolean;
  readonly required: readonly string[];
  /** Unknown fields are kept rather than reported (x-kubernetes-preserve-unknown-fields). */
  readonly preserveUnknownFields: boolean;
  private readonly fields = new Map<string, TypeNode>();

  constructor(
    private readonly model: TypeModel,
    /** The definition name, e.g. com.github.openshift.api.image.v1.ImageStream. */
    readonly name: string,
    private readonly node: SchemaNode,
  ) {
    this.atomic = node['x-kubernetes-map-type'] === 'atomic';
    this.required = [...(node.required ?? [])];
    this.preserveUnknownFields = node['x-kubernetes-preserve-unknown-fields'] === true;
  }

  get fieldNames(): string[] {
    return Object.keys(this.node.properties ?? {});
  }

  hasField(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.node.properties ?? {}, name);
  }

  field(name: string): TypeNode | undefined {
    const prop = this.hasField(name) ? this.node.properties?.[name] : undefined;
    if (!prop) return undefined;
    let t = this.fields.get(name);
    if (!t) {
      t = this.model.resolve(prop);
      this.fields.set(name, t);
    }
    return t;
  }

  /** The property node as written (its default and description). */
  property(name: string): SchemaNode | undefined {
    return this.hasField(name) ? this.node.properties?.[name] : undefined;
  }

  /** "ImageStreamSpec". */
  get shortName(): string {
    return this.name.split('.').pop() ?? this.name;
  }

  /** "v1.ImageStreamSpec", as Go prints the type. */
  get goType(): string {
    return goName(this.name);
  }
}

function splitStrategies(s: string | undefined): string[] {
  return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
}

/** "io.k8s.apimachinery.pkg.apis.meta.v1.Time" -> "v1.Time". */
function goName(definition: string): string {
  const parts = definition.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : definition;
}

function scalarGoType(node: SchemaNode): string {
  switch (node.type) {
    case 'boolean':
      return 'bool';
    case 'integer':
      return node.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return node.format === 'float' ? 'float32' : 'float64';
    default:
      return node.format === 'byte' ? '[]uint8' : 'string';
  }
}

/** The meta.k8s.io/v1 definitions as kube-apiserver publishes them. */
export const META_DEFINITIONS: Definitions = (metaDocument as { definitions: Definitions }).definitions;

const META_PREFIXES = ['io.k8s.apimachinery.pkg.apis.meta.v1.', 'io.k8s.apimachinery.pkg.runtime.'];

export interface TypeModelOptions {
  /** The group's definitions (OpenAPI v2), e.g. api-schemas/image.openshift.io-v1.json. */
  definitions: Readonly<Record<string, object>>;
  /** The definition that describes a kind served by the group ("ImageStream" -> its name). */
  definitionOf: (kind: string) => string | undefined;
}

export class TypeModel {
  /** Group definitions plus the meta ones; kube-apiserver's meta definitions win over copies. */
  readonly definitions: Definitions;
  private readonly named = new Map<string, TypeNode>();
  private readonly anonymous = new WeakMap<SchemaNode, TypeNode>();
  private readonly definitionOfKind: (kind: string) => string | undefined;

  constructor(opts: TypeModelOptions) {
    // Parsed OpenAPI definitions: the shapes read here are the documented SchemaNode fields.
    const given = opts.definitions as Definitions;
    const own = Object.fromEntries(Object.entries(given).filter(([name]) => !META_PREFIXES.some((p) => name.startsWith(p) && name in META_DEFINITIONS)));
    this.definitions = { ...META_DEFINITIONS, ...own };
    this.definitionOfKind = opts.definitionOf;
  }

  /** The definition name of a kind, when the group ships one. */
  definitionName(kind: string): string | undefined {
    const name = this.definitionOfKind(kind);
    return name && name in this.definitions ? name : undefined;
  }

  /** The type of a kind's objects, or undefined when nothing is known about it. */
  forKind(kind: string): StructType | undefined {
    const name = this.definitionName(kind);
    if (!name) return undefined;
    const t = this.definition(name);
    return t?.kind === 'struct' ? t : undefined;
  }

  definition(name: string): TypeNode | undefined {
    const cached = this.named.get(name);
    if (cached) return cached;
    const node = this.definitions[name];
    if (!node) return undefined;
    const t = this.build(node, name);
    this.named.set(name, t);
    return t;
  }

  /** The type a schema node describes, following $ref (and a single allOf, as v3 writes refs). */
  resolve(node: SchemaNode): TypeNode {
    const ref = node.$ref ?? (node.allOf?.length === 1 ? node.allOf[0]?.$ref : undefined);
    if (ref) return this.definition(refName(ref)) ?? { kind: 'untyped', goType: 'interface {}' };
    let t = this.anonymous.get(node);
    if (!t) {
      t = this.build(node, '');
      this.anonymous.set(node, t);
    }
    return t;
  }

  private build(node: SchemaNode, name: string): TypeNode {
    if (node.type === 'array') return new ListType(this, node);
    if (node.properties) return new StructType(this, name, node);
    if (typeof node.additionalProperties === 'object') return new MapType(this, node);
    if (node.type === 'object' || (!node.type && !node.format)) return { kind: 'untyped', goType: name ? goName(name) : 'interface {}' };
    const scalar: ScalarType = { kind: 'scalar', type: node.type ?? 'string', goType: name ? goName(name) : scalarGoType(node) };
    return node.format ? { ...scalar, format: node.format } : scalar;
  }
}
