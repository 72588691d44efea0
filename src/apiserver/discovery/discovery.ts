// Discovery documents built from the installed storages: /apis, /apis/<g>, /apis/<g>/<v>, and the
// aggregated apidiscovery.k8s.io/v2 list (deterministic, with its ETag).

import { createHash } from 'node:crypto';
import type { GroupProtobuf } from '../api/protobuf/meta.js';
import type { TypeModel } from '../openapi/type-model.js';
import type { RESTStorage } from '../registry/rest.js';
import { verbsOf } from '../registry/rest.js';

export interface DiscoveryGroup {
  group: string;
  version: string;
  resources: ReadonlyMap<string, RESTStorage>;
  /** Resources whose storage version hash is published (stored resources). */
  storedKinds?: ReadonlySet<string>;
  /** The group's schemas: patch strategies, apply list types, field validation and OpenAPI. */
  typeModel?: TypeModel;
  /** The group's protobuf messages (served when clients ask for protobuf). */
  protobuf?: GroupProtobuf;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

export function apiResourceList(g: DiscoveryGroup): { kind: string; apiVersion: string; groupVersion: string; resources: APIResource[] } {
  const names = [...g.resources.keys()].sort();
  const resources: APIResource[] = names.map((name) => {
    const s = g.resources.get(name) as RESTStorage;
    const isSub = name.includes('/');
    const r: APIResource = {
      name,
      singularName: isSub ? '' : s.info.singular,
      namespaced: s.info.namespaced,
      kind: s.info.kind,
      verbs: verbsOf(s),
    };
    if (!isSub && s.info.shortNames?.length) r.shortNames = [...s.info.shortNames];
    if (!isSub && s.info.categories?.length) r.categories = [...s.info.categories];
    if (!isSub && g.storedKinds?.has(name)) r.storageVersionHash = storageVersionHash(g.group, g.version, s.info.kind);
    return r;
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${g.group}/${g.version}`, resources };
}

export function apiGroup(groups: DiscoveryGroup[], name: string): Record<string, unknown> | undefined {
  const versions = groups.filter((g) => g.group === name);
  if (versions.length === 0) return undefined;
  const vs = versions.map((g) => ({ groupVersion: `${g.group}/${g.version}`, version: g.version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(groups: DiscoveryGroup[]): Record<string, unknown> {
  const names = [...new Set(groups.map((g) => g.group))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map((n) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(groups, n) as Record<string, unknown>;
    return rest;
  }) };
}

/** The aggregated discovery list (items only; kind/apiVersion are added per served version). */
export function aggregatedItems(groups: DiscoveryGroup[]): Record<string, unknown>[] {
  const names = [...new Set(groups.map((g) => g.group))];
  return names.map((name) => ({
    metadata: { name },
    versions: groups
      .filter((g) => g.group === name)
      .map((g) => {
        const list = apiResourceList(g).resources;
        const top = list.filter((r) => !r.name.includes('/'));
        return {
          version: g.version,
          resources: top.map((r) => {
            const subs = list.filter((s) => s.name.startsWith(`${r.name}/`));
            const entry: Record<string, unknown> = {
              resource: r.name,
              responseKind: { group: '', version: '', kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singularName,
              verbs: r.verbs,
            };
            if (r.shortNames) entry.shortNames = r.shortNames;
            if (r.categories) entry.categories = r.categories;
            if (subs.length) {
              entry.subresources = subs.map((s) => ({
                subresource: s.name.slice(r.name.length + 1),
                responseKind: { group: '', version: '', kind: s.kind },
                verbs: s.verbs,
              }));
            }
            return entry;
          }),
          freshness: 'Current',
        };
      }),
  }));
}

export interface AggregatedDocument {
  body: string;
  etag: string;
}

/**
 * Serialized once: every replica produces the same bytes and ETag. The v2 ETag hashes the list
 * without its TypeMeta, as k8s.io/apiserver does; v2beta1 (still served for aggregators older than
 * 1.30, which ask only for it) hashes its version in too, so the two never share an ETag.
 */
export function aggregatedDocument(groups: DiscoveryGroup[], version: 'v2' | 'v2beta1'): AggregatedDocument {
  const items = aggregatedItems(groups);
  const hashed = version === 'v2' ? { metadata: {}, items } : { apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
  const etag = `"${createHash('sha512').update(JSON.stringify(hashed)).digest('hex').toUpperCase()}"`;
  const body = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items });
  return { body, etag };
}
