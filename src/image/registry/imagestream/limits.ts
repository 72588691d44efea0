// Image stream limits from the namespace's LimitRanges (type openshift.io/ImageStream):
// openshift.io/image-tags counts the distinct references of spec tags, openshift.io/images the
// distinct images in status history. Checked on every stream write that adds to either set.

import { errors } from '../../../apiserver/errors/index.js';
import { parseImageStreamTagName } from '../../api/names.js';
import { formatQuantity, parseQuantity, type Quantity } from '../../api/quantity.js';
import { DockerImageReference } from '../../api/reference.js';
import type { ImageStream, ObjectReference } from '../../api/types.js';
import { GROUP } from '../../api/types.js';
import { LIMIT_TYPE_IMAGE_STREAM, RESOURCE_IMAGE_STREAM_IMAGES, RESOURCE_IMAGE_STREAM_TAGS } from '../../api/virtual-types.js';
import type { LimitRangeLike, LimitRangeSource } from '../../collaborators.js';
import type { ImageStreamLimitVerifier } from './hooks.js';

/** The smallest max of each resource over every item of `type`. */
export function maxLimits(ranges: readonly LimitRangeLike[], type: string, resources: readonly string[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item?.type !== type) continue;
      for (const res of resources) {
        const raw = item.max?.[res];
        if (raw === undefined) continue;
        const q = parseQuantity(String(raw));
        if (!q) continue;
        const cur = out.get(res);
        if (!cur || cur.value > q.value) out.set(res, q);
      }
    }
  }
  return out;
}

/** A spec tag's source as the limit counts it; undefined when it cannot be interpreted. */
function specReference(namespace: string, from: ObjectReference): string | undefined {
  const name = from.name ?? '';
  switch (from.kind) {
    case 'DockerImage':
    case 'ImageStreamImage': {
      const parsed = DockerImageReference.tryParse(name);
      if (!parsed.ref) return undefined;
      let ref = parsed.ref;
      if (from.kind === 'ImageStreamImage') {
        if (!ref.namespace) ref = ref.with({ namespace: from.namespace || namespace });
        if (!ref.id) return undefined;
      } else {
        ref = ref.dockerClientDefaults();
      }
      return ref.daemonMinimal().exact();
    }
    case 'ImageStreamTag': {
      try {
        const { name: stream, tag } = parseImageStreamTagName(name);
        return `${from.namespace || namespace}/${stream}:${tag}`;
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

export interface ImageStreamUsage {
  specRefs: Set<string>;
  images: Set<string>;
}

export function imageStreamUsage(stream: ImageStream | undefined): ImageStreamUsage {
  const specRefs = new Set<string>();
  const images = new Set<string>();
  if (!stream) return { specRefs, images };
  const ns = stream.metadata.namespace ?? '';
  for (const ref of stream.spec?.tags ?? []) {
    if (!ref.from) continue;
    const r = specReference(ns, ref.from);
    if (r !== undefined) specRefs.add(r);
  }
  for (const list of stream.status?.tags ?? []) for (const e of list.items ?? []) if (e.image) images.add(e.image);
  return { specRefs, images };
}

const grew = (now: Set<string>, before: Set<string>): boolean => now.size > before.size || [...now].some((x) => !before.has(x));

export class LimitRangeVerifier implements ImageStreamLimitVerifier {
  constructor(private readonly source: LimitRangeSource) {}

  async verifyLimits(namespace: string, old: ImageStream | undefined, stream: ImageStream): Promise<string | null> {
    let limits: Map<string, Quantity>;
    try {
      limits = maxLimits(await this.source.list(namespace), LIMIT_TYPE_IMAGE_STREAM, [RESOURCE_IMAGE_STREAM_IMAGES, RESOURCE_IMAGE_STREAM_TAGS]);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    if (limits.size === 0) return null;
    const before = imageStreamUsage(old);
    const now = imageStreamUsage(stream);
    // Pre-existing excess does not block edits that add nothing.
    if (!grew(now.specRefs, before.specRefs) && !grew(now.images, before.images)) return null;
    const used: Record<string, number> = { [RESOURCE_IMAGE_STREAM_TAGS]: now.specRefs.size, [RESOURCE_IMAGE_STREAM_IMAGES]: now.images.size };
    const exceeded: string[] = [];
    for (const [res, max] of [...limits].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const n = used[res] ?? 0;
      if (n > max.value) {
        exceeded.push(
          `requested usage of ${res} exceeds the maximum limit per ${LIMIT_TYPE_IMAGE_STREAM} (${formatQuantity({ value: n, format: 'DecimalSI' })} > ${formatQuantity(max)})`,
        );
      }
    }
    if (!exceeded.length) return null;
    const detail = exceeded.length === 1 ? (exceeded[0] ?? '') : `[${exceeded.join(', ')}]`;
    return errors.forbidden({ group: GROUP, resource: 'ImageStream' }, stream.metadata.name ?? '', detail).message;
  }
}

/** The error a LimitRange source should reject with until its cache is filled. */
export function limitsLoadingError(): Error {
  const e = errors.forbidden({ group: '', resource: 'limitranges' }, '', 'the server is still loading limit information');
  e.status.details = { ...e.status.details, retryAfterSeconds: 1 };
  return e;
}
