import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package.json above this module, whether run from src/ (tsx) or dist/src/ (compiled). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** /version in the shape of k8s.io/apimachinery's version.Info, for this server's own release. */
export function versionInfo(): Record<string, string> {
  const version = packageVersion();
  const [major, minor] = version.split('.');
  return {
    major,
    minor,
    gitVersion: `v${version}`,
    gitCommit: process.env.IMAGE_APISERVER_GIT_COMMIT ?? '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: '',
    compiler: 'node',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
