// Image change triggers in a cluster: the controller reads streams from our storage and watches
// and patches the host's workloads; metrics count the triggers written and the failures.

import type { Logger } from 'pino';
import type { HostCluster } from '../apiserver/hostcluster/types.js';
import { labeledCounter, type MetricsRegistry } from '../apiserver/metrics/index.js';
import { TriggerController } from '../image/controllers/trigger-controller.js';
import type { StreamSource } from '../image/controllers/stream-source.js';
import type { WorkloadSource } from '../image/controllers/workload-source.js';

export function hostWorkloads(host: HostCluster): WorkloadSource {
  return {
    watch: (resource, handlers) => host.watchWorkloads(resource, handlers),
    patch: (resource, namespace, name, patch) => host.patchWorkload(resource, namespace, name, patch),
    event: (e) => host.createEvent(e),
  };
}

export function imageTriggerController(host: HostCluster, streams: StreamSource, registry: MetricsRegistry, logger: Logger): TriggerController {
  const applied = labeledCounter(registry, 'image_trigger_controller_triggers_applied_total', 'Image change triggers written into workloads, by workload resource.', ['resource']);
  const failed = labeledCounter(registry, 'image_trigger_controller_triggers_failed_total', 'Image change triggers that could not be written into workloads (retried), by workload resource.', ['resource']);
  return new TriggerController({
    streams,
    workloads: hostWorkloads(host),
    metrics: { applied: (resource, n) => applied.inc({ resource }, n), failed: (resource, n) => failed.inc({ resource }, n) },
    logger,
  });
}
