// Runs the real helm (hack/install-tools.sh helm -> .tools/bin/helm) against charts/image-apiserver and
// parses what it renders. helm's cache, config and data directories point at a temp dir of this process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'charts', 'image-apiserver');
export const HELM = join(REPO_ROOT, '.tools', 'bin', 'helm');
export const RELEASE = 'imgapi';
export const NAMESPACE = 'image-system';
// A fixed Kubernetes version, so that renders do not depend on helm's built-in default.
export const KUBE_VERSION = '1.30.0';

export type Values = { [key: string]: unknown };

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export interface ClusterRole extends K8sObject {
  rules: PolicyRule[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface RoleBinding extends K8sObject {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: Subject[];
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: VolumeMount[];
}

export interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  secret?: { secretName: string; defaultMode?: number; items?: { key: string; path: string }[] };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  volumes?: Volume[];
  affinity?: {
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: {
        weight: number;
        podAffinityTerm: { topologyKey: string; labelSelector: LabelSelector };
      }[];
      requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string; labelSelector: LabelSelector }[];
    };
  };
  topologySpreadConstraints?: {
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: LabelSelector;
  }[];
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Deployment extends K8sObject {
  spec: {
    replicas: number;
    strategy: { type: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    selector: LabelSelector;
    template: PodTemplate;
  };
}

export interface StatefulSet extends K8sObject {
  spec: {
    replicas: number;
    serviceName: string;
    podManagementPolicy?: string;
    updateStrategy?: { type: string };
    selector: LabelSelector;
    template: PodTemplate;
    volumeClaimTemplates: {
      metadata: { name: string };
      spec: { accessModes: string[]; storageClassName?: string; resources: { requests: { storage: string } } };
    }[];
  };
}

export interface Service extends K8sObject {
  spec: {
    type?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string | number; protocol?: string }[];
  };
}

export interface APIService extends K8sObject {
  spec: {
    group: string;
    version: string;
    groupPriorityMinimum: number;
    versionPriority: number;
    service: { name: string; namespace: string; port: number };
    caBundle?: string;
    insecureSkipTLSVerify?: boolean;
  };
}

export interface Secret extends K8sObject {
  type: string;
  data: Record<string, string>;
}

export interface PodDisruptionBudget extends K8sObject {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: LabelSelector };
}

export interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: LabelSelector;
    policyTypes: string[];
    ingress: { from?: { podSelector?: LabelSelector }[]; ports?: { port: string | number; protocol?: string }[] }[];
  };
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

let scratch: string | undefined;

/** One temp dir per process for helm's home and the values files; removed when the process exits. */
function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'chart-test-'));
    scratch = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

function helmEnv(): NodeJS.ProcessEnv {
  const home = scratchDir();
  return {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

/** Installs helm into .tools/bin when it is missing (the Makefile's `tools` target normally has). */
export function ensureHelm(): void {
  if (existsSync(HELM)) return;
  const res = spawnSync('bash', [join(REPO_ROOT, 'hack', 'install-tools.sh'), 'helm'], { stdio: 'inherit' });
  if (res.status !== 0 || !existsSync(HELM)) throw new Error('could not install helm with hack/install-tools.sh helm');
}

export function runHelm(args: string[]): HelmResult {
  ensureHelm();
  const res = spawnSync(HELM, args, { env: helmEnv(), encoding: 'utf8', cwd: REPO_ROOT });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

let valuesFiles = 0;

function valuesFile(values: Values): string {
  const file = join(scratchDir(), `values-${++valuesFiles}.yaml`);
  // JSON is YAML.
  writeFileSync(file, JSON.stringify(values, null, 2));
  return file;
}

export function helmTemplateRaw(values: Values = {}, extraArgs: string[] = []): HelmResult {
  return runHelm([
    'template', RELEASE, CHART_DIR,
    '--namespace', NAMESPACE,
    '--kube-version', KUBE_VERSION,
    '--values', valuesFile(values),
    ...extraArgs,
  ]);
}

export function helmLint(values: Values = {}): HelmResult {
  return runHelm(['lint', '--strict', CHART_DIR, '--namespace', NAMESPACE, '--values', valuesFile(values)]);
}

export function parseObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || !('kind' in value) || !('metadata' in value)) {
      throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    }
    out.push(value as K8sObject);
  }
  return out;
}

/** `helm template` with the given values; throws with helm's stderr when it fails. */
export function render(values: Values = {}): Rendered {
  const res = helmTemplateRaw(values);
  if (res.status !== 0) throw new Error(`helm template failed (${res.status}):\n${res.stderr}`);
  return new Rendered(parseObjects(res.stdout));
}

export class Rendered {
  constructor(readonly objects: K8sObject[]) {}

  all<T extends K8sObject>(kind: string): T[] {
    return this.objects.filter((o) => o.kind === kind) as T[];
  }

  maybe<T extends K8sObject>(kind: string, name?: string): T | undefined {
    const found = this.all<T>(kind).filter((o) => name === undefined || o.metadata.name === name);
    if (found.length > 1) throw new Error(`${found.length} objects of kind ${kind}${name ? ` named ${name}` : ''}`);
    return found[0];
  }

  one<T extends K8sObject>(kind: string, name?: string): T {
    const found = this.maybe<T>(kind, name);
    if (!found) {
      const have = this.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
      throw new Error(`no ${kind}${name ? ` named ${name}` : ''} rendered; have: ${have}`);
    }
    return found;
  }
}

/** The full name of the release's objects (release "imgapi" does not contain the chart name). */
export const FULLNAME = `${RELEASE}-image-apiserver`;

export function container(pod: PodTemplate, name: string): Container {
  const c = pod.spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

/** The value of `--flag=value` in args, or undefined. Fails when the flag is given twice. */
export function flag(args: string[] | undefined, name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = (args ?? []).filter((a) => a.startsWith(prefix));
  if (found.length > 1) throw new Error(`--${name} given ${found.length} times`);
  return found[0]?.slice(prefix.length);
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function unb64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
