import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { chooseManifest, ownPlatform } from '../../../src/image/importer/platform.js';

const entries = [
  { digest: 'sha256:s390', os: 'linux', architecture: 's390x' },
  { digest: 'sha256:arm', os: 'linux', architecture: 'arm64', variant: 'v8' },
  { digest: 'sha256:amd', os: 'linux', architecture: 'amd64' },
  { digest: 'sha256:win', os: 'windows', architecture: 'amd64' },
];

describe('platform choice for Legacy imports of manifest lists', () => {
  it('prefers the tag\'s arch/os, filling a missing half with the server\'s own', () => {
    const own = { os: 'linux', architecture: 'ppc64le' };
    assert.equal(chooseManifest(entries, { preferArch: 'arm64', preferOS: 'linux' }, own)?.digest, 'sha256:arm');
    assert.equal(chooseManifest(entries, { preferArch: 'amd64', preferOS: 'windows' }, own)?.digest, 'sha256:win');
    assert.equal(chooseManifest(entries, { preferArch: 's390x' }, own)?.digest, 'sha256:s390');
    assert.equal(chooseManifest(entries, { preferOS: 'windows' }, { os: 'linux', architecture: 'amd64' })?.digest, 'sha256:win');
  });

  it('then the server\'s platform, then linux/amd64, then the first entry', () => {
    assert.equal(chooseManifest(entries, {}, { os: 'linux', architecture: 'arm64' })?.digest, 'sha256:arm');
    assert.equal(chooseManifest(entries, {}, { os: 'linux', architecture: 'riscv64' })?.digest, 'sha256:amd');
    assert.equal(chooseManifest(entries, { preferArch: 'mips' }, { os: 'linux', architecture: 'riscv64' })?.digest, 'sha256:amd');
    assert.equal(chooseManifest(entries.slice(0, 2), {}, { os: 'linux', architecture: 'riscv64' })?.digest, 'sha256:s390');
    assert.equal(chooseManifest([], {}, ownPlatform()), undefined);
  });

  it('names this process\'s platform as Go does', () => {
    const p = ownPlatform();
    assert.notEqual(p.architecture, 'x64');
    assert.notEqual(p.os, 'win32');
    if (process.arch === 'x64') assert.equal(p.architecture, 'amd64');
    if (process.platform === 'linux') assert.equal(p.os, 'linux');
  });
});
