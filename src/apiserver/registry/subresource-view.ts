// A view of stores that exposes only some verbs, installed as "<resource>/<name>".

import type { RESTStorage } from './rest.js';
import type { Store } from './store.js';

/** Reads through `getFrom` and writes through `updateWith` (e.g. the status subresource: get, update). */
export function subresourceView(name: string, getFrom: Store, updateWith: Store): RESTStorage {
  return {
    info: getFrom.info,
    subresource: name,
    get: (ctx, n, o) => getFrom.get(ctx, n, o),
    update: (ctx, n, transform, o) => updateWith.update(ctx, n, transform, o),
  };
}
