// Validators that compose others (update = meta update + full create rules) can report the same
// problem twice; clients should see it once, as Go's error aggregate prints it.

import type { FieldErrorList } from '../../errors/field.js';

/** Drops repeated errors (same rendering), keeping the first occurrence's position. */
export function uniqueFieldErrors(errs: FieldErrorList): FieldErrorList {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = `${e.type}\u0000${e.toString()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
