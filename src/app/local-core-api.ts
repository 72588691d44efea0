// Local mode has no kube-apiserver in front of it, yet kubectl reads a little of the core API: the
// legacy discovery (/api, /api/v1) and, after a NotFound in a namespace, the namespace itself (to
// tell a missing namespace from a missing object). This serves exactly that: namespaces, get only,
// every one existing and Active, as the in-memory host cluster says.

import { writeJSON } from '../apiserver/endpoints/response.js';
import { errors } from '../apiserver/errors/index.js';
import type { NamespaceLister } from '../apiserver/hostcluster/types.js';
import type { RouteHandler } from '../apiserver/server/server.js';

const NAMESPACES = { group: '', resource: 'namespaces' };

const API_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get'], shortNames: ['ns'] }],
};

export interface LocalCoreAPI {
  routes: [string, RouteHandler][];
  prefixRoutes: [string, RouteHandler][];
}

function readOnly(handler: RouteHandler): RouteHandler {
  return (req, res, state) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    return handler(req, res, state);
  };
}

export function localCoreAPI(namespaces: NamespaceLister): LocalCoreAPI {
  const versions: RouteHandler = (req, res) => {
    // kube-apiserver names the address clients reach it at; here that is the address they used.
    const serverAddress = req.headers.host ?? `${req.socket.localAddress ?? ''}:${req.socket.localPort ?? ''}`;
    writeJSON(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
  };
  const namespace: RouteHandler = (_req, res, state) => {
    const info = state.info;
    if (info.resource === 'namespaces' && info.namespace === '') throw errors.methodNotAllowed(); // the list
    // Anything inside a namespace (its resources, status, finalize) is not served.
    if (info.resource !== 'namespaces' || info.subresource !== '') throw errors.notFoundPath();
    const ns = namespaces.get(info.namespace);
    if (!ns) throw errors.notFound(NAMESPACES, info.namespace);
    writeJSON(res, 200, {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: ns.name, labels: { 'kubernetes.io/metadata.name': ns.name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: ns.phase },
    });
  };
  return {
    routes: [
      ['/api', readOnly(versions)],
      ['/api/v1', readOnly((_req, res) => writeJSON(res, 200, API_RESOURCES))],
    ],
    prefixRoutes: [['/api/v1/namespaces', readOnly(namespace)]],
  };
}
