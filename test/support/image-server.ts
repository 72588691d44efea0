// The image API against a real etcd, assembled here from its parts (storage, installImageAPI,
// APIServer) so tests can inject collaborators: access checks, pull secrets, LimitRanges, the
// registry allow-list, a history bound. The clients drive the Express app in-process (supertest).
// Users are bearer tokens; every request is authorized (in-API access checks are what the
// injected checker decides).

import { pino } from 'pino';
import type { Authenticator, Authorizer } from '../../src/apiserver/auth/types.js';
import type { UserInfo } from '../../src/apiserver/registry/strategy.js';
import { HealthChecks } from '../../src/apiserver/server/health.js';
import { APIServer } from '../../src/apiserver/server/server.js';
import { createEtcd3Storage } from '../../src/apiserver/storage/etcd3/index.js';
import type { Storage } from '../../src/apiserver/storage/interfaces.js';
import { installImageAPI, type ImageAPI, type ImageAPIConfig } from '../../src/image/install.js';
import { TestClient } from './client.js';
import { startEtcd, type EtcdHandle } from './etcd.js';

export const ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
export const ADMIN_TOKEN = 'admin-token';

export interface ImageTestServerOptions extends Partial<Omit<ImageAPIConfig, 'storage'>> {
  /** Extra bearer tokens and their users. */
  users?: Record<string, UserInfo>;
  /** Share an etcd (and with the same `prefix`, the data) with another server. */
  etcd?: EtcdHandle;
  prefix?: string;
  /** Wraps the storage the API uses (e.g. to count reads). */
  wrapStorage?: (storage: Storage) => Storage;
}

export interface ImageTestServer {
  client: TestClient;
  etcd: EtcdHandle;
  prefix: string;
  /** A client authenticated with another token of `users`. */
  as(token: string): TestClient;
  api: ImageAPI;
  stop(): Promise<void>;
}

export async function startImageTestServer(opts: ImageTestServerOptions = {}): Promise<ImageTestServer> {
  const ownEtcd = opts.etcd === undefined;
  const etcd = opts.etcd ?? (await startEtcd());
  const prefix = opts.prefix ?? `/image-test-${Math.random().toString(36).slice(2)}`;
  const storage = createEtcd3Storage({ endpoints: [etcd.endpoint], prefix });
  const { users = {}, etcd: _e, prefix: _p, wrapStorage, ...config } = opts;
  const api = installImageAPI({ internalRegistryHostname: '', externalRegistryHostname: '', ...config, storage: wrapStorage ? wrapStorage(storage) : storage });
  const tokens = new Map<string, UserInfo>([[ADMIN_TOKEN, ADMIN], ...Object.entries(users)]);
  const authenticator: Authenticator = {
    authenticate: async (req) => {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const user = m ? tokens.get(m[1] ?? '') : undefined;
      return user ? { kind: 'authenticated', user } : { kind: 'error', error: 'unknown token' };
    },
  };
  const authorizer: Authorizer = { authorize: async () => ({ decision: 'allow' }) };
  const server = new APIServer({
    groups: [api.group],
    authenticator,
    authorizer,
    health: new HealthChecks(),
    logger: pino({ level: 'silent' }),
    version: { gitVersion: 'v0.0.0-test' },
    clock: opts.clock,
  });
  const make = (token: string): TestClient => new TestClient({ app: server.app, token });
  return {
    client: make(ADMIN_TOKEN),
    etcd,
    prefix,
    as: make,
    api,
    stop: async () => {
      await storage.close();
      if (ownEtcd) await etcd.destroy();
    },
  };
}
