import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJSON } from '../apiserver/endpoints/response.js';
import type { RouteHandler } from '../apiserver/server/server.js';

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

/**
 * The Kubernetes release whose API machinery this server follows (@kubernetes/client-node 1.3 is
 * generated from it): what /version reports, so kubectl finds no version skew.
 */
export const KUBERNETES_VERSION = '1.33.0';

type VersionInfo = Record<string, string>;

function info(version: string, gitVersion: string): VersionInfo {
  const [major, minor] = version.split('.');
  return {
    major,
    minor,
    gitVersion,
    gitCommit: process.env.IMAGE_APISERVER_GIT_COMMIT ?? '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: '',
    compiler: 'node',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** This server's own release, e.g. v0.1.0: served at /version/openshift, as openshift-apiserver does. */
export function serverVersionInfo(): VersionInfo {
  const version = packageVersion();
  return info(version, `v${version}`);
}

/**
 * /version in the shape of k8s.io/apimachinery's version.Info: the Kubernetes release, with this
 * server's own release as semver build metadata (as OpenShift's kube-apiserver reports
 * v1.33.0+<commit>), e.g. v1.33.0+image-apiserver.0.1.0.
 */
export function versionInfo(): VersionInfo {
  return info(KUBERNETES_VERSION, `v${KUBERNETES_VERSION}+image-apiserver.${packageVersion()}`);
}

/** GET /version/openshift: this server's own release. */
export function serverVersionRoute(): [string, RouteHandler] {
  const body = serverVersionInfo();
  return ['/version/openshift', (_req, res) => writeJSON(res, 200, body)];
}
