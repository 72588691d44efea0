// Protobuf message descriptors built once from field facts (number, type, repeated, map) in the
// shape of the public generated.proto files: the meta messages here, a group's own beside its
// OpenAPI schemas. protobufjs resolves the type references between them.

import protobuf from 'protobufjs';

export interface FieldFact {
  name: string;
  number: number;
  /** A scalar type, a message name (relative to the message's package, or ".pkg.Name"), or "map". */
  type: string;
  repeated?: boolean;
  /** Map key and value types when type is "map". */
  key?: string;
  value?: string;
}

export interface MessageFacts {
  about?: string;
  /** Fully qualified message name ("k8s.io.apimachinery.pkg.apis.meta.v1.Status") -> its fields. */
  messages: Record<string, FieldFact[]>;
}

/** A resolved protobufjs Root holding every message of the given fact files. */
export function buildRoot(files: readonly MessageFacts[]): protobuf.Root {
  const root = new protobuf.Root();
  for (const file of files) {
    for (const [fullName, fields] of Object.entries(file.messages)) {
      const dot = fullName.lastIndexOf('.');
      const type = new protobuf.Type(fullName.slice(dot + 1));
      for (const f of fields) {
        if (f.type === 'map') type.add(new protobuf.MapField(f.name, f.number, f.key ?? 'string', f.value ?? 'string'));
        else type.add(new protobuf.Field(f.name, f.number, f.type, f.repeated ? 'repeated' : 'optional'));
      }
      root.define(fullName.slice(0, dot)).add(type);
    }
  }
  root.resolveAll();
  return root;
}
