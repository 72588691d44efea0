// The metrics layer: the only importer of prom-client.

export { APIServerMetrics, REQUEST_BUCKETS, type AuthenticationOutcome } from './apiserver-metrics.js';
export { InstrumentedAuthenticator, InstrumentedAuthorizer } from './instrumented-auth.js';
export { InstrumentedStorage } from './instrumented-storage.js';
export { StorageObjectCounter, type StoredResource } from './object-counter.js';
export { metricsHandler } from './handler.js';
export { labeledCounter, type LabeledCounter } from './counter.js';
export { requestLabels, requestScope, isMutating, type RequestLabels } from './request-labels.js';

import { collectDefaultMetrics, Registry } from 'prom-client';

/** The registry type, so callers can hold one without importing prom-client. */
export type MetricsRegistry = Registry;

/** A fresh registry with the process metrics (CPU, memory, file descriptors, event loop). */
export function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
