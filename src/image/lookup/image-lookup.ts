// Image lookup for objects that run pods (the mutating admission webhook's logic): every container
// and init container image that names a local image stream (see resolve.ts) is replaced by the
// pull spec it resolves to, as JSON Patch operations on the object as it was sent. Objects a
// controller owns are skipped (their template was resolved when the owner was admitted), as
// OpenShift's ImagePolicy admission does; so are Job updates (a Job's template is immutable).

import { containerImages, jsonPointer, POD_SPEC_LOCATIONS, valueAt, type PodSpecKind } from '../api/pod-specs.js';
import { localName, resolveInStream, RESOLVE_NAMES_ANNOTATION, type LocalName, type StreamGetter } from './resolve.js';

export interface JSONPatchOperation {
  op: 'replace';
  path: string;
  value: string;
}

/** group/resource of each admitted resource -> the kind whose pod spec it carries. */
const KIND_OF_RESOURCE = new Map<string, PodSpecKind>([
  ['/pods', 'Pod'],
  ['apps/deployments', 'Deployment'],
  ['apps/statefulsets', 'StatefulSet'],
  ['apps/daemonsets', 'DaemonSet'],
  ['apps/replicasets', 'ReplicaSet'],
  ['batch/jobs', 'Job'],
  ['batch/cronjobs', 'CronJob'],
]);

export interface LookupRequest {
  group: string;
  resource: string;
  subResource?: string;
  operation: string;
  namespace: string;
  object: unknown;
}

function annotationOf(metadata: unknown): string | undefined {
  const v = valueAt(metadata, ['annotations', RESOLVE_NAMES_ANNOTATION]);
  return typeof v === 'string' ? v : undefined;
}

function controlled(obj: unknown): boolean {
  const refs = valueAt(obj, ['metadata', 'ownerReferences']);
  return Array.isArray(refs) && refs.some((r: unknown) => valueAt(r, ['controller']) === true);
}

/** The JSON Patch that resolves the request's image names; [] when nothing changes. */
export async function imageLookupPatch(req: LookupRequest, getStream: StreamGetter): Promise<JSONPatchOperation[]> {
  const kind = KIND_OF_RESOURCE.get(`${req.group}/${req.resource}`);
  if (!kind || req.subResource || !req.namespace) return [];
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return [];
  if (req.operation === 'UPDATE' && kind === 'Job') return [];
  if (controlled(req.object)) return [];
  const where = POD_SPEC_LOCATIONS[kind];
  const resolveAll = annotationOf(valueAt(req.object, where.metadata)) === '*' || annotationOf(valueAt(req.object, ['metadata'])) === '*';

  const containers = containerImages(valueAt(req.object, where.spec)).map((c) => ({ ...c, local: localName(c.image, resolveAll) }));
  // Each stream is read once, and each distinct image resolved once, however often they appear.
  const streams = new Map<string, ReturnType<StreamGetter>>();
  const resolved = new Map<string, Promise<string | undefined>>();
  const resolve = (image: string, name: LocalName): Promise<string | undefined> => {
    let r = resolved.get(image);
    if (!r) {
      let s = streams.get(name.stream);
      if (!s) streams.set(name.stream, (s = getStream(req.namespace, name.stream)));
      r = s.then((stream) => (stream ? resolveInStream(stream, name, resolveAll) : undefined));
      resolved.set(image, r);
    }
    return r;
  };
  const results = await Promise.all(containers.map((c) => (c.local ? resolve(c.image, c.local) : undefined)));
  const ops: JSONPatchOperation[] = [];
  containers.forEach((c, i) => {
    const value = results[i];
    if (value && value !== c.image) ops.push({ op: 'replace', path: jsonPointer([...where.spec, c.list, c.index, 'image']), value });
  });
  return ops;
}
