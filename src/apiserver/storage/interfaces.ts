// The storage contract the generic registry relies on. etcd3/ implements it on etcd, cacher/ wraps it
// to serve reads and watches from memory; keys are
// relative to the configured prefix ("imagestreams/ns/name"), values are API objects whose
// metadata.resourceVersion the storage owns (the etcd mod revision, as a decimal string).

import type { KubeObject } from '../api/types.js';

export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'ResourceVersionConflicts' // CAS lost or precondition mismatch
  | 'InvalidObject'
  | 'Unreachable' // etcd cannot be reached within the deadline
  | 'Timeout'
  | 'Compacted' // the requested revision is no longer available
  | 'TooLargeResourceVersion' // a read asked for a revision newer than etcd has
  | 'RequestTooLarge'
  | 'InvalidContinue'
  | 'Internal';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message: string,
    /** For Compacted on a continued list: the continue token to resume at the latest revision. */
    readonly extra: {
      continueToken?: string;
      currentRevision?: string;
      requestedRevision?: string;
      /** For Compacted from the watch cache: kube-apiserver's cacher text ("too old resource version: N (M)"). */
      tooOld?: string;
    } = {},
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Decides whether an object is part of a list or watch (label and field selectors). */
export type Predicate = (obj: KubeObject) => boolean;

export interface SharedRead {
  /**
   * The caller treats returned objects as read-only, so a storage serving from memory may hand out
   * the object versions every reader shares (see object-version.ts) instead of copies.
   */
  shared?: boolean;
}

export interface GetOptions extends SharedRead {
  /** "" = linearizable read; "0" = any; "N" = not older than N. */
  resourceVersion?: string;
}

export type ResourceVersionMatch = '' | 'NotOlderThan' | 'Exact';

export interface ListOptions extends SharedRead {
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Maximum number of matching items; 0/undefined = all. */
  limit?: number;
  /** Opaque token from a previous page. */
  continue?: string;
  predicate?: Predicate;
  /** True when the predicate is not "everything" (remainingItemCount is then omitted). */
  hasSelector?: boolean;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions extends SharedRead {
  /** "" or "0": send the current state as ADDED first; "N": events after revision N. */
  resourceVersion?: string;
  predicate?: Predicate;
  /**
   * Send the initial state as ADDED events (watch-list); with `resourceVersion` N the snapshot is
   * not older than N. The closing BOOKMARK (initialEventsEnd) is sent only when allowBookmarks is
   * also set, as k8s.io/apiserver does.
   */
  sendInitialEvents?: boolean;
  /** Emit BOOKMARK events (progress) periodically. */
  allowBookmarks?: boolean;
  /** Watch one key only instead of a prefix. */
  singleKey?: boolean;
}

export type StorageWatchEvent =
  /** `key` is the object's storage key ("imagestreams/ns/name"). */
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; key?: string }
  | { type: 'BOOKMARK'; resourceVersion: string; initialEventsEnd?: boolean }
  | { type: 'ERROR'; error: StorageError };

/**
 * A running watch: events in revision order. `stop()` ends it; `events` finishes after stop or error.
 * watch() itself rejects only for invalid input (resourceVersion, key) or a closed storage; every
 * later failure (compacted or too large revision, etcd unreachable, consumer too slow) is one ERROR
 * event, then the end.
 */
export interface WatchStream {
  events: AsyncIterable<StorageWatchEvent>;
  stop(): void;
}

/** Called with the current object (or undefined when absent and allowed); returns the new object. */
export type UpdateFn = (current: KubeObject) => KubeObject | Promise<KubeObject>;

export interface UpdateOptions {
  preconditions?: Preconditions;
  /** When the key is absent: returns the object to create (tryUpdate is not called). Without it: KeyNotFound. */
  createIfMissing?: () => KubeObject | Promise<KubeObject>;
}

export interface DeleteOptions {
  preconditions?: Preconditions;
  /** Last chance to refuse deleting the current object (e.g. finalizers appeared). */
  validateDeletion?: (current: KubeObject) => void | Promise<void>;
}

export interface Lease {
  id: string;
  /** Stops keep-alives and revokes the lease (its keys vanish). */
  revoke(): Promise<void>;
}

export interface Storage {
  create(key: string, obj: KubeObject, opts?: { lease?: Lease }): Promise<KubeObject>;
  get(key: string, opts?: GetOptions): Promise<KubeObject>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * Read, apply tryUpdate, compare-and-swap on the mod revision, retry on a lost race.
   * If tryUpdate returns an object that serializes identically, nothing is written.
   */
  guaranteedUpdate(key: string, tryUpdate: UpdateFn, opts?: UpdateOptions): Promise<KubeObject>;
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject>;
  watch(keyOrPrefix: string, opts?: WatchOptions): Promise<WatchStream>;
  /** Grants a lease kept alive until revoked or the process dies. */
  grantLease(ttlSeconds: number): Promise<Lease>;
  /**
   * The resourceVersion of the object at `key` (undefined when absent), from a linearizable read of
   * the key without its value: lets a cache prove its copy is current at the cost of a tiny read.
   */
  version?(key: string): Promise<string | undefined>;
  /** The current etcd revision (a linearizable read of the header). */
  currentRevision(): Promise<string>;
  /** Fails (rejects) when etcd cannot serve a linearizable read within the deadline. */
  healthCheck(): Promise<void>;
  close(): Promise<void>;
}
