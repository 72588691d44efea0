// A Store's watch: storage events as API watch events, each shared object version encoded once.

import type { GroupResource, ObjectMeta, Status, KubeObject } from '../api/types.js';
import { errors, StatusError } from '../errors/index.js';
import type { StorageWatchEvent, WatchStream } from '../storage/interfaces.js';
import { encodingsOf } from '../storage/object-version.js';
import type { APIWatchEvent } from './rest.js';
import { toStatusError } from './storage-errors.js';
import { parseEncoded, type StorePresenter } from './store-presenter.js';

export async function* watchEvents<T extends KubeObject>(stream: WatchStream, presenter: StorePresenter<T>, kind: string, gr: GroupResource): AsyncGenerator<APIWatchEvent> {
  const apiVersion = presenter.apiVersion;
  for await (const ev of stream.events as AsyncIterable<StorageWatchEvent>) {
    if (ev.type === 'BOOKMARK') {
      const metadata: ObjectMeta = { resourceVersion: ev.resourceVersion };
      if (ev.initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      yield { type: 'BOOKMARK', object: { kind, apiVersion, metadata } };
    } else if (ev.type === 'ERROR') {
      const mapped = toStatusError(ev.error, gr, '', 'watch');
      const status: Status = mapped instanceof StatusError ? mapped.status : errors.internal(String(ev.error.message)).status;
      yield { type: 'ERROR', object: status };
      return;
    } else if (encodingsOf(ev.object) !== undefined) {
      // Shared by every watcher: the encoding is made once; an object only for those that need one.
      const bytes = presenter.json(ev.object);
      let parsed: KubeObject | undefined;
      yield {
        type: ev.type,
        json: bytes,
        get object(): KubeObject {
          parsed ??= parseEncoded(bytes);
          return parsed;
        },
      };
    } else {
      yield { type: ev.type, object: presenter.present(ev.object) };
    }
  }
}
