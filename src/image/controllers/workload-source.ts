// What the image trigger controller needs of the host cluster: a list+watch of each workload
// collection (raw JSON), JSON Patches of workloads, and Events. The composition root backs it
// with the host-cluster client; the shapes match its wire types.

import { containerImages, POD_SPEC_LOCATIONS, valueAt, type ContainerImage } from '../api/pod-specs.js';
import { TRIGGER_ANNOTATION } from './trigger-annotation.js';

export type WorkloadResource = 'deployments' | 'statefulsets' | 'daemonsets' | 'cronjobs';
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';

export const WORKLOADS: Readonly<Record<WorkloadResource, { kind: WorkloadKind; apiVersion: string }>> = {
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1' },
};

export interface WorkloadWatch {
  hasSynced(): boolean;
  waitForSync(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

export interface WorkloadHandlers {
  replace(items: unknown[]): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: unknown): void;
}

export interface WorkloadPatchOperation {
  op: 'test' | 'replace';
  path: string;
  value: string;
}

export interface WorkloadEvent {
  involvedObject: { apiVersion: string; kind: string; namespace: string; name: string; uid: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
}

export interface WorkloadSource {
  watch(resource: WorkloadResource, handlers: WorkloadHandlers): WorkloadWatch;
  patch(resource: WorkloadResource, namespace: string, name: string, patch: WorkloadPatchOperation[]): Promise<void>;
  event(event: WorkloadEvent): Promise<void>;
}

/** What the controller keeps of a workload: identity, the annotation, the container images. */
export interface TriggeredWorkload {
  resource: WorkloadResource;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /** The triggers annotation; undefined when the workload has none. */
  annotation: string | undefined;
  containers: ContainerImage[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** undefined when `obj` is not a namespaced object. */
export function decodeWorkload(resource: WorkloadResource, obj: unknown): TriggeredWorkload | undefined {
  const name = str(valueAt(obj, ['metadata', 'name']));
  const namespace = str(valueAt(obj, ['metadata', 'namespace']));
  if (!name || !namespace) return undefined;
  const annotation = valueAt(obj, ['metadata', 'annotations', TRIGGER_ANNOTATION]);
  return {
    resource,
    namespace,
    name,
    uid: str(valueAt(obj, ['metadata', 'uid'])),
    resourceVersion: str(valueAt(obj, ['metadata', 'resourceVersion'])),
    annotation: typeof annotation === 'string' ? annotation : undefined,
    // Only annotated workloads need their images; the rest are dropped right away.
    containers: typeof annotation === 'string' ? containerImages(valueAt(obj, POD_SPEC_LOCATIONS[WORKLOADS[resource].kind].spec)) : [],
  };
}
