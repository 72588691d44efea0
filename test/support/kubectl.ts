// Runs a fixed kubectl release (not the version-dispatching wrapper) against a kubeconfig.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CANDIDATES = [
  process.env.KUBECTL_BIN,
  '/usr/lib/google-cloud-sdk/bin/kubectl.1.32',
  resolve('.tools/bin/kubectl.1.32'),
].filter((p): p is string => !!p);

export function kubectlBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`kubectl 1.32 not found (tried ${CANDIDATES.join(', ')}); run: bash hack/install-tools.sh kubectl`);
  return found;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  constructor(private readonly kubeconfig: string, private readonly env: Record<string, string> = {}) {}

  private args(args: string[]): string[] {
    return [`--kubeconfig=${this.kubeconfig}`, `--cache-dir=${this.cacheDir}`, ...args];
  }

  run(args: string[], input?: string): KubectlResult {
    const r = spawnSync(kubectlBinary(), this.args(args), {
      input,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KUBECONFIG: this.kubeconfig, ...this.env },
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Like run, without blocking the event loop (for servers running in this process). */
  runAsync(args: string[], input?: string): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(kubectlBinary(), this.args(args), { env: { ...process.env, KUBECONFIG: this.kubeconfig, ...this.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (c: string) => (stdout += c));
      child.stderr.on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input);
    });
  }

  /** runAsync that throws with kubectl's stderr when it fails. */
  async okAsync(args: string[], input?: string): Promise<string> {
    const r = await this.runAsync(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** Runs and throws with kubectl's stderr when it fails. */
  ok(args: string[], input?: string): string {
    const r = this.run(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** Starts a long-running kubectl (e.g. get -w); returns a handle to read its output and stop it. */
  start(args: string[]): { output: () => string; stop: () => Promise<void>; waitFor: (re: RegExp, timeoutMs?: number) => Promise<string> } {
    const child = spawn(kubectlBinary(), this.args(args), { env: { ...process.env, ...this.env } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.stderr.on('data', (c: string) => (out += c));
    return {
      output: () => out,
      stop: () =>
        new Promise<void>((res) => {
          if (child.exitCode !== null) return res();
          child.once('exit', () => res());
          child.kill('SIGTERM');
        }),
      waitFor: async (re: RegExp, timeoutMs = 15_000) => {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          if (re.test(out)) return out;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`timed out waiting for ${re} in kubectl output:\n${out}`);
      },
    };
  }
}
