// Server options: the flag table, parsing, and validation that reports every problem at once.

import { existsSync } from 'node:fs';
import { parseFlags, usage, type FlagSpec } from './flags.js';

export interface Options {
  etcdServers: string[];
  etcdPrefix: string;
  etcdCAFile: string;
  etcdCertFile: string;
  etcdKeyFile: string;
  securePort: number;
  bindAddress: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  certDir: string;
  internalRegistryHostname: string;
  externalRegistryHostname: string;
  local: boolean;
  localDir: string;
  kubeconfigOut: string;
  logLevel: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { name: 'etcd-servers', type: 'list', default: [], help: 'Comma-separated etcd client URLs. Required unless --local (which then starts its own etcd).' },
  { name: 'etcd-prefix', type: 'string', default: '/openshift.io', help: 'Key prefix for every object in etcd (keys are <prefix>/<resource>/[<namespace>/]<name>).' },
  { name: 'etcd-cafile', type: 'string', default: '', help: 'CA bundle that verifies the etcd servers.' },
  { name: 'etcd-certfile', type: 'string', default: '', help: 'Client certificate for etcd (with --etcd-keyfile).' },
  { name: 'etcd-keyfile', type: 'string', default: '', help: 'Client key for etcd (with --etcd-certfile).' },
  { name: 'secure-port', type: 'int', default: 8443, help: 'HTTPS port to serve on (0 picks a free port).' },
  { name: 'bind-address', type: 'string', default: '0.0.0.0', help: 'Address to listen on.' },
  { name: 'tls-cert-file', type: 'string', default: '', help: 'Serving certificate (PEM). Without it a self-signed one is generated into --cert-dir.' },
  { name: 'tls-private-key-file', type: 'string', default: '', help: 'Private key of --tls-cert-file.' },
  { name: 'cert-dir', type: 'string', default: '', help: 'Directory for generated certificates (default: <local dir>/certs in local mode, else a temporary directory).' },
  { name: 'internal-registry-hostname', type: 'string', default: '', help: 'Internal registry host[:port], used for status.dockerImageRepository.' },
  { name: 'external-registry-hostname', type: 'string', default: '', help: 'Public registry host[:port], used for status.publicDockerImageRepository.' },
  { name: 'local', type: 'bool', default: false, help: 'Run without a cluster: start an etcd child process (unless --etcd-servers), generate certificates and an admin kubeconfig.' },
  { name: 'local-dir', type: 'string', default: '.local', help: 'Where local mode keeps etcd data, certificates and the kubeconfig.' },
  { name: 'kubeconfig-out', type: 'string', default: '', help: 'Where local mode writes the admin kubeconfig (default <local dir>/kubeconfig).' },
  { name: 'log-level', type: 'string', default: 'info', help: 'One of trace, debug, info, warn, error, fatal.' },
];

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export type OptionsResult = { ok: true; options: Options } | { ok: false; help: boolean; errors: string[]; usage: string };

export function parseOptions(argv: readonly string[]): OptionsResult {
  const parsed = parseFlags(argv, FLAGS);
  const text = usage('image-apiserver', FLAGS);
  if (parsed.help) return { ok: false, help: true, errors: [], usage: text };
  const v = parsed.values;
  const o: Options = {
    etcdServers: v['etcd-servers'] as string[],
    etcdPrefix: v['etcd-prefix'] as string,
    etcdCAFile: v['etcd-cafile'] as string,
    etcdCertFile: v['etcd-certfile'] as string,
    etcdKeyFile: v['etcd-keyfile'] as string,
    securePort: v['secure-port'] as number,
    bindAddress: v['bind-address'] as string,
    tlsCertFile: v['tls-cert-file'] as string,
    tlsPrivateKeyFile: v['tls-private-key-file'] as string,
    certDir: v['cert-dir'] as string,
    internalRegistryHostname: v['internal-registry-hostname'] as string,
    externalRegistryHostname: v['external-registry-hostname'] as string,
    local: v.local as boolean,
    localDir: v['local-dir'] as string,
    kubeconfigOut: v['kubeconfig-out'] as string,
    logLevel: v['log-level'] as string,
  };
  const errs = [...parsed.errors, ...validateOptions(o)];
  if (errs.length) return { ok: false, help: false, errors: errs, usage: text };
  return { ok: true, options: o };
}

export function validateOptions(o: Options): string[] {
  const errs: string[] = [];
  if (!o.local && o.etcdServers.length === 0) errs.push('--etcd-servers is required (or use --local)');
  for (const s of o.etcdServers) {
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') errs.push(`--etcd-servers: ${JSON.stringify(s)} must be an http or https URL`);
    } catch {
      errs.push(`--etcd-servers: ${JSON.stringify(s)} is not a URL`);
    }
  }
  if (!o.etcdPrefix.startsWith('/')) errs.push('--etcd-prefix must start with "/"');
  if ((o.etcdCertFile === '') !== (o.etcdKeyFile === '')) errs.push('--etcd-certfile and --etcd-keyfile must be given together');
  for (const [flag, file] of [
    ['--etcd-cafile', o.etcdCAFile],
    ['--etcd-certfile', o.etcdCertFile],
    ['--etcd-keyfile', o.etcdKeyFile],
    ['--tls-cert-file', o.tlsCertFile],
    ['--tls-private-key-file', o.tlsPrivateKeyFile],
  ] as const) {
    if (file && !existsSync(file)) errs.push(`${flag}: ${file} does not exist`);
  }
  if ((o.tlsCertFile === '') !== (o.tlsPrivateKeyFile === '')) errs.push('--tls-cert-file and --tls-private-key-file must be given together');
  if (!Number.isInteger(o.securePort) || o.securePort < 0 || o.securePort > 65535) errs.push('--secure-port must be between 0 and 65535');
  for (const [flag, host] of [
    ['--internal-registry-hostname', o.internalRegistryHostname],
    ['--external-registry-hostname', o.externalRegistryHostname],
  ] as const) {
    if (host && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) errs.push(`${flag}: ${JSON.stringify(host)} must be host[:port]`);
  }
  if (!LOG_LEVELS.includes(o.logLevel)) errs.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (o.kubeconfigOut && !o.local) errs.push('--kubeconfig-out only applies with --local');
  return errs;
}
