// Runs the server as a real child process (as `make run` does) and waits until it is serving.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** The server process, with stdout and stderr collected in arrival order (as a terminal shows them). */
function spawnServer(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('src/main.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => (out += c));
  child.stderr?.on('data', (c: string) => (out += c));
  return { child, output: () => out };
}

export async function startServerProcess(args: string[], waitFor = /Press Ctrl-C to stop/, timeoutMs = 30_000): Promise<ServerProcess> {
  const { child, output } = spawnServer(args);
  const deadline = Date.now() + timeoutMs;
  while (!waitFor.test(output())) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output,
    stop: (signal: NodeJS.Signals = 'SIGINT') =>
      new Promise((res) => {
        // Already gone (exited, or ended by a signal): nothing to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return res(child.exitCode);
        child.once('exit', (code) => res(code));
        child.kill(signal);
      }),
  };
}

/** PIDs whose command line contains `text`, read from /proc. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Runs the server to its exit (a start that is expected to fail); its exit code and output. */
export function runServerToExit(args: string[], timeoutMs = 60_000, env?: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServer(args, env);
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`server did not exit within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    // 'close', not 'exit': the output is complete only once the pipes have closed.
    child.once('close', (code) => {
      clearTimeout(timer);
      res({ code, output: output() });
    });
  });
}
