// imagestreams/<name>/secrets: the namespace's image pull secrets (dockercfg and dockerconfigjson
// types, minus those annotated openshift.io/image.excludeSecret=true) as an image.openshift.io
// SecretList. The stream name is not looked at. The list options of the request (label and field
// selectors, limit, continue) reach the host cluster; openshift-apiserver drops them.

import type { KubeObject } from '../../../apiserver/api/types.js';
import { parseListOptions } from '../../../apiserver/endpoints/options.js';
import type { RESTStorage } from '../../../apiserver/registry/rest.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { defaultTable, type TableBody } from '../../../apiserver/registry/table.js';
import { annotations, API_VERSION } from '../../api/types.js';
import { stringMap, type PullSecretSource, type SecretLike, type SecretListOptions } from '../../collaborators.js';
import { IMAGE_STREAM_SECRETS } from '../resources.js';

export const PULL_SECRET_TYPES: readonly string[] = ['kubernetes.io/dockercfg', 'kubernetes.io/dockerconfigjson'];

export function isPullSecret(s: SecretLike): boolean {
  return PULL_SECRET_TYPES.includes(s.type ?? '') && stringMap(s.metadata.annotations)[annotations.excludeImageSecret] !== 'true';
}

/** GET options with the request's query (present once the endpoint layer passes it). */
export interface GetWithQuery {
  resourceVersion?: string;
  query?: URLSearchParams;
}

export function secretListOptions(query: URLSearchParams | undefined): SecretListOptions {
  if (!query) return {};
  const parsed = parseListOptions(query, false); // the same 400s as any list
  const out: SecretListOptions = {};
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  if (ls) out.labelSelector = ls;
  if (fs) out.fieldSelector = fs;
  if (parsed.limit) out.limit = parsed.limit;
  if (parsed.continue) out.continue = parsed.continue;
  if (parsed.resourceVersion) out.resourceVersion = parsed.resourceVersion;
  return out;
}

export class ImageStreamSecretsREST implements RESTStorage {
  readonly info = IMAGE_STREAM_SECRETS;
  readonly subresource = 'secrets';

  /** Without a source (local mode without a host cluster) the list is empty. */
  constructor(private readonly source: PullSecretSource | undefined) {}

  async get(ctx: RequestContext, _name: string, opts: GetWithQuery = {}): Promise<KubeObject> {
    const listed = this.source ? await this.source.list(ctx.namespace, secretListOptions(opts.query)) : { items: [] };
    const items = listed.items.filter(isPullSecret).map((s) => {
      const { kind: _k, apiVersion: _a, ...rest } = structuredClone(s);
      return rest;
    });
    const metadata: Record<string, string> = {};
    if (listed.resourceVersion) metadata.resourceVersion = listed.resourceVersion;
    if ('continue' in listed && listed.continue) metadata.continue = listed.continue;
    return { kind: IMAGE_STREAM_SECRETS.kind, apiVersion: API_VERSION, metadata, items };
  }

  convertToTable(objects: KubeObject[]): TableBody {
    return defaultTable(objects);
  }
}
