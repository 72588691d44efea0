// Image change triggers, run by one replica at a time (the leader): host-cluster Deployments,
// StatefulSets, DaemonSets and CronJobs annotated image.openshift.io/triggers get the images their
// triggers name written into their pod templates, whenever the value there differs (the workload
// appeared, its annotation or image changed, the tag moved). Streams are read from our storage
// (one paged list, then one watch); workloads through host-cluster informers; each change is one
// JSON Patch of the workload, guarded by a test of the container's name.
//
// The value of a trigger is what openshift-controller-manager writes: the tag's newest event's
// pull spec, or <status.dockerImageRepository>@<image> when the spec tag's reference policy is
// Local. Where OpenShift fails the whole workload (a bad field path, a missing container) only
// that trigger is skipped; a malformed annotation is reported once per value as an Event.

import { jsonPointer, POD_SPEC_LOCATIONS } from '../api/pod-specs.js';
import { splitImageStreamTag } from '../api/names.js';
import { latestTagEvent, resolveReferenceForTagEvent } from '../api/tag-history.js';
import type { ImageStream } from '../api/types.js';
import type { ControllerLogger } from './import-controller.js';
import { ImportQueue } from './import-queue.js';
import { followStreams, listAllStreams, type StreamSource } from './stream-source.js';
import { parseTriggers, type ObjectFieldTrigger } from './trigger-annotation.js';
import { containerField, findContainer } from './trigger-field-path.js';
import { decodeWorkload, WORKLOADS, type TriggeredWorkload, type WorkloadHandlers, type WorkloadPatchOperation, type WorkloadResource, type WorkloadSource, type WorkloadWatch } from './workload-source.js';

export const TRIGGER_CONTROLLER_COMPONENT = 'image-trigger-controller';

export interface TriggerMetrics {
  /** `n` triggers were written into a workload. */
  applied(resource: WorkloadResource, n: number): void;
  /** Writing `n` triggers into a workload failed (it is retried). */
  failed(resource: WorkloadResource, n: number): void;
}

export interface TriggerControllerOptions {
  streams: StreamSource;
  workloads: WorkloadSource;
  metrics?: TriggerMetrics;
  logger?: ControllerLogger;
  /** Streams per list page (default 500). */
  pageSize?: number;
  /** First retry of a failed patch (default 1 s), doubling up to maxRetryMs (default 30 s). */
  retryMs?: number;
  maxRetryMs?: number;
  /** Patches in flight (default 2). */
  workers?: number;
}

const silent: ControllerLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const codeOf = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};
const streamKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Tag -> the pull spec a trigger on it writes (tags without an image are absent). */
export function triggerValues(stream: ImageStream): Map<string, string> {
  const values = new Map<string, string>();
  for (const list of stream.status?.tags ?? []) {
    const tag = list.tag ?? '';
    const event = latestTagEvent(stream, tag);
    if (!tag || !event?.dockerImageReference) continue;
    values.set(tag, resolveReferenceForTagEvent(stream, tag, event));
  }
  return values;
}

const sameValues = (a: Map<string, string> | undefined, b: Map<string, string>): boolean =>
  !!a && a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);

interface Entry {
  workload: TriggeredWorkload;
  triggers: ObjectFieldTrigger[];
  /** The streams its triggers name (namespace/name). */
  streams: Set<string>;
}

/** The state of one leadership term; dropped when it ends. */
class TriggerState {
  readonly values = new Map<string, Map<string, string>>();
  readonly entries = new Map<string, Entry>();
  readonly byStream = new Map<string, Set<string>>();
  /** The malformed annotation value last reported per workload (reported once, not per event). */
  readonly reported = new Map<string, string>();
  readonly attempts = new Map<string, number>();
  readonly timers = new Set<NodeJS.Timeout>();
}

export class TriggerController {
  private readonly log: ControllerLogger;
  private readonly pageSize: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly workers: number;

  constructor(private readonly o: TriggerControllerOptions) {
    this.log = o.logger ?? silent;
    this.pageSize = o.pageSize ?? 500;
    this.retryMs = o.retryMs ?? 1000;
    this.maxRetryMs = o.maxRetryMs ?? 30_000;
    this.workers = Math.max(1, o.workers ?? 2);
  }

  /** Runs until `signal` aborts (leadership lost, or shutdown); resolves when all work stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const state = new TriggerState();
    const queue = new ImportQueue();
    let streamsListed!: () => void;
    const listed = new Promise<void>((resolve) => (streamsListed = resolve));
    const watches: WorkloadWatch[] = [];
    const stop = (): void => {
      queue.close();
      for (const w of watches) w.stop();
      for (const t of state.timers) clearTimeout(t);
      streamsListed();
    };
    signal.addEventListener('abort', stop, { once: true });
    this.log.info({}, 'image trigger controller started');
    try {
      for (const resource of Object.keys(WORKLOADS) as WorkloadResource[]) {
        watches.push(this.o.workloads.watch(resource, this.workloadHandlers(resource, state, queue)));
      }
      const follow = this.followStreams(state, queue, signal, streamsListed);
      // Nothing is written before both sides have been listed once.
      await listed;
      await Promise.all(watches.map((w) => waitSynced(w, signal)));
      const work = Array.from({ length: this.workers }, () => this.work(state, queue, signal));
      await Promise.all([follow, ...work]);
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
    }
    this.log.info({}, 'image trigger controller stopped');
  }

  private workloadHandlers(resource: WorkloadResource, state: TriggerState, queue: ImportQueue): WorkloadHandlers {
    const prefix = `${resource}/`;
    return {
      replace: (items) => {
        const seen = new Set<string>();
        for (const obj of items) {
          const w = decodeWorkload(resource, obj);
          if (!w) continue;
          seen.add(keyOf(w));
          this.upsert(w, state, queue);
        }
        for (const key of [...state.entries.keys()]) if (key.startsWith(prefix) && !seen.has(key)) this.remove(key, state);
      },
      apply: (type, obj) => {
        const w = decodeWorkload(resource, obj);
        if (!w) return;
        if (type === 'DELETED') this.remove(keyOf(w), state);
        else this.upsert(w, state, queue);
      },
    };
  }

  private upsert(w: TriggeredWorkload, state: TriggerState, queue: ImportQueue): void {
    const key = keyOf(w);
    const previous = state.entries.get(key);
    if (w.annotation === undefined) {
      if (previous) this.remove(key, state);
      return;
    }
    let triggers = previous?.triggers ?? [];
    if (previous?.workload.annotation !== w.annotation) {
      const parsed = parseTriggers(w.annotation);
      triggers = parsed.ok ? parsed.triggers : [];
      if (parsed.ok) state.reported.delete(key);
      else this.reportMalformed(w, parsed.error, state);
    }
    const streams = new Set<string>();
    for (const t of triggers) {
      const { name, ok } = splitImageStreamTag(t.from.name);
      if (ok && t.from.kind === 'ImageStreamTag') streams.add(streamKey(t.from.namespace || w.namespace, name));
    }
    this.index(key, previous?.streams, streams, state);
    state.entries.set(key, { workload: w, triggers, streams });
    // A workload waiting to retry a failed patch is looked at early only when it really changed.
    const changed = !previous || previous.workload.annotation !== w.annotation || imagesOf(previous.workload) !== imagesOf(w);
    if (triggers.length && (changed || !state.attempts.has(key))) queue.add(key, 'pending');
  }

  private remove(key: string, state: TriggerState): void {
    const entry = state.entries.get(key);
    if (!entry) return;
    this.index(key, entry.streams, new Set(), state);
    state.entries.delete(key);
    state.reported.delete(key);
    state.attempts.delete(key);
  }

  private index(key: string, before: Set<string> | undefined, after: Set<string>, state: TriggerState): void {
    for (const s of before ?? []) {
      if (after.has(s)) continue;
      const set = state.byStream.get(s);
      set?.delete(key);
      if (set?.size === 0) state.byStream.delete(s);
    }
    for (const s of after) {
      const set = state.byStream.get(s) ?? new Set<string>();
      set.add(key);
      state.byStream.set(s, set);
    }
  }

  private reportMalformed(w: TriggeredWorkload, error: string, state: TriggerState): void {
    const key = keyOf(w);
    if (state.reported.get(key) === w.annotation) return;
    state.reported.set(key, w.annotation ?? '');
    const { kind, apiVersion } = WORKLOADS[w.resource];
    this.log.warn({ workload: key, err: error }, 'image trigger controller: ignoring a malformed triggers annotation');
    this.o.workloads
      .event({
        involvedObject: { apiVersion, kind, namespace: w.namespace, name: w.name, uid: w.uid, resourceVersion: w.resourceVersion },
        type: 'Warning',
        reason: 'InvalidImageTriggers',
        message: error,
        component: TRIGGER_CONTROLLER_COMPONENT,
      })
      .catch((err: unknown) => this.log.warn({ workload: key, err: message(err) }, 'image trigger controller: cannot record an event'));
  }

  /** A stream's values changed: its workloads are looked at again. */
  private streamChanged(key: string, values: Map<string, string> | undefined, state: TriggerState, queue: ImportQueue): void {
    const before = state.values.get(key);
    if (values && values.size) {
      if (sameValues(before, values)) return;
      state.values.set(key, values);
    } else {
      if (!before) return;
      state.values.delete(key);
    }
    for (const w of state.byStream.get(key) ?? []) queue.add(w, 'pending');
  }

  /** Every stream's values (one paged list, then a watch), kept current until `signal` aborts. */
  private followStreams(state: TriggerState, queue: ImportQueue, signal: AbortSignal, listed: () => void): Promise<void> {
    const keyOfStream = (s: ImageStream): string => streamKey(s.metadata.namespace ?? '', s.metadata.name ?? '');
    return followStreams(this.o.streams, {
      list: async () => {
        const seen = new Set<string>();
        const revision = await listAllStreams(this.o.streams, this.pageSize, (s) => {
          seen.add(keyOfStream(s));
          this.streamChanged(keyOfStream(s), triggerValues(s), state, queue);
        });
        for (const key of [...state.values.keys()]) if (!seen.has(key)) this.streamChanged(key, undefined, state, queue);
        listed();
        return revision;
      },
      change: (type, s) => this.streamChanged(keyOfStream(s), type === 'DELETED' ? undefined : triggerValues(s), state, queue),
      failed: (err) => this.log.warn({ err: message(err) }, 'image trigger controller: cannot list or watch image streams; retrying'),
      retryMs: this.retryMs,
      signal,
    });
  }

  private async work(state: TriggerState, queue: ImportQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const item = await queue.take();
      if (!item) return;
      try {
        await this.sync(item.key, state, queue, signal);
      } finally {
        queue.done(item.key);
      }
    }
  }

  /** The patch that brings the workload's images to its triggers' values (empty: nothing to do). */
  private patchFor(entry: Entry, state: TriggerState): WorkloadPatchOperation[] {
    const w = entry.workload;
    const kind = WORKLOADS[w.resource].kind;
    const spec = POD_SPEC_LOCATIONS[kind].spec;
    const ops: WorkloadPatchOperation[] = [];
    for (const t of entry.triggers) {
      if (t.paused || t.from.kind !== 'ImageStreamTag') continue;
      const { name, tag, ok } = splitImageStreamTag(t.from.name);
      const value = ok ? state.values.get(streamKey(t.from.namespace || w.namespace, name))?.get(tag) : undefined;
      if (!value) continue;
      const field = containerField(kind, t.fieldPath);
      const container = field ? findContainer(w.containers, field) : undefined;
      if (!container) {
        this.log.debug({ workload: keyOf(w), fieldPath: t.fieldPath }, 'image trigger controller: the field path names no container image');
        continue;
      }
      if (container.image === value) continue;
      const at = [...spec, container.list, container.index];
      ops.push({ op: 'test', path: jsonPointer([...at, 'name']), value: container.name }, { op: 'replace', path: jsonPointer([...at, 'image']), value });
    }
    return ops;
  }

  private async sync(key: string, state: TriggerState, queue: ImportQueue, signal: AbortSignal): Promise<void> {
    const entry = state.entries.get(key);
    if (!entry || signal.aborted) return;
    const ops = this.patchFor(entry, state);
    if (!ops.length) {
      state.attempts.delete(key);
      return;
    }
    const w = entry.workload;
    const n = ops.length / 2;
    try {
      await this.o.workloads.patch(w.resource, w.namespace, w.name, ops);
      state.attempts.delete(key);
      this.o.metrics?.applied(w.resource, n);
      this.log.info({ workload: key, images: ops.filter((op) => op.op === 'replace').map((op) => op.value) }, 'image trigger controller: updated images');
    } catch (err) {
      if (signal.aborted) return;
      this.o.metrics?.failed(w.resource, n);
      const code = codeOf(err);
      // Gone, or changed under us (the test failed): the informer brings the news, nothing to retry.
      if (code === 404 || code === 422) {
        this.log.debug({ workload: key, err: message(err) }, 'image trigger controller: workload changed meanwhile');
        return;
      }
      const attempt = (state.attempts.get(key) ?? 0) + 1;
      state.attempts.set(key, attempt);
      const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** (attempt - 1));
      this.log.warn({ workload: key, err: message(err), retryInSeconds: delay / 1000 }, 'image trigger controller: cannot update images');
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        queue.add(key, 'pending');
      }, delay);
      state.timers.add(timer);
    }
  }
}

const imagesOf = (w: TriggeredWorkload): string => w.containers.map((c) => `${c.list}/${c.name}=${c.image}`).join('\n');

function keyOf(w: TriggeredWorkload): string {
  return `${w.resource}/${w.namespace}/${w.name}`;
}

async function waitSynced(w: WorkloadWatch, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && !(await w.waitForSync(1000)));
}

