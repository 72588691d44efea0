// The hook through which validation asks whether a registry may be referenced (openshift's
// "whitelister", fed by image.config.openshift.io allowedRegistriesForImport). The default
// admits everything, which is also what an empty configured list means.

import type { DockerImageReference } from '../reference.js';

/** How a reference will be reached: HTTPS only, plain HTTP, or either (insecure with fallback). */
export type AllowListTransport = 'secure' | 'insecure' | 'any';

export interface RegistryAllowList {
  /** null when `ref` may be used, otherwise the message of a Forbidden field error. */
  admitReference(ref: DockerImageReference, transport: AllowListTransport): string | null;
  /**
   * A copy that also admits the repositories of these pull specs: references an object already
   * had stay usable on update (users may keep or remove them, not add new ones). Unparsable pull
   * specs are skipped.
   */
  withPullSpecs(pullSpecs: Iterable<string>): RegistryAllowList;
}

export const allowAllRegistries: RegistryAllowList = {
  admitReference: () => null,
  withPullSpecs() {
    return this;
  },
};

/** Insecure references may use either transport (secure fallback allowed), others HTTPS only. */
export function transportFor(insecure: boolean): AllowListTransport {
  return insecure ? 'any' : 'secure';
}
