// Shared setup for the storage tests: one real etcd per test file, a fresh key prefix per test, a
// raw etcd3 client for what the Storage interface deliberately cannot do (compaction, bare leases).

import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '../../../src/apiserver/api/types.js';
import type { StorageWatchEvent, WatchStream } from '../../../src/apiserver/storage/interfaces.js';
import { createEtcd3Storage, type Etcd3Storage, type Etcd3StorageOptions } from '../../../src/apiserver/storage/etcd3/index.js';
import { startEtcd, type EtcdHandle } from '../../support/etcd.js';

export interface Harness {
  etcd: EtcdHandle;
  /** A storage under a prefix of its own; closed by teardown(). */
  storage(opts?: Partial<Etcd3StorageOptions>): Etcd3Storage;
  /** A plain etcd3 client on the same etcd. */
  raw: Etcd3;
  /** Compacts etcd history up to the current revision. */
  compact(): Promise<string>;
  teardown(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: [etcd.endpoint] });
  const storages: Etcd3Storage[] = [];
  return {
    etcd,
    raw,
    storage(opts = {}) {
      const s = createEtcd3Storage({
        endpoints: [etcd.endpoint],
        prefix: `/test-${randomBytes(4).toString('hex')}`,
        requestTimeoutMs: 2_000,
        ...opts,
      });
      storages.push(s);
      return s;
    },
    async compact() {
      const rev = (await raw.kv.range({ key: Buffer.from('/') , count_only: true })).header.revision;
      await raw.kv.compact({ revision: rev, physical: true });
      return rev;
    },
    async teardown() {
      await Promise.all(storages.map((s) => s.close()));
      raw.close();
      await etcd.destroy();
    },
  };
}

export function obj(namespace: string, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    ...extra,
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, ...extra.metadata },
  };
}

/** Reads watch events one at a time, failing the test instead of hanging. */
export class EventReader {
  private readonly it: AsyncIterator<StorageWatchEvent>;
  // A next() that timed out stays pending and is reused, so no event is ever consumed twice or lost.
  private pending: Promise<IteratorResult<StorageWatchEvent>> | undefined;
  constructor(readonly stream: WatchStream) {
    this.it = stream.events[Symbol.asyncIterator]();
  }

  async next(timeoutMs = 5_000): Promise<StorageWatchEvent> {
    const r = await this.nextOrEnd(timeoutMs);
    if (r === 'end') throw new Error('watch ended');
    return r;
  }

  async nextOrEnd(timeoutMs = 5_000): Promise<StorageWatchEvent | 'end'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), timeoutMs);
    });
    this.pending ??= this.it.next();
    try {
      const r = await Promise.race([this.pending, timeout]);
      this.pending = undefined;
      return r.done ? 'end' : r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asserts nothing arrives for `ms`. */
  async none(ms: number): Promise<StorageWatchEvent | undefined> {
    try {
      const ev = await this.nextOrEnd(ms);
      return ev === 'end' ? undefined : ev;
    } catch {
      return undefined;
    }
  }
}

/** Compact form of an event for assertions: "ADDED ns/name rv". */
export function summarize(ev: StorageWatchEvent): string {
  switch (ev.type) {
    case 'BOOKMARK':
      return `BOOKMARK ${ev.resourceVersion}${ev.initialEventsEnd ? ' end' : ''}`;
    case 'ERROR':
      return `ERROR ${ev.error.code}`;
    default:
      return `${ev.type} ${ev.object.metadata.namespace}/${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
