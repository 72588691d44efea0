import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from '@jest/globals';
import { parseOptions } from '../../../src/app/options.js';

describe('server flags', () => {
  it('accept --flag=value and --flag value forms', () => {
    const r = parseOptions(['--etcd-servers=http://127.0.0.1:2379,http://127.0.0.1:2380', '--secure-port', '9443', '--internal-registry-hostname=registry:5000']);
    assert.ok(r.ok);
    assert.deepEqual(r.options.etcdServers, ['http://127.0.0.1:2379', 'http://127.0.0.1:2380']);
    assert.equal(r.options.securePort, 9443);
    assert.equal(r.options.etcdPrefix, '/openshift.io');
  });

  it('listen on every address, but on loopback in local mode unless --bind-address says otherwise', () => {
    const bind = (args: string[]): string => {
      const r = parseOptions(args);
      assert.ok(r.ok);
      return r.options.bindAddress;
    };
    assert.equal(bind(['--etcd-servers=http://127.0.0.1:2379']), '0.0.0.0');
    assert.equal(bind(['--local']), '127.0.0.1');
    assert.equal(bind(['--local', '--bind-address=0.0.0.0']), '0.0.0.0');
  });

  it('report every problem at once', () => {
    const r = parseOptions(['--secure-port=abc', '--bogus', '--etcd-certfile=/nope', '--log-level=loud']);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.ok(r.errors.some((e) => e.includes('--secure-port')));
    assert.ok(r.errors.some((e) => e.includes('unknown flag: --bogus')));
    assert.ok(r.errors.some((e) => e.includes('--etcd-servers is required')));
    assert.ok(r.errors.some((e) => e.includes('--etcd-certfile and --etcd-keyfile must be given together')));
    assert.ok(r.errors.some((e) => e.includes('--log-level')));
  });

  it('the binary exits 2 on bad flags and documents every flag in --help', () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--nope', '--secure-port=x'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown flag: --nope/);
    assert.match(bad.stderr, /--secure-port/);
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const f of ['etcd-servers', 'etcd-prefix', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile', 'secure-port', 'bind-address', 'tls-cert-file', 'tls-private-key-file', 'cert-dir', 'internal-registry-hostname', 'external-registry-hostname', 'local', 'kubeconfig-out', 'log-level']) {
      assert.match(help.stdout, new RegExp(`--${f}\\b`), f);
    }
  });
});
