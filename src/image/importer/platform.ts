// Which child of a manifest list a Legacy import takes: the platform the stream tag prefers
// (importer.image.openshift.io/prefer-arch / prefer-os), filled in with the server's own, then
// linux/amd64, then the first entry. Platforms use Go's names (amd64, arm64, ppc64le, windows).

import { endianness } from 'node:os';
import type { ImageManifest } from '../api/types.js';

export interface Platform {
  os: string;
  architecture: string;
}

const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
const OS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

/** This process's platform, named as GOOS/GOARCH. */
export function ownPlatform(): Platform {
  let architecture = ARCH[process.arch] ?? process.arch;
  // Node says ppc64 for both byte orders; every ppc64 container platform is little-endian.
  if (process.arch === 'ppc64') architecture = endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return { os: OS[process.platform] ?? process.platform, architecture };
}

export interface PlatformPreference {
  preferArch?: string;
  preferOS?: string;
}

/** The entry a Legacy import uses, or undefined for an empty list. */
export function chooseManifest(entries: readonly ImageManifest[], prefer: PlatformPreference, own: Platform): ImageManifest | undefined {
  const arch = prefer.preferArch || own.architecture;
  const os = prefer.preferOS || own.os;
  return (
    entries.find((e) => e.architecture === arch && e.os === os) ??
    entries.find((e) => e.architecture === 'amd64' && e.os === 'linux') ??
    entries[0]
  );
}
