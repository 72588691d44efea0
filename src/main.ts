#!/usr/bin/env node
// Process entry: flags -> options -> run; SIGINT/SIGTERM drain and stop cleanly.

import { parseOptions } from './app/options.js';
import { run } from './app/run.js';

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(`${parsed.usage}\n`);
      process.exit(0);
    }
    process.stderr.write(`image-apiserver: invalid flags:\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}\n\nRun with --help for usage.\n`);
    process.exit(2);
  }
  const server = await run(parsed.options);
  let stopping = false;
  const onSignal = (sig: string): void => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    server.logger.info({ signal: sig }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`image-apiserver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
