// Kubernetes resource quantities, as far as image limits need them: parse a LimitRange value
// ("5", "1Gi", "500M", "1e3") into a number and print whole numbers the way Quantity.String()
// canonicalizes them (largest exact suffix), for the "(<used> > <max>)" of limit messages.

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  value: number;
  format: QuantityFormat;
}

const BINARY: readonly [string, number][] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

const DECIMAL: readonly [string, number][] = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];

const SMALL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** undefined when `s` is not a quantity. */
export function parseQuantity(s: string): Quantity | undefined {
  const m = QUANTITY.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  const binary = BINARY.find(([k]) => k === suffix);
  if (binary) return { value: n * binary[1], format: 'BinarySI' };
  const decimal = DECIMAL.find(([k]) => k === suffix);
  if (decimal) return { value: n * decimal[1], format: 'DecimalSI' };
  if (suffix in SMALL) return { value: n * (SMALL[suffix] ?? 1), format: 'DecimalSI' };
  if (suffix) return { value: n * 10 ** Number(suffix.slice(1)), format: 'DecimalExponent' };
  return { value: n, format: 'DecimalSI' };
}

/** Whole numbers with the largest suffix that divides them exactly; others as plain numbers. */
export function formatQuantity(q: Quantity): string {
  const v = q.value;
  if (!Number.isInteger(v) || v === 0) return String(v);
  const table = q.format === 'BinarySI' ? BINARY : DECIMAL;
  for (const [suffix, factor] of table) {
    if (Math.abs(v) >= factor && v % factor === 0) return `${v / factor}${suffix}`;
  }
  return String(v);
}
