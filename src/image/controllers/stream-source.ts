// What the import controller reads: every namespace's ImageStreams as clients see them, a page at
// a time, and the changes after a list (one watch, not one poll per stream).

import { FieldSelector } from '../../apiserver/api/fields.js';
import { LabelSelector } from '../../apiserver/api/labels.js';
import type { KubeObject } from '../../apiserver/api/types.js';
import type { RESTStorage } from '../../apiserver/registry/rest.js';
import { asKind, type RequestContext } from '../../apiserver/registry/strategy.js';
import type { ImageStream } from '../api/types.js';
import { pause } from '../../apiserver/util/pause.js';

export type StreamEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; stream: ImageStream }
  | { type: 'BOOKMARK' }
  /** The watch cannot go on (e.g. its revision was compacted): list again. */
  | { type: 'ERROR'; message: string };

export interface StreamPage {
  items: ImageStream[];
  /** The revision the first page was read at (later pages are consistent with it). */
  resourceVersion: string;
  continue?: string;
}

export interface StreamSource {
  list(opts: { limit: number; continue?: string }): Promise<StreamPage>;
  get(namespace: string, name: string): Promise<ImageStream>;
  /** Changes after `resourceVersion`, until stopped or an ERROR. */
  watch(resourceVersion: string): Promise<{ events: AsyncIterable<StreamEvent>; stop(): void }>;
}

/** An object of the imagestreams storage, without kind and apiVersion. */
function asStream(obj: KubeObject): ImageStream {
  const stream = asKind<ImageStream>({ ...obj });
  delete stream.kind;
  delete stream.apiVersion;
  return stream;
}

/** A StreamSource on the imagestreams storage, read as `ctx.user` across all namespaces. */
export function storageStreamSource(store: Required<Pick<RESTStorage, 'list' | 'watch' | 'get'>>, ctx: RequestContext): StreamSource {
  const everywhere: RequestContext = { ...ctx, namespace: '' };
  const selectors = { labelSelector: LabelSelector.everything(), fieldSelector: FieldSelector.everything() };
  return {
    async list({ limit, continue: token }) {
      const list = await store.list(everywhere, { ...selectors, limit, ...(token ? { continue: token } : {}) });
      const page: StreamPage = { items: list.items.map(asStream), resourceVersion: list.metadata.resourceVersion ?? '' };
      if (list.metadata.continue) page.continue = list.metadata.continue;
      return page;
    },
    async get(namespace, name) {
      return asStream(await store.get({ ...ctx, namespace }, name, {}));
    },
    async watch(resourceVersion) {
      const w = await store.watch(everywhere, { ...selectors, resourceVersion, allowWatchBookmarks: true, sendInitialEvents: false });
      async function* events(): AsyncIterable<StreamEvent> {
        for await (const ev of w.events) {
          if (ev.type === 'ERROR') yield { type: 'ERROR', message: ev.object.message ?? 'watch failed' };
          else if (ev.type === 'BOOKMARK') yield { type: 'BOOKMARK' };
          else yield { type: ev.type, stream: asStream(ev.object) };
        }
      }
      return { events: events(), stop: () => w.stop() };
    },
  };
}

/** Lists every stream, a page at a time, handing each to `each`; returns the revision of the list. */
export async function listAllStreams(source: StreamSource, pageSize: number, each: (stream: ImageStream) => void): Promise<string> {
  let token: string | undefined;
  let revision = '';
  do {
    const page = await source.list({ limit: pageSize, ...(token ? { continue: token } : {}) });
    revision ||= page.resourceVersion;
    for (const s of page.items) each(s);
    token = page.continue;
  } while (token);
  return revision;
}

export interface FollowOptions {
  /** A full listing; returns the revision the watch starts from. */
  list(): Promise<string>;
  /** Each change after it. */
  change(type: 'ADDED' | 'MODIFIED' | 'DELETED', stream: ImageStream): void;
  /** The watch ended (e.g. its revision was compacted); a new listing follows. */
  ended?(message: string): void;
  /** Listing or watching failed; retried after retryMs. */
  failed(err: unknown): void;
  retryMs: number;
  signal: AbortSignal;
}

/** List, then watch from that revision; list again whenever the watch ends, until `signal` aborts. */
export async function followStreams(source: StreamSource, o: FollowOptions): Promise<void> {
  while (!o.signal.aborted) {
    try {
      const watch = await source.watch(await o.list());
      const stop = (): void => watch.stop();
      o.signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const ev of watch.events) {
          if (ev.type === 'ERROR') {
            o.ended?.(ev.message);
            break;
          }
          if (ev.type !== 'BOOKMARK') o.change(ev.type, ev.stream);
        }
      } finally {
        watch.stop();
        o.signal.removeEventListener('abort', stop);
      }
    } catch (err) {
      if (o.signal.aborted) return;
      o.failed(err);
      await pause(o.retryMs, o.signal);
    }
  }
}
