// Nesting depth of JSON documents. Go's decoder refuses more than 10000 levels; the merge, patch
// and serialization code here recurses per level, and V8's stack (JSON.stringify included) does not
// reach 10000, so documents are limited to MAX_DEPTH levels before anything recurses.

export const MAX_DEPTH = 1000;

/** encoding/json's text for a document nested too deep at character `c`. */
export function maxDepthMessage(c: string): string {
  return `invalid character '${c}' exceeded max depth`;
}

/**
 * Scans JSON text once, ignoring brackets inside strings (malformed text is left to the parser):
 * the deepest level reached, stopping at the first bracket that opens level `max + 1`.
 */
function scan(text: string, max: number): { depth: number; at?: string } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return { depth, at: text[i] };
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return { depth: deepest };
}

/** The bracket that first opens level `max + 1` in JSON text, or undefined. */
export function jsonTextTooDeep(text: string, max = MAX_DEPTH): string | undefined {
  return scan(text, max).at;
}

/** Levels of objects and arrays in JSON text (a scalar is 0). */
export function jsonTextDepth(text: string): number {
  return scan(text, Number.MAX_SAFE_INTEGER).depth;
}

/** Levels of objects and arrays in a decoded value (a scalar is 0), without recursion. */
export function valueDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Whether a decoded value nests deeper than `max` levels of objects and arrays. */
export function valueTooDeep(value: unknown, max = MAX_DEPTH): boolean {
  return valueDepth(value) > max;
}
