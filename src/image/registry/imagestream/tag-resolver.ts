// Spec tags -> status history on ImageStream create and update (and every internal write): for
// new or changed spec tags, DockerImage references become events, ImageStreamTag and
// ImageStreamImage sources are looked up (this stream, another one, another namespace after an
// access check on `get imagestreams/layers` there) and their event copied in.

import { formatTime } from '../../../apiserver/api/types.js';
import { FieldPath, fieldErrors, type FieldErrorList } from '../../../apiserver/errors/field.js';
import { StatusError } from '../../../apiserver/errors/index.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { FROM_NAME_FORMAT_DETAIL, NameFormatError, parseFromReference } from '../../api/names.js';
import { DockerImageReference } from '../../api/reference.js';
import { addTagEvent, latestTagEvent, resolveImageId } from '../../api/tag-history.js';
import { GROUP, type ImageStream, type TagEvent, type TagReference } from '../../api/types.js';
import type { ImageAccessChecker } from '../../collaborators.js';
import { tagRefChanged } from './generations.js';
import type { RegistryHostnames, TagResolver } from './hooks.js';

export interface StreamTagResolverOptions {
  /** Reads another stream (system read: the access check is done separately). */
  getStream: (ctx: RequestContext, namespace: string, name: string) => Promise<ImageStream>;
  /** Decides cross-namespace references; without it they are allowed. */
  access?: ImageAccessChecker;
  hostnames: RegistryHostnames;
  clock?: () => Date;
}

const tagPath = (tag: string): FieldPath => FieldPath.root('spec').child('tags').key(tag).child('from');

/** Spec tags that are new, or ask for something else than in `old`. */
function changedTags(stream: ImageStream, old: ImageStream | undefined): TagReference[] {
  const ns = stream.metadata.namespace ?? '';
  const before = new Map((old?.spec?.tags ?? []).map((t) => [t.name ?? '', t]));
  return (stream.spec?.tags ?? []).filter((t) => {
    const prev = before.get(t.name ?? '');
    return !prev || tagRefChanged(prev, t, ns);
  });
}

export class StreamTagResolver implements TagResolver {
  private readonly clock: () => Date;

  constructor(private readonly opts: StreamTagResolverOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async resolveTags(stream: ImageStream, old: ImageStream | undefined, ctx: RequestContext): Promise<FieldErrorList> {
    const changed = changedTags(stream, old);
    const errs = await this.verifyAccess(stream, changed, ctx);
    errs.push(...(await this.resolve(stream, changed, ctx)));
    return errs;
  }

  /** One access check per source stream in another namespace; refusals name every tag using it. */
  private async verifyAccess(stream: ImageStream, changed: TagReference[], ctx: RequestContext): Promise<FieldErrorList> {
    const errs: FieldErrorList = [];
    const ns = stream.metadata.namespace ?? '';
    const bySource = new Map<string, { namespace: string; name: string; tags: string[] }>();
    for (const ref of changed) {
      const from = ref.from;
      if (!from?.namespace || from.namespace === ns) continue;
      const tag = ref.name ?? '';
      let source: string;
      try {
        source = parseFromReference(stream.metadata.name ?? '', from).stream;
      } catch {
        errs.push(fieldErrors.invalid(tagPath(tag).child('name'), from.name ?? '', FROM_NAME_FORMAT_DETAIL));
        continue;
      }
      const key = `${from.namespace}/${source}`;
      const entry = bySource.get(key) ?? { namespace: from.namespace, name: source, tags: [] };
      entry.tags.push(tag);
      bySource.set(key, entry);
    }
    if (!this.opts.access) return errs;
    for (const { namespace, name, tags } of bySource.values()) {
      let message: string | undefined;
      try {
        const d = await this.opts.access.canI(ctx.user, { verb: 'get', group: GROUP, resource: 'imagestreams', subresource: 'layers', namespace, name });
        if (!d.allowed) message = `${namespace}/${name}: ${JSON.stringify(d.reason ?? '')} ${JSON.stringify(d.evaluationError ?? '')}`;
      } catch (err) {
        message = `${namespace}/${name}- ${err instanceof Error ? err.message : String(err)}`;
      }
      if (message !== undefined) for (const tag of tags) errs.push(fieldErrors.forbidden(tagPath(tag), message));
    }
    return errs;
  }

  private async resolve(stream: ImageStream, changed: TagReference[], ctx: RequestContext): Promise<FieldErrorList> {
    const ns = stream.metadata.namespace ?? '';
    const name = stream.metadata.name ?? '';
    const now = formatTime(this.clock());
    const generation = stream.metadata.generation ?? 0;
    const parsed: { ref: TagReference; source: string; tagOrId: string }[] = [];
    const errs: FieldErrorList = [];
    // Name format problems first, then lookups: the order openshift-apiserver happened to report.
    for (const ref of changed) {
      const from = ref.from;
      if (!from) continue;
      const tag = ref.name ?? '';
      // A changed tag asks for the stream's current generation.
      ref.generation = generation;
      if (from.kind === 'DockerImage' && from.name) {
        if (ref.reference) addTagEvent(stream, tag, { created: now, dockerImageReference: from.name, image: '', generation });
        continue;
      }
      try {
        const { stream: source, tagOrId } = parseFromReference(name, from);
        parsed.push({ ref, source, tagOrId });
      } catch (err) {
        if (!(err instanceof NameFormatError)) throw err;
        errs.push(fieldErrors.invalid(tagPath(tag).child('name'), from.name ?? '', FROM_NAME_FORMAT_DETAIL));
      }
    }
    for (const { ref, source, tagOrId } of parsed) {
      const from = ref.from ?? {};
      const tag = ref.name ?? '';
      const path = tagPath(tag).child('name');
      const sourceNs = from.namespace || ns;
      let sourceStream = stream;
      if (sourceNs !== ns || source !== name) {
        try {
          sourceStream = await this.opts.getStream(ctx, sourceNs, source);
        } catch (err) {
          if (err instanceof StatusError && err.code === 404) errs.push(fieldErrors.notFound(path, from.name ?? ''));
          else errs.push(fieldErrors.invalid(path, from.name ?? '', `unable to retrieve image stream: ${err instanceof Error ? err.message : String(err)}`));
          continue;
        }
      }
      let event: TagEvent | undefined;
      if (from.kind === 'ImageStreamImage') {
        try {
          event = resolveImageId(sourceStream, tagOrId, now);
        } catch (err) {
          if (!(err instanceof StatusError)) throw err;
          errs.push(fieldErrors.invalid(path, from.name ?? '', `error generating tag event: ${err.message}`));
          continue;
        }
      } else {
        const latest = latestTagEvent(sourceStream, tagOrId);
        // A source tag without history is fine: this tag waits for it.
        if (!latest) continue;
        event = { ...latest };
      }
      event.generation = generation;
      if (!ref.reference) event.dockerImageReference = this.localize(event.dockerImageReference ?? '', sourceStream, stream);
      if (from.kind === 'ImageStreamTag' && sourceStream === stream) {
        // openshift-apiserver edits the source tag's newest event in place (it holds a pointer to
        // it): that tag's newest event takes the new generation too (`oc get itag` then says Push).
        const latest = latestTagEvent(stream, tagOrId);
        if (latest) {
          latest.generation = event.generation;
          latest.dockerImageReference = event.dockerImageReference;
        }
      }
      addTagEvent(stream, tag, event);
    }
    return errs;
  }

  /** A reference into the integrated registry at the source stream is rewritten to this stream. */
  private localize(reference: string, source: ImageStream, target: ImageStream): string {
    const internal = this.opts.hostnames.internal;
    if (!internal) return reference;
    const parsed = DockerImageReference.tryParse(reference);
    const ref = parsed.ref;
    if (!ref || ref.registry !== internal || ref.namespace !== source.metadata.namespace || ref.name !== source.metadata.name) return reference;
    return ref.with({ namespace: target.metadata.namespace, name: target.metadata.name }).exact();
  }
}
