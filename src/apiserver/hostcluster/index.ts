// The host cluster seam: the contract, the client-node implementation and the in-memory one.

export * from './types.js';
export { KubeHostCluster, loadKubeConfig, type KubeHostClusterOptions } from './client.js';
export { InMemoryHostCluster, type InMemoryHostClusterOptions } from './in-memory.js';
export { WEBHOOK_BACKOFF, type Backoff } from './retry.js';
