// Where audit events are written: a file opened for appending (owner-only), or stdout for "-".

import { createWriteStream } from 'node:fs';
import type { AuditSink } from './logger.js';

export interface ClosableAuditSink extends AuditSink {
  close(): Promise<void>;
}

export function fileAuditSink(path: string): ClosableAuditSink {
  if (path === '-') return { write: (line) => void process.stdout.write(line), close: async () => undefined };
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  return {
    write: (line) => void stream.write(line),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
