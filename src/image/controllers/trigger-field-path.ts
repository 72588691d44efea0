// A trigger's fieldPath, as OpenShift reads it: the kind's pod spec path, then
// containers[<i>] or initContainers[<i>] where <i> is an index or ?(@.name=="<name>"), then .image.
// Anything else is outside what a trigger may set.

import { POD_SPEC_LOCATIONS, type ContainerImage, type ContainerList, type PodSpecKind } from '../api/pod-specs.js';

export type ContainerSelector = { index: number } | { name: string };

export interface ContainerField {
  list: ContainerList;
  selector: ContainerSelector;
}

const NAME_PREFIX = '?(@.name=="';
const NAME_SUFFIX = '")';

function selectorOf(s: string): ContainerSelector | undefined {
  if (/^[+-]?\d+$/.test(s)) {
    const index = Number(s);
    return index >= 0 && Number.isSafeInteger(index) ? { index } : undefined;
  }
  if (s.startsWith(NAME_PREFIX) && s.endsWith(NAME_SUFFIX) && s.length > NAME_PREFIX.length + NAME_SUFFIX.length) {
    return { name: s.slice(NAME_PREFIX.length, -NAME_SUFFIX.length) };
  }
  return undefined;
}

/** The container image a fieldPath designates in a `kind`, or undefined when it designates none. */
export function containerField(kind: PodSpecKind, fieldPath: string): ContainerField | undefined {
  const base = `${POD_SPEC_LOCATIONS[kind].spec.join('.')}.`;
  if (!fieldPath.startsWith(base)) return undefined;
  const rest = fieldPath.slice(base.length);
  const m = /^(containers|initContainers)\[([^\]]*)\]\.image$/.exec(rest);
  if (!m) return undefined;
  const selector = selectorOf(m[2] ?? '');
  return selector ? { list: m[1] as ContainerList, selector } : undefined;
}

export function findContainer(containers: readonly ContainerImage[], f: ContainerField): ContainerImage | undefined {
  const inList = containers.filter((c) => c.list === f.list);
  return 'index' in f.selector ? inList[f.selector.index] : inList.find((c) => 'name' in f.selector && c.name === f.selector.name);
}
