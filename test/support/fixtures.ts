// Small builders for request bodies used across tests.

export const GROUP_PATH = '/apis/image.openshift.io/v1';

export function nsPath(ns: string, resource: string, name = ''): string {
  return `${GROUP_PATH}/namespaces/${ns}/${resource}${name ? `/${name}` : ''}`;
}

export function imageStream(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, ...((extra.metadata as object) ?? {}) }, spec: extra.spec ?? {} };
}

export function dockerTag(name: string, ref: string): Record<string, unknown> {
  return { name, from: { kind: 'DockerImage', name: ref } };
}
