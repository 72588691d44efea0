// The patch content types, and which of them a resource accepts: strategic merge patch needs the
// kind's schema (merge keys), the rest work on any JSON object. The PATCH handler and the OpenAPI
// documents both ask here, so kubectl's choice of patch type matches what the server does.

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_YAML = 'application/apply-patch+yaml';
export const APPLY_PATCH_CBOR = 'application/apply-patch+cbor';

/**
 * Every patch Content-Type the router knows; others (CBOR apply included, as on servers without
 * the CBOR gate) are refused before the resource is asked.
 */
export const KNOWN_PATCH_TYPES: readonly string[] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML];

/** What a resource accepts, in the order kube-apiserver lists them. */
export function supportedPatchTypes(hasSchema: boolean): string[] {
  return hasSchema ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML] : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH_YAML];
}
