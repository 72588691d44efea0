// Classifies a request the way k8s.io/apiserver's RequestInfoFactory does: resource requests under
// /apis/<group>/<version>/..., their verb, namespace, resource, subresource and name.

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection; or the lower-cased HTTP method. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseRequestInfo(method: string, rawPath: string, query: URLSearchParams): RequestInfo {
  const path = rawPath;
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  const segments = path.replace(/^\/+/, '').split('/').filter((s, i, a) => s !== '' || i < a.length - 1);
  let parts = segments.map(decodeSegment);
  if (parts.length === 0) return info;
  if (parts[0] !== 'apis' && parts[0] !== 'api') return info;
  info.apiPrefix = parts[0];
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) return info; // /apis, /apis/<g>, /apis/<g>/<v>: discovery
    info.apiGroup = parts[0];
    parts = parts.slice(1);
  } else if (parts.length < 2) {
    return info;
  }
  info.apiVersion = parts[0];
  parts = parts.slice(1);
  if (parts.length === 0 || parts[0] === '') return info;
  info.isResourceRequest = true;

  switch (method) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }

  if (parts[0] === 'watch') {
    parts = parts.slice(1);
    if (info.verb === 'get') info.verb = 'watch';
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      // /namespaces/<ns> alone is the namespace object itself (core group only).
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  if (parts.length >= 3) info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 1) info.resource = parts[0];

  if (info.name === '' && info.verb === 'get') {
    const w = query.get('watch');
    info.verb = w !== null && w !== '0' && w.toLowerCase() !== 'false' ? 'watch' : 'list';
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  // A watch or list of one object through a field selector is authorized against that name.
  if (info.verb === 'list' || info.verb === 'watch') {
    const fs = query.get('fieldSelector');
    if (fs) {
      const m = /^metadata\.name==?([^,]*)$/.exec(fs);
      if (m) info.name = m[1];
    }
  }
  return info;
}
