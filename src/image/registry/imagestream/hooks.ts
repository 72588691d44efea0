// Collaborators an ImageStream strategy is given: registry hostnames, and the checks that need
// other objects or the host cluster (tag resolution with access checks, limits).

import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import type { FieldErrorList } from '../../../apiserver/errors/field.js';
import type { ImageStream } from '../../api/types.js';

/** The integrated registry's hostnames ("" or absent when not configured). Read on every use. */
export interface RegistryHostnames {
  /** e.g. image-registry.openshift-image-registry.svc:5000: status.dockerImageRepository. */
  internal?: string;
  /** The first external hostname: status.publicDockerImageRepository. */
  external?: string;
}

/**
 * Turns new or changed spec tags into status history (and verifies cross-namespace access) before
 * field validation, as openshift-apiserver does inside Validate. It may mutate `stream` (status
 * tags, spec tag generations). Errors are reported on paths like `spec.tags[<tag>].from.name`;
 * the strategy wraps them into the single InternalError cause clients see.
 */
export interface TagResolver {
  resolveTags(stream: ImageStream, old: ImageStream | undefined, ctx: RequestContext): FieldErrorList | Promise<FieldErrorList>;
}

/** Per-namespace image stream limits; returns the Forbidden error's message, or null. */
export interface ImageStreamLimitVerifier {
  verifyLimits(namespace: string, old: ImageStream | undefined, stream: ImageStream): string | null | Promise<string | null>;
}
