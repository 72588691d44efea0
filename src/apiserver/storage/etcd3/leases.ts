// Leases for keys that must vanish with their owner (replica identity, leader election, locks).
// The etcd3 client keeps them alive on its own stream (every ttl/3) and reports a lost lease.

import type { Etcd3, Lease as EtcdLease } from 'etcd3';
import type { Lease } from '../interfaces.js';
import type { Caller, StorageLogger } from './client.js';
import { toStorageError } from './errors.js';

export class LeaseManager {
  private readonly live = new Set<EtcdLease>();

  constructor(
    private readonly client: Etcd3,
    private readonly caller: Caller,
    private readonly logger: StorageLogger,
  ) {}

  async grant(ttlSeconds: number): Promise<Lease> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw toStorageError(new Error(`lease TTL must be a whole number of seconds >= 1, got ${ttlSeconds}`), '');
    }
    const lease = this.client.lease(ttlSeconds);
    lease.on('lost', (err: Error) => {
      this.live.delete(lease);
      this.logger.warn({ err: err.message, ttlSeconds }, 'etcd lease lost; its keys are gone or will be');
    });
    let id: string;
    try {
      // The constructor already sent LeaseGrant (with the client's deadline); a retry would only
      // await the same promise, so this is not run through the caller.
      id = await lease.grant();
    } catch (err) {
      lease.release();
      throw toStorageError(err, '');
    }
    this.live.add(lease);
    return {
      id,
      revoke: async () => {
        this.live.delete(lease);
        // Revoking twice is harmless (etcd3 ignores "lease not found"), so it may be retried.
        await this.caller.call('', () => lease.revoke(), { idempotent: true });
      },
    };
  }

  /** Stops keep-alives without revoking: the leases expire after their TTL. */
  releaseAll(): void {
    for (const lease of this.live) lease.release();
    this.live.clear();
  }
}
