// Field ownership on every write, as k8s.io/apiserver's field manager keeps it in
// metadata.managedFields: non-apply writes (create, update, patch) record the fields they changed
// for their manager and take them from others; server-side apply merges a configuration, owns
// exactly its fields, removes what it stopped applying, and fails on fields other managers own
// unless forced.

import type { KubeObject, StatusCause } from '../../api/types.js';
import { formatTime, isObject } from '../../api/types.js';
import { errors, StatusError } from '../../errors/index.js';
import type { TypeNode } from '../../openapi/type-model.js';
import { FieldSet, pathString, type Path } from './fieldpath.js';
import { capUpdateManagers, decodeManagers, encodeManagers, isReset, managerIdentity, type Manager } from './managers.js';
import { compare, deepEqual, merge, prune, toFieldSet, TypedValueError, type Comparison } from './typed.js';
import { withZeroValues } from './zero-values.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Fields the server sets or that identify the object: never owned by anyone. */
const STRIPPED: Path[] = [
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
];
const STRIP_SET = FieldSet.of(STRIPPED);

function strip(c: Comparison): Comparison {
  return { added: c.added.difference(STRIP_SET), modified: c.modified.difference(STRIP_SET), removed: c.removed.difference(STRIP_SET) };
}

export interface FieldManagerOptions {
  /** The object's type; without one every field is tracked as untyped JSON. */
  type: TypeNode | undefined;
  /** "image.openshift.io/v1". */
  apiVersion: string;
  /** "status" for writes through the status subresource. */
  subresource?: string;
  /** Typed conversion errors of an apply: "(<ns>/<name>; <gv>, Kind=<Kind>)". */
  describe: (obj: KubeObject) => string;
  clock: () => Date;
  /** The written object as it will be stored (a copy); ownership is computed on that form. */
  canonicalize?: (obj: KubeObject) => KubeObject;
}

interface ApplyConflict {
  manager: Manager;
  path: Path;
}

function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** 409 with the conflicting managers and fields, in the texts of k8s.io/apiserver. */
function conflictError(conflicts: ApplyConflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, ApplyConflict[]>();
    for (const c of conflicts) {
      const k = printManager(c.manager);
      byManager.set(k, [...(byManager.get(k) ?? []), c]);
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${k}:`);
      for (const c of byManager.get(k) ?? []) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Conflict', details: { causes }, code: 409 });
}

/**
 * An applied configuration that does not fit the schema is the client's error: 400 BadRequest with
 * kube-apiserver's text. (kube-apiserver answers 500 here, kubernetes/kubernetes#122480; the fix
 * proposed upstream makes it a BadRequest with the same message.)
 */
export function typedPatchError(where: string, detail: string): StatusError {
  return errors.badRequest(`failed to create typed patch object (${where}): ${detail}`);
}

/** Sorted keys at every level, HTML-significant characters and U+2028/9 escaped, a final newline. */
function goJSONEncoderText(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!isObject(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  };
  const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return `${JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c] ?? c)}\n`;
}

const UNTYPED: TypeNode = { kind: 'untyped', goType: 'interface {}' };

function withoutManagedFields(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

export class FieldManager {
  private readonly type: TypeNode;

  constructor(private readonly opts: FieldManagerOptions) {
    this.type = opts.type ?? UNTYPED;
  }

  /** A copy of `obj` in its stored form, with metadata present. */
  private canonical(obj: KubeObject): KubeObject {
    const out = this.opts.canonicalize ? this.opts.canonicalize(obj) : structuredClone(obj);
    if (!isObject(out.metadata)) out.metadata = {};
    return out;
  }

  private now(): string {
    return formatTime(this.opts.clock());
  }

  private diff(live: unknown, next: unknown): Comparison {
    return strip(compare(withZeroValues(live, this.type), withZeroValues(next, this.type), this.type));
  }

  private write(obj: KubeObject, managers: Manager[]): KubeObject {
    const entries = encodeManagers(capUpdateManagers(managers));
    if (entries.length) obj.metadata.managedFields = entries;
    else delete obj.metadata.managedFields;
    return obj;
  }

  /**
   * A create (live undefined), update or patch by `manager`: returns `next` with managedFields
   * recorded. Objects that have no managedFields are not tracked by updates; `[]` clears them.
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string): KubeObject {
    const obj = this.canonical(next);
    const liveManagers = decodeManagers(live?.metadata.managedFields) ?? [];
    let managers: Manager[];
    const given = obj.metadata.managedFields;
    if (this.opts.subresource) managers = liveManagers;
    else if (isReset(given)) managers = [];
    else {
      const decoded = decodeManagers(given);
      managers = decoded && decoded.length ? decoded : liveManagers;
    }
    delete obj.metadata.managedFields;
    const isCreate = live === undefined;
    if (!isCreate && managers.length === 0) return obj;

    let c: Comparison;
    try {
      c = this.diff(live === undefined ? {} : withoutManagedFields(live), obj);
    } catch (err) {
      if (err instanceof TypedValueError) return this.write(obj, managers);
      throw err;
    }
    const changed = c.added.union(c.modified);
    for (const m of managers) m.set = m.set.difference(c.removed).difference(changed);
    const id = managerIdentity({ manager, operation: 'Update', apiVersion: this.opts.apiVersion, subresource: this.opts.subresource });
    let mine = managers.find((m) => managerIdentity(m) === id);
    if (!changed.isEmpty()) {
      if (!mine) {
        mine = { manager, operation: 'Update', apiVersion: this.opts.apiVersion, set: new FieldSet() };
        if (this.opts.subresource) mine.subresource = this.opts.subresource;
        managers.push(mine);
      }
      mine.set = mine.set.union(changed);
      mine.time = this.now();
    }
    return this.write(obj, managers);
  }

  /**
   * Server-side apply of `config` by `manager` onto `live` (undefined: the object is created).
   * Throws 409 on conflicts unless `force`.
   */
  apply(live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean): KubeObject {
    let managers = decodeManagers(live?.metadata.managedFields) ?? [];
    const base = live ? withoutManagedFields(live) : ({ metadata: {} } as KubeObject);
    let configSet: FieldSet;
    let merged: KubeObject;
    try {
      configSet = toFieldSet(config, this.type).difference(STRIP_SET);
      merged = merge(base, config, this.type) as KubeObject;
    } catch (err) {
      if (err instanceof TypedValueError) {
        throw typedPatchError(this.opts.describe(config), err.message);
      }
      throw err;
    }
    const id = managerIdentity({ manager, operation: 'Apply', apiVersion: this.opts.apiVersion, subresource: this.opts.subresource });
    const previous = managers.find((m) => managerIdentity(m) === id);
    const lastSet = previous?.set ?? new FieldSet();
    const mine: Manager = { manager, operation: 'Apply', apiVersion: this.opts.apiVersion, set: configSet };
    if (this.opts.subresource) mine.subresource = this.opts.subresource;
    if (previous?.time) mine.time = previous.time;
    managers = [...managers.filter((m) => m !== previous), mine];

    // Fields this manager applied before and nobody applies now go away.
    const owned = managers.reduce((s, m) => s.union(m.set), new FieldSet());
    if (!lastSet.difference(owned).isEmpty()) merged = prune(merged, this.type, lastSet, owned) as KubeObject;
    merged = this.canonical(merged);

    const c = this.diff(base, merged);
    const changed = c.added.union(c.modified);
    const conflicts: ApplyConflict[] = [];
    for (const m of managers) {
      if (m === mine) continue;
      for (const p of m.set.intersection(changed).paths()) conflicts.push({ manager: m, path: p });
    }
    if (conflicts.length && !force) {
      const allowed = this.allowedByLastApplied(manager, live);
      const remaining = conflicts.filter((x) => !allowed.has(x.path));
      if (remaining.length) throw conflictError(remaining);
    }
    for (const m of managers) if (m !== mine) m.set = m.set.difference(changed).difference(c.removed);
    const sameFields = configSet.difference(lastSet).isEmpty() && lastSet.difference(configSet).isEmpty();
    if (!deepEqual(base, merged) || !sameFields) mine.time = this.now();
    this.syncLastApplied(manager, live, config, merged);
    return this.write(merged, managers);
  }

  /**
   * kubectl moving from client-side to server-side apply: conflicts on fields whose value still
   * equals the last-applied annotation are not conflicts.
   */
  private allowedByLastApplied(manager: string, live: KubeObject | undefined): FieldSet {
    const text = live?.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
    if (manager !== 'kubectl' || !text || !live) return new FieldSet();
    try {
      const last: unknown = JSON.parse(text);
      const lastSet = toFieldSet(last, this.type);
      const c = compare(withZeroValues(last, this.type), withZeroValues(withoutManagedFields(live), this.type), this.type);
      return lastSet.difference(c.modified);
    } catch {
      return new FieldSet();
    }
  }

  /**
   * kubectl's server-side apply (any manager named kubectl...) keeps an existing last-applied
   * annotation up to date: the applied configuration without that annotation, encoded as Go's
   * json.Encoder writes it (the text kubectl's client-side apply compares with).
   */
  private syncLastApplied(manager: string, live: KubeObject | undefined, config: KubeObject, merged: KubeObject): void {
    if (!manager.startsWith('kubectl') || live?.metadata.annotations?.[LAST_APPLIED_ANNOTATION] === undefined) return;
    const applied = structuredClone(config);
    const annotations = applied.metadata?.annotations;
    if (annotations) delete annotations[LAST_APPLIED_ANNOTATION];
    merged.metadata.annotations = { ...(merged.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: goJSONEncoderText(applied) };
  }
}
