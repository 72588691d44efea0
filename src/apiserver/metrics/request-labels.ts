// The labels kube-apiserver puts on its request metrics: verb as reported (GET, LIST, WATCH, POST,
// PUT, PATCH, APPLY, DELETE, DELETECOLLECTION), dry_run, group, version, resource, subresource,
// scope (resource / namespace / cluster) and component. Unknown resources become "other" so a
// client cannot grow the label space with made-up paths.

import type { IncomingMessage } from 'node:http';
import type { RequestInfo } from '../endpoints/request-info.js';

export interface RequestLabels {
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

const VERBS: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
};

/** Non-resource paths are reported by their first segment; anything else is "other". */
const NON_RESOURCE_ROOTS = new Set(['healthz', 'livez', 'readyz', 'metrics', 'version', 'apis', 'api', 'openapi']);

export function isMutating(info: RequestInfo): boolean {
  return !['get', 'list', 'watch', 'head', 'options'].includes(info.verb);
}

export function requestScope(info: RequestInfo): string {
  if (info.name !== '' || info.verb === 'create') return 'resource';
  if (info.namespace !== '') return 'namespace';
  if (info.isResourceRequest) return 'cluster';
  return '';
}

function dryRun(query: URLSearchParams): string {
  return [...new Set(query.getAll('dryRun'))].sort().join(',');
}

/** `known` holds "group/version/resource[/subresource]" of installed resources. */
export function requestLabels(info: RequestInfo, query: URLSearchParams, req: IncomingMessage, known: ReadonlySet<string>): RequestLabels {
  const method = (req.method ?? 'GET').toUpperCase();
  if (!info.isResourceRequest) {
    const root = info.path.split('/').filter(Boolean)[0] ?? '';
    return {
      verb: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method) ? method : 'other',
      dry_run: '',
      group: '',
      version: '',
      resource: '',
      subresource: NON_RESOURCE_ROOTS.has(root) ? `/${root}` : root === '' ? '/' : 'other',
      scope: '',
      component: 'apiserver',
    };
  }
  let verb = VERBS[info.verb] ?? 'other';
  if (verb === 'PATCH' && (req.headers['content-type'] ?? '').startsWith('application/apply-patch')) verb = 'APPLY';
  const sub = info.subresource ? `/${info.subresource}` : '';
  const isKnown = known.has(`${info.apiGroup}/${info.apiVersion}/${info.resource}${sub}`);
  return {
    verb,
    dry_run: dryRun(query),
    group: isKnown ? info.apiGroup : 'other',
    version: isKnown ? info.apiVersion : 'other',
    resource: isKnown ? info.resource : 'other',
    subresource: isKnown ? info.subresource : '',
    scope: requestScope(info),
    component: 'apiserver',
  };
}
