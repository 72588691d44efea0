// The Kubernetes protobuf wire format for JSON-shaped objects, as gogo-protobuf writes the Go types:
// fields in number order; every non-pointer scalar and struct written even when zero; nil pointers,
// slices and maps left out; map entries sorted by key; metav1.Time as {seconds, nanos=0}; RawExtension
// and FieldsV1 carrying their JSON bytes. Decoding gives the JSON Go's encoding/json would write for
// the same Go value (omitted when omitempty and empty, null for nil non-omitempty fields).
//
// Plans are compiled once per message from the descriptors (field numbers and types) and the type
// model (JSON names and inlined structs; omitempty from `required` and the zero `default`
// openapi-gen gives non-omitempty scalars; struct-vs-pointer from the `default: {}` it gives value
// structs). What neither says (pointer scalars and Times, optional fields without omitempty,
// omitzero) is given as lists.

import protobuf from 'protobufjs';
import { setOwn } from '../own-keys.js';
import { formatTime, isObject } from '../types.js';
import type { StructType, TypeModel } from '../../openapi/type-model.js';
import { buildRoot, type MessageFacts } from './descriptors.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Messages whose JSON form is not their protobuf fields. */
const SPECIAL: Readonly<Record<string, Special>> = {
  [`${META}Time`]: 'time',
  [`${META}MicroTime`]: 'microtime',
  [`${META}FieldsV1`]: 'fields',
  [`${META}Verbs`]: 'verbs',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'raw',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intorstring',
};

type Special = 'time' | 'microtime' | 'fields' | 'verbs' | 'raw' | 'quantity' | 'intorstring';
type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';
type ValueKind = Scalar | Special | 'message' | 'inline';

const SCALARS: ReadonlySet<string> = new Set<Scalar>(['string', 'bool', 'int32', 'int64', 'bytes']);
const VARINT: ReadonlySet<ValueKind> = new Set<ValueKind>(['bool', 'int32', 'int64']);
/** Go's zero time.Time, which marshals to nothing in protobuf and to null in JSON. */
const GO_ZERO_SECONDS = -62135596800;

interface FieldPlan {
  readonly name: string;
  readonly index: number;
  readonly tag: number;
  readonly wire: number;
  readonly kind: ValueKind;
  readonly repeated: boolean;
  /** For maps: the value's kind (keys are strings). */
  readonly mapValue?: ValueKind;
  /** For message, inline and message-valued map fields. */
  message?: MessagePlan;
  /** A Go pointer: written only when set, null (or omitted) in JSON when unset. */
  readonly pointer: boolean;
  readonly omitEmpty: boolean;
  readonly omitZero: boolean;
}

class MessagePlan {
  readonly fields: FieldPlan[] = [];
  readonly byNumber = new Map<number, FieldPlan>();
  constructor(readonly name: string) {}
}

export class ProtobufDecodeError extends Error {
  constructor(
    message: string,
    /** The envelope's type when the error is inside a message of a known kind. */
    readonly typeMeta?: TypeMeta,
  ) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

export interface DecodedObject extends TypeMeta {
  object: Record<string, unknown>;
}

export interface ProtobufCodecOptions {
  /** Descriptor facts: the meta messages and, for a group, its own. */
  messages: readonly MessageFacts[];
  /** JSON shapes of the messages (definition names are the proto names with the first two parts swapped). */
  model: TypeModel;
  /** "<message>.<field>" of the fields that are Go pointers to a scalar or a Time. */
  pointerFields: ReadonlySet<string>;
  /** "<message>.<field>" of optional fields without `omitempty` (JSON null when nil). */
  notOmitEmpty: ReadonlySet<string>;
  /** "<message>.<field>" of struct fields tagged `omitzero` (left out of JSON when zero). */
  omitZero: ReadonlySet<string>;
}

type Json = Record<string, unknown>;
const EMPTY: Json = Object.freeze({}) as Json;

/** "github.com.openshift.api.image.v1.Image" -> "com.github.openshift.api.image.v1.Image". */
function definitionName(message: string): string {
  const [a, b, ...rest] = message.split('.');
  return [b, a, ...rest].join('.');
}

/** An int64 as a JS number (protobufjs gives a Long when the long package is installed). */
function toNumber(v: number | protobuf.Long): number {
  return typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(false);
}

/** Go's sort.Strings order (byte order; code unit order differs only beyond the BMP). */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Objects repeat a handful of timestamps (creation, managedFields, tag events): conversions are
 * memoized in small maps, emptied when full, so memory stays bounded.
 */
class Memo<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get(k: K, make: (k: K) => V): V {
    let v = this.map.get(k);
    if (v === undefined && !this.map.has(k)) {
      if (this.map.size >= this.limit) this.map.clear();
      v = make(k);
      this.map.set(k, v);
    }
    return v as V;
  }
}

type Instant = { seconds: number; nanos: number } | undefined;
const parsedTimes = new Memo<string, Instant>(4096);
const formattedTimes = new Memo<number, string>(4096);

/** Seconds and nanoseconds of an RFC 3339 time, or undefined when it is not one or is Go's zero time. */
export function parseTime(v: unknown): Instant {
  return typeof v === 'string' ? parsedTimes.get(v, parseRFC3339) : undefined;
}

function parseRFC3339(v: string): Instant {
  const m = RFC3339.exec(v);
  if (!m) return undefined;
  // setUTCFullYear, unlike Date.UTC, takes years below 100 literally.
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let seconds = d.getTime() / 1000;
  if (m[8]) seconds -= (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10]) * 60);
  const nanos = m[7] ? Number(m[7].slice(0, 9).padEnd(9, '0')) : 0;
  if (seconds === GO_ZERO_SECONDS && nanos === 0) return undefined;
  return { seconds, nanos };
}

function formatMicro(seconds: number, nanos: number): string {
  const base = formatTime(new Date(seconds * 1000));
  return `${base.slice(0, -1)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/**
 * Encodes and decodes the objects of one group (and the meta kinds) in the Kubernetes protobuf
 * format. Built once; every method is pure.
 */
export class ProtobufCodec {
  private readonly root: protobuf.Root;
  private readonly plans = new Map<string, MessagePlan>();
  private readonly byKind = new Map<string, MessagePlan | null>();

  constructor(private readonly opts: ProtobufCodecOptions) {
    this.root = buildRoot(opts.messages);
    // Compile every message now: an unsupported field type fails at startup, not on a request.
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const o of ns.nestedArray) {
        if (o instanceof protobuf.Type) this.plan(o);
        if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) visit(o);
      }
    };
    visit(this.root);
  }

  /** Whether objects of this kind (apiVersion "image.openshift.io/v1", kind "ImageStream") have a message. */
  supports(meta: TypeMeta): boolean {
    return this.planFor(meta) !== undefined;
  }

  /** `k8s\x00` + runtime.Unknown{typeMeta, raw: the object's message, contentEncoding "", contentType ""}. */
  encode(obj: object, meta: TypeMeta = typeMetaOf(obj)): Buffer {
    const w = protobuf.Writer.create();
    this.writeEnvelope(w, obj as Json, meta);
    return w.finish() as Buffer;
  }

  /** One frame of a protobuf watch: 4-byte big-endian length, then WatchEvent{type, object{raw: envelope}}. */
  watchFrame(type: string, envelope: Uint8Array): Buffer {
    const w = protobuf.Writer.create();
    w.uint32(0x0a).string(type);
    w.uint32(0x12).fork().uint32(0x0a).bytes(envelope).ldelim();
    const body = w.finish();
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    frame.set(body, 4);
    return frame;
  }

  /**
   * An enveloped object, as the JSON Go would write for it (with the envelope's apiVersion and
   * kind; an envelope without them is taken to be of the `defaults` type, as Go's typed decoders do).
   */
  decode(data: Uint8Array, defaults?: TypeMeta): DecodedObject {
    if (data.length === 0) throw new ProtobufDecodeError('empty data');
    if (data.length < MAGIC.length || !MAGIC.equals(data.subarray(0, MAGIC.length))) {
      throw new ProtobufDecodeError(`provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`);
    }
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array | undefined;
    this.guard(() => {
      const r = protobuf.Reader.create(data.subarray(MAGIC.length));
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag === 0x0a) {
          const end = r.uint32() + r.pos;
          while (r.pos < end) {
            const t = r.uint32();
            if (t === 0x0a) apiVersion = r.string();
            else if (t === 0x12) kind = r.string();
            else r.skipType(t & 7);
          }
        } else if (tag === 0x12) raw = r.bytes();
        else r.skipType(tag & 7);
      }
    });
    kind ||= defaults?.kind ?? '';
    apiVersion ||= defaults?.apiVersion ?? '';
    if (!kind) throw new ProtobufDecodeError(`Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:""}'`);
    const plan = this.planFor({ apiVersion, kind });
    if (!plan) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
    try {
      return { apiVersion, kind, object: this.decodeMessage(plan, raw ?? new Uint8Array()) };
    } catch (err) {
      if (err instanceof ProtobufDecodeError) throw new ProtobufDecodeError(err.message, { apiVersion, kind });
      throw err;
    }
  }

  // ---- plans ----

  private planFor(meta: TypeMeta): MessagePlan | undefined {
    const key = `${meta.apiVersion}/${meta.kind}`;
    let p = this.byKind.get(key);
    if (p === undefined) {
      p = this.lookupKind(meta) ?? null;
      this.byKind.set(key, p);
    }
    return p ?? undefined;
  }

  private lookupKind(meta: TypeMeta): MessagePlan | undefined {
    const group = meta.apiVersion.includes('/') ? meta.apiVersion.slice(0, meta.apiVersion.indexOf('/')) : '';
    if (group !== '' && group !== 'meta.k8s.io') {
      const def = this.opts.model.definitionName(meta.kind);
      // The swap is its own inverse: definition name -> message name.
      const own = def ? this.plans.get(definitionName(def)) : undefined;
      if (own) return own;
    }
    // Status, WatchEvent, DeleteOptions, PartialObjectMetadata, ...: meta kinds, in every group.
    return this.plans.get(META + meta.kind);
  }

  private requirePlan(meta: TypeMeta): MessagePlan {
    const p = this.planFor(meta);
    if (!p) throw new Error(`no protobuf message for ${meta.apiVersion}, Kind=${meta.kind}`);
    return p;
  }

  private plan(type: protobuf.Type): MessagePlan {
    const name = type.fullName.replace(/^\./, '');
    const known = this.plans.get(name);
    if (known) return known;
    const plan = new MessagePlan(name);
    this.plans.set(name, plan);
    const def = this.opts.model.definition(definitionName(name));
    const struct = def?.kind === 'struct' ? (def as StructType) : undefined;
    const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
    for (const f of fields) {
      const field = this.fieldPlan(name, f, plan.fields.length, struct);
      plan.fields.push(field);
      plan.byNumber.set(f.id, field);
    }
    return plan;
  }

  private kindOf(type: string, resolved: protobuf.ReflectionObject | null): { kind: ValueKind; message?: protobuf.Type } {
    if (resolved instanceof protobuf.Type) {
      const special = SPECIAL[resolved.fullName.replace(/^\./, '')];
      return special ? { kind: special } : { kind: 'message', message: resolved };
    }
    if (SCALARS.has(type)) return { kind: type as Scalar };
    throw new Error(`protobuf field type ${type} is not supported`);
  }

  private fieldPlan(message: string, f: protobuf.Field, index: number, struct: StructType | undefined): FieldPlan {
    const isMap = f instanceof protobuf.MapField;
    const { kind, message: sub } = this.kindOf(f.type, f.resolvedType);
    const inline = kind === 'message' && !isMap && struct !== undefined && !struct.hasField(f.name);
    const valueKind: ValueKind = inline ? 'inline' : kind;
    const wire = !isMap && VARINT.has(valueKind) ? 0 : 2;
    const property = struct?.property(f.name);
    const pointer =
      kind === 'message' ? struct !== undefined && property !== undefined && property.default === undefined : this.opts.pointerFields.has(`${message}.${f.name}`);
    const plan: FieldPlan = {
      name: f.name,
      index,
      tag: ((f.id << 3) | (isMap ? 2 : wire)) >>> 0,
      wire: isMap ? 2 : wire,
      kind: isMap ? 'message' : valueKind,
      repeated: f.repeated && !isMap,
      mapValue: isMap ? valueKind : undefined,
      pointer,
      omitEmpty: !this.writtenWhenEmpty(`${message}.${f.name}`, struct, f.name, kind),
      omitZero: this.opts.omitZero.has(`${message}.${f.name}`),
    };
    if (sub) plan.message = this.plan(sub);
    return plan;
  }

  /**
   * Whether Go's JSON has the field without omitempty: required in the schema, a scalar with the
   * zero `default` openapi-gen gives non-omitempty values, or listed.
   */
  private writtenWhenEmpty(id: string, struct: StructType | undefined, name: string, kind: ValueKind): boolean {
    if (this.opts.notOmitEmpty.has(id)) return true;
    if (!struct) return false;
    if (struct.required.includes(name)) return true;
    return SCALARS.has(kind) && struct.property(name)?.default !== undefined;
  }

  // ---- encoding ----

  private writeEnvelope(w: protobuf.Writer, obj: Json, meta: TypeMeta): void {
    const plan = this.requirePlan(meta);
    for (const b of MAGIC) w.uint32(b);
    w.uint32(0x0a).fork().uint32(0x0a).string(meta.apiVersion).uint32(0x12).string(meta.kind).ldelim();
    w.uint32(0x12).fork();
    this.writeFields(plan, obj, w);
    w.ldelim();
    w.uint32(0x1a).string('').uint32(0x22).string('');
  }

  private writeFields(plan: MessagePlan, obj: Json, w: protobuf.Writer): void {
    for (const f of plan.fields) {
      if (f.kind === 'inline') {
        w.uint32(f.tag).fork();
        this.writeFields(f.message as MessagePlan, obj, w);
        w.ldelim();
        continue;
      }
      const v = obj[f.name];
      if (f.mapValue) {
        if (isObject(v)) this.writeMap(f, v, w);
      } else if (f.repeated) {
        if (Array.isArray(v)) for (const e of v) this.writeValue(f.tag, f.kind, f.message, e, w);
      } else if (v !== undefined && v !== null) {
        this.writeValue(f.tag, f.kind, f.message, v, w);
      } else if (!f.pointer && f.kind !== 'bytes') {
        // A Go value (not a pointer): gogo writes its zero.
        this.writeValue(f.tag, f.kind, f.message, undefined, w);
      }
    }
  }

  private writeMap(f: FieldPlan, m: Json, w: protobuf.Writer): void {
    const kind = f.mapValue as ValueKind;
    const valueTag = VARINT.has(kind) ? 0x10 : 0x12;
    for (const key of Object.keys(m).sort(byKey)) {
      const v = m[key];
      w.uint32(f.tag).fork().uint32(0x0a).string(key);
      // map[string][]byte leaves nil values out; other values are written even when zero.
      if (kind !== 'bytes' || typeof v === 'string') this.writeValue(valueTag, kind, f.message, v, w);
      w.ldelim();
    }
  }

  private writeValue(tag: number, kind: ValueKind, message: MessagePlan | undefined, v: unknown, w: protobuf.Writer): void {
    w.uint32(tag);
    switch (kind) {
      case 'string':
        w.string(typeof v === 'string' ? v : '');
        return;
      case 'bool':
        w.bool(v === true);
        return;
      case 'int32':
        w.int32(typeof v === 'number' ? v : 0);
        return;
      case 'int64':
        w.int64(typeof v === 'number' ? v : 0);
        return;
      case 'bytes':
        // JSON carries []byte as base64; protobufjs decodes a string argument as base64.
        w.bytes(typeof v === 'string' ? v : '');
        return;
      case 'message':
        w.fork();
        this.writeFields(message as MessagePlan, isObject(v) ? v : EMPTY, w);
        w.ldelim();
        return;
      case 'time':
      case 'microtime': {
        w.fork();
        const t = parseTime(v);
        if (t) w.uint32(0x08).int64(t.seconds).uint32(0x10).int32(kind === 'time' ? 0 : Math.floor(t.nanos / 1000) * 1000);
        w.ldelim();
        return;
      }
      case 'raw':
        // Raw JSON as Go's json.Encoder writes it (openshift-apiserver's conversion): newline-terminated.
        w.fork();
        // Same wire form as bytes; written as a string, the text goes into the buffer in one copy.
        if (v !== undefined && v !== null) w.uint32(0x0a).string(`${JSON.stringify(v)}\n`);
        w.ldelim();
        return;
      case 'fields':
        w.fork();
        if (v !== undefined && v !== null) w.uint32(0x0a).string(JSON.stringify(v));
        w.ldelim();
        return;
      case 'verbs':
        w.fork();
        if (Array.isArray(v)) for (const s of v) w.uint32(0x0a).string(typeof s === 'string' ? s : '');
        w.ldelim();
        return;
      case 'quantity':
        w.fork().uint32(0x0a).string(typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '0').ldelim();
        return;
      case 'intorstring':
        w.fork();
        if (typeof v === 'string') w.uint32(0x08).int64(1).uint32(0x10).int32(0).uint32(0x1a).string(v);
        else w.uint32(0x08).int64(0).uint32(0x10).int32(typeof v === 'number' ? v : 0).uint32(0x1a).string('');
        w.ldelim();
        return;
      case 'inline':
        throw new Error('inline fields are written by writeFields');
    }
  }

  // ---- decoding ----

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ProtobufDecodeError) throw err;
      // protobufjs: "index out of range: 12 + 10 > 20", "invalid wire type 7 at offset 3", ...
      throw new ProtobufDecodeError(err instanceof RangeError ? 'unexpected EOF' : err instanceof Error ? err.message : String(err));
    }
  }

  private decodeMessage(plan: MessagePlan, data: Uint8Array): Json {
    return this.guard(() => {
      const r = protobuf.Reader.create(data);
      return this.readFields(plan, r, r.len);
    });
  }

  private readFields(plan: MessagePlan, r: protobuf.Reader, end: number): Json {
    const values: unknown[] = new Array(plan.fields.length);
    while (r.pos < end) {
      const tag = r.uint32();
      const f = plan.byNumber.get(tag >>> 3);
      if (!f || (tag & 7) !== f.wire) {
        r.skipType(tag & 7);
        continue;
      }
      if (f.mapValue) {
        const [k, v] = this.readEntry(f, r);
        const m = (values[f.index] as Json | undefined) ?? {};
        setOwn(m, k, v); // a map key from the wire ("__proto__" too) is an own key
        values[f.index] = m;
      } else if (f.repeated) {
        const list = (values[f.index] as unknown[] | undefined) ?? [];
        list.push(this.readValue(f, f.kind, r));
        values[f.index] = list;
      } else {
        values[f.index] = this.readValue(f, f.kind, r);
      }
    }
    if (r.pos !== end) throw new ProtobufDecodeError('unexpected EOF');
    return this.toJSON(plan, values);
  }

  private readEntry(f: FieldPlan, r: protobuf.Reader): [string, unknown] {
    const end = r.uint32() + r.pos;
    const kind = f.mapValue as ValueKind;
    let key = '';
    let value: unknown;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 0x0a) key = r.string();
      else if (tag >>> 3 === 2) value = this.readValue(f, kind, r);
      else r.skipType(tag & 7);
    }
    if (value === undefined) value = kind === 'bytes' ? null : this.zero(f, kind);
    return [key, value];
  }

  /** The JSON value of one field occurrence. */
  private readValue(f: FieldPlan, kind: ValueKind, r: protobuf.Reader): unknown {
    switch (kind) {
      case 'string':
        return r.string();
      case 'bool':
        return r.bool();
      case 'int32':
        return r.int32();
      case 'int64':
        return toNumber(r.int64());
      case 'bytes':
        return Buffer.from(r.bytes()).toString('base64');
      case 'message':
      case 'inline': {
        const end = r.uint32() + r.pos;
        return this.readFields(f.message as MessagePlan, r, end);
      }
      default:
        return this.readSpecial(kind, r);
    }
  }

  private readSpecial(kind: Special, r: protobuf.Reader): unknown {
    const end = r.uint32() + r.pos;
    const empty = end === r.pos;
    let n1 = 0;
    let n2 = 0;
    let s1: string | undefined;
    let b1: string | undefined;
    const list: string[] = [];
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === 0x08) n1 = toNumber(r.int64());
      else if (tag === 0x10) n2 = r.int32();
      // Raw JSON read as text straight from the buffer (the same wire form as bytes).
      else if (tag === 0x0a && (kind === 'raw' || kind === 'fields')) b1 = r.string();
      else if (tag === 0x0a) list.push((s1 = r.string()));
      else if (tag === 0x1a) s1 = r.string();
      else r.skipType(tag & 7);
    }
    switch (kind) {
      case 'time':
        // An empty Time is Go's zero time; {seconds: 0} is the Unix epoch. Nanos are dropped, as Go does.
        return empty ? null : timeJSON(n1, 0, false);
      case 'microtime':
        return empty ? null : timeJSON(n1, n2, true);
      case 'raw':
      case 'fields':
        if (b1 === undefined) return null;
        try {
          return JSON.parse(b1) as unknown;
        } catch (err) {
          throw new ProtobufDecodeError(`invalid JSON in an embedded object: ${(err as Error).message}`);
        }
      case 'verbs':
        return list;
      case 'quantity':
        return s1 ?? '0';
      case 'intorstring':
        return n1 === 1 ? (s1 ?? '') : n2;
    }
  }

  /** What Go's JSON writes for a field whose protobuf was absent (its zero value). */
  private zero(f: FieldPlan, kind: ValueKind): unknown {
    switch (kind) {
      case 'string':
        return '';
      case 'bool':
        return false;
      case 'int32':
      case 'int64':
        return 0;
      case 'message':
      case 'inline':
        return this.toJSON(f.message as MessagePlan, []);
      case 'quantity':
        return '0';
      case 'intorstring':
        return 0;
      default:
        // bytes, Time, MicroTime, RawExtension, FieldsV1: null.
        return null;
    }
  }

  private toJSON(plan: MessagePlan, values: unknown[]): Json {
    const out: Json = {};
    for (const f of plan.fields) {
      const v = values[f.index];
      if (f.kind === 'inline') {
        Object.assign(out, v ?? this.zero(f, 'inline'));
        continue;
      }
      if (f.repeated || f.mapValue || f.kind === 'verbs') {
        // Nil and empty slices and maps look the same in protobuf: Go decodes them to nil.
        const empty = v === undefined || (Array.isArray(v) && v.length === 0);
        if (!empty) out[f.name] = v;
        else if (!f.omitEmpty) out[f.name] = null;
        continue;
      }
      if (v === undefined) {
        if (f.pointer) {
          if (!f.omitEmpty) out[f.name] = null;
          continue;
        }
        const z = this.zero(f, f.kind);
        if (!(f.omitEmpty && isOmittable(f.kind, z)) && !(f.omitZero && z === null)) out[f.name] = z;
        continue;
      }
      if (f.omitEmpty && !f.pointer && isOmittable(f.kind, v)) continue;
      if (f.omitZero && v === null) continue;
      out[f.name] = v;
    }
    return out;
  }
}

/** Scalars, bytes and nil specials are what `omitempty` drops; structs never are. */
function isOmittable(kind: ValueKind, v: unknown): boolean {
  switch (kind) {
    case 'string':
    case 'bytes':
      return v === '' || v === null;
    case 'bool':
      return v === false;
    case 'int32':
    case 'int64':
      return v === 0;
    case 'fields':
      return v === null;
    default:
      return false;
  }
}

function timeJSON(seconds: number, nanos: number, micro: boolean): string | null {
  if (seconds === GO_ZERO_SECONDS && nanos === 0) return null;
  return micro ? formatMicro(seconds, nanos) : formattedTimes.get(seconds, (s) => formatTime(new Date(s * 1000)));
}

function typeMetaOf(obj: object): TypeMeta {
  const o = obj as Json;
  return { apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '', kind: typeof o.kind === 'string' ? o.kind : '' };
}
