// Turns storage failures into the Status a client of kube-apiserver would see for the same verb.

import type { GroupResource } from '../api/types.js';
import { errors, StatusError } from '../errors/index.js';
import { StorageError } from '../storage/interfaces.js';

export type Operation = 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete';

const LIST_TOO_OLD = 'The resourceVersion for the provided list is too old.';
const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export function toStatusError(err: unknown, gr: GroupResource, name: string, op: Operation, continued = false): unknown {
  if (!(err instanceof StorageError)) return err;
  switch (err.code) {
    case 'KeyNotFound':
      return errors.notFound(gr, name);
    case 'KeyExists':
      return errors.alreadyExists(gr, name);
    case 'ResourceVersionConflicts':
      return errors.conflict(gr, name, err.message);
    case 'Compacted': {
      if (op === 'watch') return errors.expired(err.extra.tooOld ?? 'The resourceVersion for the provided watch is too old.');
      if (continued) {
        const e = errors.expired(CONTINUE_TOO_OLD);
        if (err.extra.continueToken) e.status.metadata = { continue: err.extra.continueToken };
        return e;
      }
      return errors.expired(LIST_TOO_OLD);
    }
    case 'TooLargeResourceVersion': {
      const e = errors.timeout(`Too large resource version: ${err.extra.requestedRevision ?? '?'}, current: ${err.extra.currentRevision ?? '?'}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
      return e;
    }
    case 'InvalidContinue':
      return errors.badRequest(`invalid continue token: ${err.message}`);
    case 'RequestTooLarge':
      // etcd's own limit (--max-request-bytes), not the request body limit: say so in etcd's words.
      return errors.requestEntityTooLarge(err.message.replace(/^\d+ [A-Z_]+: /, ''));
    case 'Unreachable':
      return errors.serviceUnavailable(`storage is unavailable: ${err.message}`);
    case 'Timeout':
      return errors.timeout(`request did not complete within the storage deadline: ${err.message}`);
    case 'InvalidObject':
      // The storage rejects malformed input (e.g. an unparseable resourceVersion) with the API text.
      return errors.badRequest(err.message);
    case 'Internal':
      return errors.internal(err.message);
  }
}

/** Rethrows storage errors as StatusErrors; anything else passes through unchanged. */
export function rethrow(err: unknown, gr: GroupResource, name: string, op: Operation, continued = false): never {
  const mapped = toStatusError(err, gr, name, op, continued);
  if (mapped instanceof StatusError) throw mapped;
  throw mapped;
}
