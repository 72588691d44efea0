// The facade other image resources use to read and write Images through the Image store (full
// Image strategy: metadata derivation, validation, admission), plus bounded parallel reads so a
// stream's images are fetched together instead of one after another.

import { errors, StatusError } from '../../../apiserver/errors/index.js';
import type { Store } from '../../../apiserver/registry/store.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import type { Image } from '../../api/types.js';

export type ImageMutation = (current: Image) => Image | Promise<Image>;

/** How many image reads one request runs at a time. */
export const DEFAULT_IMAGE_READ_CONCURRENCY = 16;

const clusterScoped = (ctx: RequestContext): RequestContext => ({ ...ctx, namespace: '' });

/** The image as the facade hands it out: without kind and apiVersion. */
function withoutType(obj: Image): Image {
  const image = { ...obj };
  delete image.kind;
  delete image.apiVersion;
  return image;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

export class ImageRegistry {
  constructor(
    private readonly store: Store<Image>,
    private readonly concurrency = DEFAULT_IMAGE_READ_CONCURRENCY,
  ) {}

  /** `resourceVersion` "0" lets any etcd member answer (a possibly slightly stale, cheaper read). */
  async get(ctx: RequestContext, name: string, resourceVersion?: string): Promise<Image> {
    return withoutType(await this.store.get(clusterScoped(ctx), name, { resourceVersion }));
  }

  /**
   * Each distinct name once; absent images map to undefined (other failures reject). Reads need
   * not be linearizable: openshift-apiserver answers these from an informer cache.
   */
  async getMany(ctx: RequestContext, names: Iterable<string>): Promise<Map<string, Image | undefined>> {
    const unique = [...new Set(names)].filter(Boolean);
    const found = await mapBounded(unique, this.concurrency, async (name) => {
      try {
        return await this.get(ctx, name, '0');
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) return undefined;
        throw err;
      }
    });
    return new Map(unique.map((n, i) => [n, found[i]]));
  }

  /** Creates the Image; `created` is false when one of that name already existed (it is left as is). */
  async create(ctx: RequestContext, image: Image): Promise<{ image: Image; created: boolean }> {
    try {
      const res = await this.store.create(clusterScoped(ctx), image, {});
      return { image: withoutType(res.object), created: true };
    } catch (err) {
      if (err instanceof StatusError && err.code === 409 && err.reason === 'AlreadyExists') {
        return { image: await this.get(ctx, image.metadata.name ?? ''), created: false };
      }
      throw err;
    }
  }

  /** Applies `mutate` to the stored Image, again on a newer one if it changed meanwhile. */
  async update(ctx: RequestContext, name: string, mutate: ImageMutation): Promise<Image> {
    const res = await this.store.update(
      clusterScoped(ctx),
      name,
      async (current) => {
        // allowCreateOnUpdate is false for images: the store answers 404 before calling us.
        if (current === undefined) throw errors.notFound({ group: this.store.info.group, resource: this.store.info.resource }, name);
        const image = withoutType(current);
        const next = await mutate(image);
        next.metadata.resourceVersion ??= image.metadata.resourceVersion;
        return next;
      },
      {},
    );
    return withoutType(res.object);
  }
}
