// Counters for code outside this layer (background controllers), without handing it prom-client.

import { Counter, type Registry } from 'prom-client';

export interface LabeledCounter<L extends string> {
  inc(labels: Record<L, string>, n?: number): void;
}

export function labeledCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): LabeledCounter<L> {
  const c = new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
  return { inc: (labels, n = 1) => c.inc(labels, n) };
}
