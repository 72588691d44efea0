// A real, throwaway etcd on free loopback ports. Tests fail loudly if it cannot start.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcdProcess } from '../../src/app/etcd-process.js';

export interface EtcdHandle {
  endpoint: string;
  dataDir: string;
  /** Stops the process (data kept); start() brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and deletes the data. */
  destroy(): Promise<void>;
}

export async function startEtcd(): Promise<EtcdHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'etcd-test-'));
  const proc = await startEtcdProcess({ dataDir, binary: process.env.ETCD_BIN });
  return {
    endpoint: proc.endpoint,
    dataDir,
    stop: proc.stop,
    start: proc.start,
    destroy: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Compacts etcd's history up to its current revision (older resourceVersions become too old). */
export async function compactToHead(endpoint: string): Promise<void> {
  const etcd = new Etcd3({ hosts: endpoint });
  try {
    const head = await etcd.get('nothing').exec();
    await etcd.kv.compact({ revision: head.header.revision, physical: true });
  } finally {
    etcd.close();
  }
}
