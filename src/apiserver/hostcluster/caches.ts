// The caches the host cluster's reflectors fill: namespaces by name and LimitRanges by namespace,
// and how their objects are read from the host's JSON.

import type { Informer, LimitRangeLister, LimitRangeObject, NamespaceInfo, NamespaceLister } from './types.js';

interface NamespaceLike {
  metadata?: { name?: string };
  status?: { phase?: string };
}

export function toNamespace(obj: unknown): NamespaceInfo | undefined {
  const ns = obj as NamespaceLike | undefined;
  const name = ns?.metadata?.name;
  if (!name) return undefined;
  return { name, phase: ns?.status?.phase === 'Terminating' ? 'Terminating' : 'Active' };
}

/** A cache a reflector fills: the full state on (re)list, then each watched change. */
export interface CacheSink<T> extends Informer {
  informer: Informer | undefined;
  replace(items: T[]): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', item: T): void;
}

/** Sync state and stopping, from the reflector that fills the cache. */
abstract class ReflectedCache implements Informer {
  /** Set right after construction (the reflector needs the cache and the cache the reflector). */
  informer: Informer | undefined;

  hasSynced(): boolean {
    return this.informer?.hasSynced() ?? false;
  }
  waitForSync(timeoutMs: number): Promise<boolean> {
    return this.informer ? this.informer.waitForSync(timeoutMs) : Promise.resolve(false);
  }
  stop(): void {
    this.informer?.stop();
  }
}

/** Namespaces by name, filled by a reflector. */
export class NamespaceCache extends ReflectedCache implements NamespaceLister {
  private readonly byName = new Map<string, NamespaceInfo>();

  replace(items: NamespaceInfo[]): void {
    this.byName.clear();
    for (const n of items) this.byName.set(n.name, n);
  }
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', n: NamespaceInfo): void {
    if (type === 'DELETED') this.byName.delete(n.name);
    else this.byName.set(n.name, n);
  }
  get(name: string): NamespaceInfo | undefined {
    return this.byName.get(name);
  }
}

export function toLimitRange(obj: unknown): LimitRangeObject | undefined {
  const lr = obj as { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; spec?: LimitRangeObject['spec'] } | undefined;
  const name = lr?.metadata?.name;
  const namespace = lr?.metadata?.namespace;
  if (!name || !namespace) return undefined;
  return { metadata: { name, namespace, resourceVersion: lr.metadata?.resourceVersion }, spec: lr.spec ?? {} };
}

/** LimitRanges grouped by namespace, filled by a reflector. */
export class LimitRangeCache extends ReflectedCache implements LimitRangeLister {
  private readonly byNamespace = new Map<string, Map<string, LimitRangeObject>>();

  replace(items: LimitRangeObject[]): void {
    this.byNamespace.clear();
    for (const lr of items) this.apply('ADDED', lr);
  }
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', lr: LimitRangeObject): void {
    const ns = lr.metadata.namespace;
    const m = this.byNamespace.get(ns) ?? new Map<string, LimitRangeObject>();
    if (type === 'DELETED') m.delete(lr.metadata.name);
    else m.set(lr.metadata.name, lr);
    if (m.size) this.byNamespace.set(ns, m);
    else this.byNamespace.delete(ns);
  }
  list(namespace: string): LimitRangeObject[] {
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }
}
