// A view of stores that exposes only some verbs, installed as "<resource>/<name>".

import type { KubeObject } from '../api/types.js';
import type { RESTStorage } from './rest.js';
import type { Store } from './store.js';

/** Reads through `getFrom` and writes through `updateWith` (e.g. the status subresource: get, update). */
export function subresourceView<T extends KubeObject>(name: string, getFrom: Store<T>, updateWith: Store<T>): RESTStorage {
  return {
    info: getFrom.info,
    subresource: name,
    get: (ctx, n, o) => getFrom.get(ctx, n, o),
    update: (ctx, n, transform, o) => updateWith.update(ctx, n, transform, o),
  };
}
