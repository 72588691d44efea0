// Where the client CA and the front-proxy settings come from: flags when given, otherwise the
// host's kube-system/extension-apiserver-authentication ConfigMap, watched so that a rotated CA
// takes effect without a restart. CA files given by flag are re-read when they change.

import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import type { ConfigMapData, HostCluster, Informer } from '../hostcluster/types.js';
import { CABundle } from './certificates.js';
import type { RequestHeaderConfig } from './request-header.js';

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

export interface AuthenticationFlags {
  clientCAFile: string;
  requestHeaderClientCAFile: string;
  requestHeaderAllowedNames: readonly string[];
  requestHeaderUsernameHeaders: readonly string[];
  requestHeaderGroupHeaders: readonly string[];
  requestHeaderExtraHeadersPrefix: readonly string[];
  requestHeaderUIDHeaders: readonly string[];
}

/** A ConfigMap list value: a JSON array of strings, or null / absent for none. */
function jsonList(data: Record<string, string>, key: string, errors: string[]): string[] {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return [];
  try {
    const v: unknown = JSON.parse(raw);
    if (v === null) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // reported below
  }
  errors.push(`${key}: not a JSON list of strings: ${raw.slice(0, 100)}`);
  return [];
}

export interface ParsedAuthenticationConfigMap {
  clientCA?: CABundle;
  requestHeader?: RequestHeaderConfig;
  errors: string[];
}

export function parseAuthenticationConfigMap(data: Record<string, string>): ParsedAuthenticationConfigMap {
  const out: ParsedAuthenticationConfigMap = { errors: [] };
  if (data['client-ca-file']?.trim()) {
    try {
      out.clientCA = CABundle.parse(data['client-ca-file'], 'client-ca-file');
    } catch (err) {
      out.errors.push((err as Error).message);
    }
  }
  if (data['requestheader-client-ca-file']?.trim()) {
    try {
      out.requestHeader = {
        ca: CABundle.parse(data['requestheader-client-ca-file'], 'requestheader-client-ca-file'),
        allowedNames: jsonList(data, 'requestheader-allowed-names', out.errors),
        usernameHeaders: jsonList(data, 'requestheader-username-headers', out.errors),
        uidHeaders: jsonList(data, 'requestheader-uid-headers', out.errors),
        groupHeaders: jsonList(data, 'requestheader-group-headers', out.errors),
        extraHeaderPrefixes: jsonList(data, 'requestheader-extra-headers-prefix', out.errors),
      };
    } catch (err) {
      out.errors.push((err as Error).message);
    }
  }
  return out;
}

/** A CA bundle file, re-read when its modification time changes. */
export class CAFile {
  private bundle: CABundle;
  constructor(
    private readonly path: string,
    logger: Logger,
  ) {
    this.bundle = CABundle.parse(readFileSync(path, 'utf8'), path);
    watchFile(path, { interval: 5000, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs === prev.mtimeMs) return;
      try {
        this.bundle = CABundle.parse(readFileSync(path, 'utf8'), path);
        logger.info({ file: path }, 'reloaded CA bundle');
      } catch (err) {
        logger.error({ file: path, err: (err as Error).message }, 'keeping the previous CA bundle: the new one is invalid');
      }
    });
  }
  get current(): CABundle {
    return this.bundle;
  }
  stop(): void {
    unwatchFile(this.path);
  }
}

export interface DelegatedAuthenticationConfigOptions {
  flags: AuthenticationFlags;
  /** Without a host (local mode) only the flags count. */
  host?: HostCluster;
  logger: Logger;
}

export class DelegatedAuthenticationConfig {
  private clientCAFile: CAFile | undefined;
  private requestHeaderCAFile: CAFile | undefined;
  private fromConfigMap: ParsedAuthenticationConfigMap = { errors: [] };
  private informer: Informer | undefined;
  private readonly flags: AuthenticationFlags;
  private readonly logger: Logger;
  private loaded = false;

  constructor(o: DelegatedAuthenticationConfigOptions) {
    this.flags = o.flags;
    this.logger = o.logger;
    if (o.flags.clientCAFile) this.clientCAFile = new CAFile(o.flags.clientCAFile, o.logger);
    if (o.flags.requestHeaderClientCAFile) this.requestHeaderCAFile = new CAFile(o.flags.requestHeaderClientCAFile, o.logger);
    // The ConfigMap is only needed for what the flags leave open.
    if (o.host && !(this.clientCAFile && this.requestHeaderCAFile)) {
      const { namespace, name } = AUTHENTICATION_CONFIGMAP;
      this.informer = o.host.watchConfigMap(namespace, name, (cm) => this.update(cm));
    } else {
      this.loaded = true;
    }
  }

  private update(cm: ConfigMapData | undefined): void {
    const { namespace, name } = AUTHENTICATION_CONFIGMAP;
    if (!cm) {
      this.logger.warn({ configmap: `${namespace}/${name}` }, 'authentication ConfigMap not found: no client CA and no front-proxy authentication from it');
      this.fromConfigMap = { errors: [] };
    } else {
      const parsed = parseAuthenticationConfigMap(cm.data);
      for (const e of parsed.errors) this.logger.error({ configmap: `${namespace}/${name}`, err: e }, 'invalid entry in the authentication ConfigMap');
      // A broken CA in an update keeps the previous one rather than locking everybody out.
      this.fromConfigMap = {
        clientCA: parsed.clientCA ?? (cm.data['client-ca-file']?.trim() ? this.fromConfigMap.clientCA : undefined),
        requestHeader: parsed.requestHeader ?? (cm.data['requestheader-client-ca-file']?.trim() ? this.fromConfigMap.requestHeader : undefined),
        errors: parsed.errors,
      };
      this.logger.info({ configmap: `${namespace}/${name}`, resourceVersion: cm.resourceVersion }, 'loaded the authentication ConfigMap');
    }
    this.loaded = true;
  }

  /** Waits for the ConfigMap's first state; false when it did not arrive in time. */
  async waitForLoad(timeoutMs: number): Promise<boolean> {
    if (this.loaded) return true;
    return (await this.informer?.waitForSync(timeoutMs)) ?? true;
  }

  isLoaded(): boolean {
    return this.loaded;
  }

  clientCA(): CABundle | undefined {
    return this.clientCAFile?.current ?? this.fromConfigMap.clientCA;
  }

  /** The flags win as a whole when --requestheader-client-ca-file is set (as in k8s.io/apiserver). */
  requestHeader(): RequestHeaderConfig | undefined {
    if (this.requestHeaderCAFile) {
      const f = this.flags;
      return {
        ca: this.requestHeaderCAFile.current,
        allowedNames: f.requestHeaderAllowedNames,
        usernameHeaders: f.requestHeaderUsernameHeaders,
        uidHeaders: f.requestHeaderUIDHeaders,
        groupHeaders: f.requestHeaderGroupHeaders,
        extraHeaderPrefixes: f.requestHeaderExtraHeadersPrefix,
      };
    }
    return this.fromConfigMap.requestHeader;
  }

  stop(): void {
    this.clientCAFile?.stop();
    this.requestHeaderCAFile?.stop();
    this.informer?.stop();
  }
}
