// /openapi/v2 as kubectl and client-go ask for it: the gnostic openapi.v2.Document protobuf
// (Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf). kubectl falls back to it for
// field-validation support checks on kinds whose v3 document has no PATCH operation (create-only
// kinds), and fails outright when it cannot be read. Field numbers are gnostic's OpenAPIv2.proto;
// extension and default values travel as YAML text (JSON is valid YAML).

type Json = Record<string, unknown>;

/** What is served (Go's mime parser rejects the "@" form clients still ask for). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** What kubectl and client-go put in Accept. */
export const OPENAPI_V2_PROTOBUF_REQUESTED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** A minimal protobuf writer: varints, doubles and length-delimited fields. */
class Writer {
  private readonly chunks: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.chunks.push(Buffer.from(bytes));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  string(field: number, s: unknown): this {
    if (typeof s !== 'string' || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.tag(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.string(field, String(s));
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b !== true) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  int(field: number, n: unknown): this {
    if (typeof n !== 'number' || n === 0) return this;
    this.tag(field, 0);
    this.varint(n);
    return this;
  }

  double(field: number, n: unknown): this {
    if (typeof n !== 'number' || n === 0) return this;
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(n);
    this.chunks.push(b);
    return this;
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    const b = inner.bytes();
    this.tag(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** NamedAny{name, Any{yaml}} for every x- key of a node. */
function extensions(w: Writer, field: number, node: Json): void {
  for (const [k, v] of Object.entries(node)) {
    if (!k.startsWith('x-')) continue;
    w.message(field, (n) => n.string(1, k).message(2, (a) => a.string(2, `${JSON.stringify(v)}\n`)));
  }
}

function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) w.message(5, (a) => a.string(2, `${JSON.stringify(s.default)}\n`));
  w.double(7, s.maximum).double(9, s.minimum).int(11, s.maxLength).int(12, s.minLength).string(13, s.pattern);
  w.int(14, s.maxItems).int(15, s.minItems).bool(16, s.uniqueItems).strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => a.string(2, `${JSON.stringify(e)}\n`));
  if (isObj(s.additionalProperties)) w.message(21, (ap) => ap.message(1, (x) => schema(x, s.additionalProperties as Json)));
  else if (typeof s.additionalProperties === 'boolean') w.message(21, (ap) => ap.bool(2, s.additionalProperties));
  if (typeof s.type === 'string') w.message(22, (t) => t.string(1, s.type));
  if (isObj(s.items)) w.message(23, (it) => it.message(1, (x) => schema(x, s.items as Json)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObj(a)) w.message(24, (x) => schema(x, a));
  if (isObj(s.properties)) {
    const props = s.properties;
    w.message(25, (p) => {
      for (const [name, sub] of Object.entries(props)) if (isObj(sub)) p.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, sub)));
    });
  }
  w.bool(27, s.readOnly);
  extensions(w, 31, s);
}

function parameter(w: Writer, p: Json): void {
  if (typeof p.$ref === 'string') {
    w.message(2, (r) => r.string(1, p.$ref));
    return;
  }
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
        if (isObj(p.schema)) b.message(5, (x) => schema(x, p.schema as Json));
      });
      return;
    }
    param.message(2, (nb) => {
      if (p.in === 'path') {
        nb.message(4, (x) => x.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name).string(5, p.type).string(6, p.format).bool(19, p.uniqueItems));
      } else {
        nb.message(3, (x) => x.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name).string(6, p.type).string(7, p.format).bool(20, p.uniqueItems));
      }
    });
  });
}

const METHODS: [string, number][] = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

function operation(w: Writer, op: Json): void {
  w.strings(1, op.tags).string(2, op.summary).string(3, op.description).string(5, op.operationId);
  w.strings(6, op.produces).strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObj(p)) w.message(8, (x) => parameter(x, p));
  if (isObj(op.responses)) {
    const responses = op.responses;
    w.message(9, (rs) => {
      for (const [code, r] of Object.entries(responses)) {
        if (!isObj(r)) continue;
        rs.message(1, (n) =>
          n.string(1, code).message(2, (rv) =>
            rv.message(1, (resp) => {
              resp.string(1, r.description);
              if (isObj(r.schema)) resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema as Json)));
            }),
          ),
        );
      }
    });
  }
  w.strings(10, op.schemes).bool(11, op.deprecated);
  extensions(w, 13, op);
}

/** Encodes a Swagger 2.0 JSON document as gnostic's openapi.v2.Document. */
export function encodeOpenAPIV2(doc: Json): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (isObj(doc.info)) {
    const info = doc.info;
    w.message(2, (i) => i.string(1, info.title).string(2, info.version).string(3, info.description));
  }
  if (isObj(doc.paths)) {
    const paths = doc.paths;
    w.message(8, (ps) => {
      for (const [path, item] of Object.entries(paths)) {
        if (!isObj(item)) continue;
        ps.message(2, (n) =>
          n.string(1, path).message(2, (pi) => {
            for (const [method, field] of METHODS) if (isObj(item[method])) pi.message(field, (x) => operation(x, item[method] as Json));
            if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObj(p)) pi.message(9, (x) => parameter(x, p));
            extensions(pi, 10, item);
          }),
        );
      }
    });
  }
  if (isObj(doc.definitions)) {
    const defs = doc.definitions;
    w.message(9, (d) => {
      for (const [name, s] of Object.entries(defs)) if (isObj(s)) d.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, s)));
    });
  }
  if (isObj(doc.securityDefinitions)) {
    const defs = doc.securityDefinitions;
    w.message(13, (sd) => {
      for (const [name, s] of Object.entries(defs)) {
        if (!isObj(s) || s.type !== 'apiKey') continue;
        sd.message(1, (n) => n.string(1, name).message(2, (item) => item.message(2, (k) => k.string(1, s.type).string(2, s.name).string(3, s.in).string(4, s.description))));
      }
    });
  }
  extensions(w, 16, doc);
  return w.bytes();
}
