// Jest's node environment runs each test file in its own vm context, but a few host functions
// build their results in the outer realm, so node:assert's strict deep equality (which compares
// prototypes) would tell a cloned object from an equal literal. These replacements build their
// results inside the test's context.
import { TestEnvironment } from 'jest-environment-node';
import { runInContext } from 'node:vm';

const CLONE = `(function structuredClone(value) {
  const seen = new Map();
  const clone = (v) => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function' || typeof v === 'symbol') throw new DOMException('could not be cloned', 'DataCloneError');
      return v;
    }
    if (seen.has(v)) return seen.get(v);
    let out;
    if (Array.isArray(v)) {
      out = new Array(v.length);
      seen.set(v, out);
      for (let i = 0; i < v.length; i++) out[i] = clone(v[i]);
      return out;
    }
    if (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]') return new Date(v.getTime());
    if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    if (v instanceof Map || Object.prototype.toString.call(v) === '[object Map]') {
      out = new Map();
      seen.set(v, out);
      for (const [k, x] of v) out.set(clone(k), clone(x));
      return out;
    }
    if (v instanceof Set || Object.prototype.toString.call(v) === '[object Set]') {
      out = new Set();
      seen.set(v, out);
      for (const x of v) out.add(clone(x));
      return out;
    }
    out = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
    seen.set(v, out);
    // Own data properties, as the real structuredClone makes them ("__proto__" included).
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: clone(v[k]), writable: true, enumerable: true, configurable: true });
    return out;
  };
  return clone(value);
})`;

export default class ImageApiServerEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.structuredClone = runInContext(CLONE, this.getVmContext());
  }
}
