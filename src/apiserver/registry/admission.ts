// Admission: checks every write passes through after decoding and before the strategy runs
// (e.g. namespace lifecycle). Plugins see the request context, the resource and the object.

import type { KubeObject } from '../api/types.js';
import type { RequestContext, ResourceInfo } from './strategy.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  resource: ResourceInfo;
  subresource: string;
  name: string;
  namespace: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  ctx: RequestContext;
}

export interface AdmissionPlugin {
  /** Throws a StatusError to refuse the request. */
  admit(attrs: AdmissionAttributes): Promise<void>;
}

export async function runAdmission(plugins: readonly AdmissionPlugin[], attrs: AdmissionAttributes): Promise<void> {
  for (const p of plugins) await p.admit(attrs);
}
