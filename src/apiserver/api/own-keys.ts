// Request-controlled keys on plain objects. "__proto__", "constructor" and "prototype" are ordinary
// keys of a JSON document: reads see only own properties, writes create own properties, so a key
// can never reach (or replace) a prototype.

/** The own property `key` of `obj`, never an inherited one. */
export function getOwn(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets an own data property; a plain assignment to "__proto__" would set the prototype instead. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
