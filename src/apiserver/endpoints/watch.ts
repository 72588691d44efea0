// Streams watch events: headers flushed at once, one JSON object per line (or, in protobuf, one
// length-prefixed WatchEvent frame), each written as it comes; backpressure respected; ends on
// timeout, client disconnect, or an ERROR event.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtobufCodec } from '../api/protobuf/codec.js';
import type { KubeObject } from '../api/types.js';
import type { APIWatch, APIWatchEvent, RESTStorage } from '../registry/rest.js';
import { PROTOBUF_WATCH, type OutputKind } from './negotiation.js';
import { toPartial, toTable, type IncludeObject } from './response.js';

const LINE_END = Buffer.from('}\n');
const EVENT_HEAD = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
};

export interface ServeWatchOptions {
  timeoutSeconds: number;
  output: OutputKind;
  includeObject: IncludeObject;
  allowBookmarks: boolean;
  now: () => Date;
  onEvent?: (type: string, bytes: number) => void;
  /** The group's protobuf codec, for protobuf output. */
  codec?: ProtobufCodec;
}

export async function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  storage: RESTStorage,
  watch: APIWatch,
  opts: ServeWatchOptions,
): Promise<void> {
  const protobuf = opts.codec !== undefined && (opts.output.kind === 'protobuf' || (opts.output.kind === 'partial' && opts.output.protobuf === true));
  res.writeHead(200, {
    'Content-Type': protobuf ? PROTOBUF_WATCH : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let closed = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    watch.stop();
  };
  const timer = setTimeout(finish, opts.timeoutSeconds * 1000);
  timer.unref();
  req.on('close', finish);
  res.on('close', finish);

  let firstTable = true;
  const encode = (ev: APIWatchEvent): { type: string; object: object } => {
    if (ev.type === 'ERROR') return ev;
    const o = opts.output;
    if (ev.type === 'BOOKMARK') {
      if (o.kind === 'partial') return { type: ev.type, object: toPartial(ev.object, o.version) };
      return ev;
    }
    if (o.kind === 'partial') return { type: ev.type, object: toPartial(ev.object, o.version) };
    if (o.kind === 'table') {
      const obj: KubeObject = ev.object;
      const table = toTable(storage, [obj], { resourceVersion: obj.metadata.resourceVersion }, o.version, opts.includeObject, opts.now(), firstTable);
      firstTable = false;
      return { type: ev.type, object: table };
    }
    return { type: ev.type, object: ev.object };
  };
  /** Writes one line of the stream; plain JSON reuses the object's kept encoding when it has one. */
  const write = (ev: APIWatchEvent): { ok: boolean; bytes: number } => {
    if (opts.output.kind === 'json' && 'json' in ev && ev.json !== undefined) {
      const head = EVENT_HEAD[ev.type];
      res.cork();
      res.write(head);
      res.write(ev.json);
      const ok = res.write(LINE_END);
      res.uncork();
      return { ok, bytes: head.length + ev.json.length + LINE_END.length };
    }
    const event = encode(ev);
    const line = protobuf ? (opts.codec as ProtobufCodec).watchFrame(event.type, (opts.codec as ProtobufCodec).encode(event.object)) : JSON.stringify(event) + '\n';
    return { ok: res.write(line), bytes: line.length };
  };

  try {
    for await (const ev of watch.events) {
      if (closed) break;
      if (ev.type === 'BOOKMARK' && !opts.allowBookmarks) continue;
      const { ok, bytes } = write(ev);
      opts.onEvent?.(ev.type, bytes);
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (ev.type === 'ERROR') break;
    }
  } finally {
    clearTimeout(timer);
    finish();
    if (!res.writableEnded) res.end();
  }
}
