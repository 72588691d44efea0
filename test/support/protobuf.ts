// A protobuf client as client-go is one, independent of the server's codec: protobufjs reflection
// over the same descriptor facts encodes request bodies and decodes responses and watch frames.

import type { IncomingMessage } from 'node:http';
import protobuf from 'protobufjs';
import { buildRoot } from '../../src/apiserver/api/protobuf/descriptors.js';
import { META_MESSAGES } from '../../src/apiserver/api/protobuf/meta.js';
import { imageProtobuf } from '../../src/image/api/protobuf.js';

export const CLIENT_GO_ACCEPT = 'application/vnd.kubernetes.protobuf, application/json';
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const root = buildRoot([META_MESSAGES, imageProtobuf.messages]);
const MAGIC = Buffer.from('k8s\x00', 'latin1');
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const IMAGE = 'github.com.openshift.api.image.v1.';

export type Message = Record<string, unknown>;

function type(name: string): protobuf.Type {
  return root.lookupType(name.includes('.') ? name : `${IMAGE}${name}`);
}

/** The message type of an envelope's kind, as client-go's scheme resolves it. */
export function messageType(apiVersion: string, kind: string): string {
  return apiVersion.startsWith('image.openshift.io/') && root.lookup(`${IMAGE}${kind}`) ? `${IMAGE}${kind}` : `${META}${kind}`;
}

export interface Envelope {
  apiVersion: string;
  kind: string;
  /** Decoded with protobufjs: present fields only, int64 as numbers, bytes as Buffers. */
  object: Message;
  /** The object's message. */
  raw: Buffer;
  /** The whole enveloped object. */
  bytes: Buffer;
}

export function isEnveloped(body: Buffer): boolean {
  return body.length >= 4 && MAGIC.equals(body.subarray(0, 4));
}

export function decodeEnvelope(body: Buffer): Envelope {
  if (!isEnveloped(body)) throw new Error(`not a protobuf envelope: ${body.subarray(0, 40).toString()}`);
  const unknown = type('k8s.io.apimachinery.pkg.runtime.Unknown').decode(body.subarray(4)) as unknown as { typeMeta: { apiVersion: string; kind: string }; raw: Uint8Array };
  const { apiVersion, kind } = unknown.typeMeta;
  const raw = Buffer.from(unknown.raw);
  return { apiVersion, kind, raw, bytes: body, object: decodeAs(messageType(apiVersion, kind), raw) };
}

export function decodeAs(typeName: string, bytes: Uint8Array): Message {
  const t = type(typeName);
  return t.toObject(t.decode(bytes), { longs: Number, bytes: Buffer, defaults: false }) as Message;
}

/** `k8s\x00` + Unknown{typeMeta, raw}, from a message in protobufjs's object form. */
export function envelope(apiVersion: string, kind: string, object: Message): Buffer {
  const t = type(messageType(apiVersion, kind));
  const err = t.verify(object);
  if (err) throw new Error(`${kind}: ${err}`);
  return wrap(apiVersion, kind, t.encode(t.fromObject(object)).finish());
}

/** An envelope around any bytes. */
export function wrap(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = type('k8s.io.apimachinery.pkg.runtime.Unknown');
  const body = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([MAGIC, body]);
}

export interface WatchFrame {
  type: string;
  object: Envelope;
}

/** Splits a protobuf watch body into its length-prefixed WatchEvent frames. */
export function splitFrames(body: Buffer): { frames: WatchFrame[]; rest: Buffer } {
  const frames: WatchFrame[] = [];
  let off = 0;
  while (body.length - off >= 4) {
    const len = body.readUInt32BE(off);
    if (body.length - off - 4 < len) break;
    const ev = decodeAs(`${META}WatchEvent`, body.subarray(off + 4, off + 4 + len)) as { type: string; object: { raw: Buffer } };
    frames.push({ type: ev.type, object: decodeEnvelope(Buffer.from(ev.object.raw)) });
    off += 4 + len;
  }
  return { frames, rest: body.subarray(off) };
}

/** Reads frames of a protobuf watch as they arrive. */
export class ProtobufWatch {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly frames: WatchFrame[] = [];
  private wake?: () => void;
  ended = false;

  constructor(readonly res: IncomingMessage) {
    res.on('data', (chunk: Buffer) => {
      const { frames, rest } = splitFrames(Buffer.concat([this.buffer, chunk]));
      this.buffer = rest;
      this.frames.push(...frames);
      this.wake?.();
    });
    const end = (): void => {
      this.ended = true;
      this.wake?.();
    };
    res.on('end', end);
    res.on('close', end);
    // In-process responses come paused (see TestClient); over TLS this is a no-op.
    res.resume();
  }

  async take(count: number, timeoutMs = 10_000): Promise<WatchFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.frames.splice(0, count);
  }

  stop(): void {
    this.res.destroy();
  }
}
