// What the import controller reads: every namespace's ImageStreams as clients see them, a page at
// a time, and the changes after a list (one watch, not one poll per stream).

import { FieldSelector } from '../../apiserver/api/fields.js';
import { LabelSelector } from '../../apiserver/api/labels.js';
import type { KubeObject } from '../../apiserver/api/types.js';
import type { RESTStorage } from '../../apiserver/registry/rest.js';
import type { RequestContext } from '../../apiserver/registry/strategy.js';
import type { ImageStream } from '../api/types.js';

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

function asStream(obj: KubeObject): ImageStream {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return rest as ImageStream;
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
