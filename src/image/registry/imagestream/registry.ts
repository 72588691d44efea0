// The facade other image resources use to read and write ImageStreams: reads as clients see them
// (decorated), writes through the internal strategy (spec and status at once) or the status
// strategy. Never the storage directly, so every write gets the full ImageStream rules.

import type { KubeList } from '../../../apiserver/api/types.js';
import type { ListParams } from '../../../apiserver/registry/rest.js';
import { errors } from '../../../apiserver/errors/index.js';
import type { Store } from '../../../apiserver/registry/store.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import type { ImageStream } from '../../api/types.js';

/** Builds the stream to store from the stored one; keep its resourceVersion to fail on a race. */
export type StreamMutation = (current: ImageStream) => ImageStream | Promise<ImageStream>;

export interface ImageStreamRegistryStores {
  /** imagestreams: get and list as clients see them. */
  main: Store<ImageStream>;
  /** Not exposed: create and update with spec and status in one call. */
  internal: Store<ImageStream>;
  /** imagestreams/status. */
  status: Store<ImageStream>;
  /** What reads show (computed repositories): streams handed to mutations look the same. */
  decorate?: (stream: ImageStream) => void;
}

const inNamespace = (ctx: RequestContext, namespace: string): RequestContext => ({ ...ctx, namespace });

/** The stream as the facade hands it out: without kind and apiVersion. */
function withoutType(obj: ImageStream): ImageStream {
  const stream = { ...obj };
  delete stream.kind;
  delete stream.apiVersion;
  return stream;
}

export class ImageStreamRegistry {
  constructor(private readonly stores: ImageStreamRegistryStores) {}

  async get(ctx: RequestContext, namespace: string, name: string): Promise<ImageStream> {
    return withoutType(await this.stores.main.get(inNamespace(ctx, namespace), name, {}));
  }

  /** One list call; limit and continue apply to streams. */
  async list(ctx: RequestContext, namespace: string, params: ListParams): Promise<KubeList<ImageStream>> {
    const list = await this.stores.main.list(inNamespace(ctx, namespace), params);
    return { ...list, items: list.items.map(withoutType) };
  }

  async create(ctx: RequestContext, stream: ImageStream): Promise<ImageStream> {
    const ns = stream.metadata.namespace ?? ctx.namespace;
    const res = await this.stores.internal.create(inNamespace(ctx, ns), stream, {});
    return withoutType(res.object);
  }

  /**
   * Applies `mutate` to the stored stream (a fresh, decorated copy on every attempt). The result is written
   * only if the stream has not changed since, else `mutate` runs again on the newer one; a result
   * carrying an older resourceVersion fails with 409 instead.
   */
  async update(ctx: RequestContext, namespace: string, name: string, mutate: StreamMutation): Promise<ImageStream> {
    return this.write(this.stores.internal, ctx, namespace, name, mutate);
  }

  /** Like update, through imagestreams/status: spec stays as stored. */
  async updateStatus(ctx: RequestContext, namespace: string, name: string, mutate: StreamMutation): Promise<ImageStream> {
    return this.write(this.stores.status, ctx, namespace, name, mutate);
  }

  private async write(store: Store<ImageStream>, ctx: RequestContext, namespace: string, name: string, mutate: StreamMutation): Promise<ImageStream> {
    const res = await store.update(
      inNamespace(ctx, namespace),
      name,
      async (current) => {
        // allowCreateOnUpdate is false for streams: the store answers 404 before calling us.
        if (current === undefined) throw errors.notFound({ group: store.info.group, resource: store.info.resource }, name);
        const stream = withoutType(current);
        this.stores.decorate?.(stream);
        const next = await mutate(stream);
        next.metadata.resourceVersion ??= stream.metadata.resourceVersion;
        return next;
      },
      {},
    );
    return withoutType(res.object);
  }
}
