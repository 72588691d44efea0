#!/usr/bin/env node
// Process entry: flags -> options -> run; SIGINT/SIGTERM drain and stop cleanly.

import { parseOptions } from './app/options.js';
import { run, type RunningServer } from './app/run.js';

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
  // Handlers first: a signal that arrives while starting (or just after the banner) waits for the
  // start to finish and then stops everything it started, instead of killing the process and
  // leaving its etcd behind.
  let server: RunningServer | undefined = undefined;
  let requested: string | undefined;
  const shutdown = (s: RunningServer, sig: string): void => {
    s.logger.info({ signal: sig }, 'shutting down');
    s.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        s.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (sig: string): void => {
    if (requested) process.exit(1);
    requested = sig;
    if (server) shutdown(server, sig);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  server = await run(parsed.options);
  if (requested) shutdown(server, requested);
}

main().catch((err: unknown) => {
  process.stderr.write(`image-apiserver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
