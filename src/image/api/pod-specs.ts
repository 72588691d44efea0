// Where the pod spec (and the pod's own metadata) sits in each kind that runs pods: a Pod's
// spec, a workload's spec.template, a CronJob's spec.jobTemplate.spec.template. Shared by image
// lookup (admission) and image change triggers.

export type PodSpecKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

export interface PodSpecLocation {
  /** Path of the pod spec from the object's root. */
  spec: readonly string[];
  /** Path of the pod template's metadata (the Pod's own metadata for a Pod). */
  metadata: readonly string[];
}

const TEMPLATE: PodSpecLocation = { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] };

export const POD_SPEC_LOCATIONS: Readonly<Record<PodSpecKind, PodSpecLocation>> = {
  Pod: { spec: ['spec'], metadata: ['metadata'] },
  Deployment: TEMPLATE,
  StatefulSet: TEMPLATE,
  DaemonSet: TEMPLATE,
  ReplicaSet: TEMPLATE,
  Job: TEMPLATE,
  CronJob: { spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'], metadata: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'] },
};

/** The value at `path`, or undefined when some step is missing or not an object. */
export function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export type ContainerList = 'containers' | 'initContainers';

export interface ContainerImage {
  list: ContainerList;
  index: number;
  name: string;
  image: string;
}

/** The name and image of every container and init container of a pod spec (non-strings as ""). */
export function containerImages(podSpec: unknown): ContainerImage[] {
  const out: ContainerImage[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    const items = valueAt(podSpec, [list]);
    if (!Array.isArray(items)) continue;
    items.forEach((c: unknown, index) => {
      const name = valueAt(c, ['name']);
      const image = valueAt(c, ['image']);
      out.push({ list, index, name: typeof name === 'string' ? name : '', image: typeof image === 'string' ? image : '' });
    });
  }
  return out;
}

/** RFC 6901 pointer of a path. */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
