import type { FieldSelector } from '../api/fields.js';
import { errors } from '../errors/index.js';

/**
 * Rejects field selectors on fields the resource does not index. The message lists only the
 * metadata fields, as openshift-apiserver's does, even where more are supported.
 */
export function validateFieldSelector(sel: FieldSelector, known: readonly string[]): void {
  for (const r of sel.requirements) {
    if (!known.includes(r.field)) {
      const listed = known.filter((k) => k.startsWith('metadata.')).map((k) => `"${k}"`).join(', ');
      throw errors.badRequest(`"${r.field}" is not a known field selector: only ${listed}`);
    }
  }
}
