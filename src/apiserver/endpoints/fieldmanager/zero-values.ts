// A Go API server compares objects as its structs serialize: fields without omitempty (the
// schema's `required`) and non-pointer structs (a `default: {}`) are always present, at their zero
// value when unset, and null means unset. Comparing JSON objects after the same filling keeps a
// client that sends `local: false` explicitly from being recorded as changing it.

import { isObject } from '../../api/types.js';
import type { TypeNode } from '../../openapi/type-model.js';
import { childType } from './typed.js';
import { getOwn, setOwn } from '../../api/own-keys.js';

function zeroOf(t: TypeNode | undefined, declaredDefault: unknown): unknown {
  if (declaredDefault !== undefined) return structuredClone(declaredDefault);
  if (!t) return undefined;
  if (t.kind === 'scalar') {
    if (t.type === 'boolean') return false;
    if (t.type === 'integer' || t.type === 'number') return 0;
    // metav1.Time and other formatted strings marshal as null when zero.
    return t.format ? undefined : '';
  }
  if (t.kind === 'struct') return {};
  return undefined;
}

export function withZeroValues(value: unknown, t: TypeNode): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    if (t.kind !== 'list') return value;
    return value.map((v) => withZeroValues(v, t.element) ?? null);
  }
  if (!isObject(value)) return value;
  if (t.kind !== 'struct' && t.kind !== 'map') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const filled = withZeroValues(v, childType(t, k) ?? { kind: 'untyped', goType: '' });
    if (filled !== undefined) setOwn(out, k, filled);
  }
  if (t.kind === 'struct') {
    for (const name of t.fieldNames) {
      if (getOwn(out, name) !== undefined) continue;
      const prop = t.property(name);
      const required = t.required.includes(name);
      if (!required && prop?.default === undefined) continue;
      const ft = t.field(name);
      const zero = zeroOf(ft, prop?.default);
      if (zero === undefined) continue;
      out[name] = ft ? withZeroValues(zero, ft) : zero;
    }
  }
  return out;
}
