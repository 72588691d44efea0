// How a Store's objects look to clients and in storage: kind and apiVersion set, computed fields
// decorated, and the JSON of a shared object version made once and kept with it.

import type { KubeList, KubeObject } from '../api/types.js';
import { isObject } from '../api/types.js';
import { encodingsOf } from '../storage/object-version.js';
import { asKind, type ResourceInfo, type Strategy } from './strategy.js';
import { dropEmptyMetadata } from './omitempty-metadata.js';

const clone = <T>(v: T): T => structuredClone(v);
const OPEN_BRACE = Buffer.from('{');
const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']}');

/** An object back from JSON this presenter encoded. */
export const parseEncoded = (bytes: Buffer): KubeObject => JSON.parse(bytes.toString()) as KubeObject;

export class StorePresenter<T extends KubeObject> {
  readonly apiVersion: string;
  /**
   * Names this store's presentation in the encoding memo of shared object versions; an encoding is
   * kept under "<view>|<content type>" (JSON now; another content type can be added the same way).
   */
  private readonly view: string;
  /** How the JSON of a presented object starts; a list item is the same bytes without it. */
  private readonly typeHead: Buffer;

  constructor(
    private readonly info: ResourceInfo,
    private readonly strategy: Strategy<T>,
    subresource: string | undefined,
  ) {
    this.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    this.view = `${info.resource}/${subresource ?? ''}/${strategy.constructor.name}`;
    this.typeHead = Buffer.from(`{"kind":${JSON.stringify(info.kind)},"apiVersion":${JSON.stringify(this.apiVersion)},`);
  }

  /** What a client sees: kind/apiVersion set, computed fields decorated. */
  present(obj: KubeObject): T {
    if (isObject(obj.metadata)) dropEmptyMetadata(obj.metadata);
    this.strategy.decorate?.(asKind<T>(obj));
    return this.typed(obj);
  }

  /** `obj` with this kind and apiVersion first. */
  private typed(obj: KubeObject): T {
    const { kind: _k, apiVersion: _a, ...rest } = obj;
    return asKind<T>({ kind: this.info.kind, apiVersion: this.apiVersion, ...rest, metadata: obj.metadata });
  }

  /** The presented JSON of `obj`; for a shared version made once and kept with it. */
  json(obj: KubeObject): Buffer {
    const memo = encodingsOf(obj);
    if (memo === undefined) return Buffer.from(JSON.stringify(this.present(obj)));
    return memo.encoded(`${this.view}|application/json`, () => Buffer.from(JSON.stringify(this.present(clone(obj)))));
  }

  /** The JSON of `obj` as a list item (no kind and apiVersion), in pieces that share the kept bytes. */
  private itemJSON(obj: KubeObject): Buffer[] {
    const full = this.json(obj);
    const head = this.typeHead;
    if (full.length > head.length && full.subarray(0, head.length).equals(head)) return [OPEN_BRACE, full.subarray(head.length)];
    const { kind: _k, apiVersion: _a, ...rest } = parseEncoded(full);
    return [Buffer.from(JSON.stringify(rest))];
  }

  /** A presented object the caller owns: shared versions are copied through their encoding. */
  owned(obj: KubeObject): T {
    return encodingsOf(obj) === undefined ? this.present(obj) : asKind<T>(parseEncoded(this.json(obj)));
  }

  /** A list item the caller owns (no kind and apiVersion). */
  listItem(obj: KubeObject): T {
    if (encodingsOf(obj) !== undefined) return asKind<T>(parseEncoded(Buffer.concat(this.itemJSON(obj))));
    this.strategy.decorate?.(asKind<T>(obj));
    const { kind: _k, apiVersion: _a, ...rest } = obj;
    return asKind<T>({ ...rest, metadata: obj.metadata });
  }

  /** A list as JSON: the envelope around each item's kept encoding. */
  listJSON(metadata: KubeList['metadata'], items: readonly KubeObject[]): Buffer {
    const head = `{"kind":${JSON.stringify(this.info.listKind)},"apiVersion":${JSON.stringify(this.apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[`;
    const parts: Buffer[] = [Buffer.from(head)];
    items.forEach((o, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(...this.itemJSON(o));
    });
    parts.push(CLOSE_LIST);
    return Buffer.concat(parts);
  }

  /** The form written to storage: kind/apiVersion set, empty metadata maps dropped. */
  forStorage(obj: T): T {
    dropEmptyMetadata(obj.metadata);
    return this.typed(obj);
  }
}
