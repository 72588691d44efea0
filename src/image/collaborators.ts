// What the image API needs from outside itself, as small interfaces the composition root fills in:
// access checks for the requesting user (cross-namespace tagging), the namespace's pull secrets
// and LimitRanges (both from the host cluster). Each has an in-memory or permissive
// implementation for local mode and tests.

import { FieldSelector } from '../apiserver/api/fields.js';
import { LabelSelector } from '../apiserver/api/labels.js';
import type { UserInfo } from '../apiserver/registry/strategy.js';

/** A SubjectAccessReview's resource attributes. */
export interface AccessReviewRequest {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface AccessDecision {
  allowed: boolean;
  /** The authorizer's explanation (SubjectAccessReview status.reason). */
  reason?: string;
  /** Why no decision could be made (status.evaluationError, or the call's failure). */
  evaluationError?: string;
}

/** "Can this user do that?" on behalf of the requesting user, e.g. get imagestreams/layers elsewhere. */
export interface ImageAccessChecker {
  canI(user: UserInfo, request: AccessReviewRequest): Promise<AccessDecision>;
}

/** Local mode: the only user is the administrator. */
export const allowAllAccess: ImageAccessChecker = { canI: async () => ({ allowed: true }) };

/** A core/v1 Secret as the host cluster serves it. */
export interface SecretLike {
  apiVersion?: string;
  kind?: string;
  metadata: Record<string, unknown> & { name?: string; namespace?: string };
  type?: string;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** Query parameters of a list, passed through to the host cluster as given. */
export interface SecretListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface SecretListResult {
  items: SecretLike[];
  /** The host's list resourceVersion, when it reports one. */
  resourceVersion?: string;
  continue?: string;
}

/** Lists core/v1 Secrets of a namespace (imagestreams/<name>/secrets, import credentials). */
export interface PullSecretSource {
  list(namespace: string, opts: SecretListOptions): Promise<SecretListResult>;
}

/** A metadata map (labels, annotations) of an object read from elsewhere; non-strings dropped. */
export function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Secrets kept in memory (local mode, tests); label and field selectors are honoured. */
export class InMemorySecrets implements PullSecretSource {
  private readonly byNamespace = new Map<string, SecretLike[]>();
  private revision = 1;

  set(namespace: string, secrets: SecretLike[]): void {
    this.byNamespace.set(namespace, structuredClone(secrets));
    this.revision++;
  }

  async list(namespace: string, opts: SecretListOptions): Promise<SecretListResult> {
    const labels = opts.labelSelector ? LabelSelector.parse(opts.labelSelector) : LabelSelector.everything();
    const fields = opts.fieldSelector ? FieldSelector.parse(opts.fieldSelector) : FieldSelector.everything();
    const items = (this.byNamespace.get(namespace) ?? []).filter(
      (s) =>
        labels.matches(stringMap(s.metadata.labels)) &&
        fields.matches({ 'metadata.name': s.metadata.name ?? '', 'metadata.namespace': namespace, type: s.type ?? '' }),
    );
    return { items: structuredClone(items), resourceVersion: String(this.revision) };
  }
}

/** The parts of a core/v1 LimitRange the image API reads. */
export interface LimitRangeLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { limits?: { type?: string; max?: Record<string, string | number> }[] };
}

/** The LimitRanges of a namespace (an informer's cache in a cluster). May reject while loading. */
export interface LimitRangeSource {
  list(namespace: string): Promise<LimitRangeLike[]>;
}

export class InMemoryLimitRanges implements LimitRangeSource {
  private readonly byNamespace = new Map<string, LimitRangeLike[]>();

  set(namespace: string, ranges: LimitRangeLike[]): void {
    this.byNamespace.set(namespace, structuredClone(ranges));
  }

  async list(namespace: string): Promise<LimitRangeLike[]> {
    return structuredClone(this.byNamespace.get(namespace) ?? []);
  }
}
