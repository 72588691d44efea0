// audit.k8s.io/v1 Policy: the first rule that matches a request decides its level (None,
// Metadata, Request, RequestResponse); no matching rule means None, as in kube-apiserver.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../registry/strategy.js';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof STAGES)[number];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What a rule is matched against. */
export interface AuditAttributes {
  user?: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface PolicyDecision {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Checks a parsed policy document; throws with every problem listed. */
export function validatePolicy(doc: unknown): Policy {
  const errs: string[] = [];
  if (!doc || typeof doc !== 'object') throw new Error('audit policy: not an object');
  const d = doc as Record<string, unknown>;
  if (d.kind !== 'Policy') errs.push(`kind must be "Policy", not ${JSON.stringify(d.kind)}`);
  if (d.apiVersion !== 'audit.k8s.io/v1') errs.push(`apiVersion must be "audit.k8s.io/v1", not ${JSON.stringify(d.apiVersion)}`);
  const stages = (v: unknown, where: string): AuditStage[] | undefined => {
    if (v === undefined) return undefined;
    if (!isStringList(v) || !v.every((s) => (STAGES as readonly string[]).includes(s))) {
      errs.push(`${where}: must be a list of ${STAGES.join(', ')}`);
      return undefined;
    }
    return v as AuditStage[];
  };
  const rules: PolicyRule[] = [];
  if (!Array.isArray(d.rules) || d.rules.length === 0) errs.push('rules: at least one rule is required');
  for (const [i, raw] of (Array.isArray(d.rules) ? d.rules : []).entries()) {
    const where = `rules[${i}]`;
    if (!raw || typeof raw !== 'object') {
      errs.push(`${where}: not an object`);
      continue;
    }
    const r = raw as Record<string, unknown>;
    if (!(LEVELS as readonly unknown[]).includes(r.level)) errs.push(`${where}.level: must be one of ${LEVELS.join(', ')}`);
    for (const f of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
      if (r[f] !== undefined && !isStringList(r[f])) errs.push(`${where}.${f}: must be a list of strings`);
    }
    if (r.resources !== undefined) {
      if (!Array.isArray(r.resources)) errs.push(`${where}.resources: must be a list`);
      else
        for (const [j, g] of r.resources.entries()) {
          const gr = g as Record<string, unknown> | null;
          if (!gr || typeof gr !== 'object') errs.push(`${where}.resources[${j}]: not an object`);
          else {
            if (gr.group !== undefined && typeof gr.group !== 'string') errs.push(`${where}.resources[${j}].group: must be a string`);
            if (gr.resources !== undefined && !isStringList(gr.resources)) errs.push(`${where}.resources[${j}].resources: must be a list of strings`);
            if (gr.resourceNames !== undefined && !isStringList(gr.resourceNames)) errs.push(`${where}.resources[${j}].resourceNames: must be a list of strings`);
          }
        }
    }
    if (r.nonResourceURLs !== undefined && (r.resources !== undefined || r.namespaces !== undefined)) {
      errs.push(`${where}: nonResourceURLs cannot be combined with resources or namespaces`);
    }
    rules.push({
      level: r.level as AuditLevel,
      users: r.users as string[] | undefined,
      userGroups: r.userGroups as string[] | undefined,
      verbs: r.verbs as string[] | undefined,
      resources: r.resources as GroupResources[] | undefined,
      namespaces: r.namespaces as string[] | undefined,
      nonResourceURLs: r.nonResourceURLs as string[] | undefined,
      omitStages: stages(r.omitStages, `${where}.omitStages`),
      omitManagedFields: r.omitManagedFields === undefined ? undefined : r.omitManagedFields === true,
    });
  }
  const omitStages = stages(d.omitStages, 'omitStages');
  if (errs.length) throw new Error(`invalid audit policy: ${errs.join('; ')}`);
  return { rules, omitStages, omitManagedFields: d.omitManagedFields === true };
}

export function loadPolicyFile(path: string): Policy {
  const text = readFileSync(path, 'utf8');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`audit policy ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return validatePolicy(doc);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function listed(list: string[] | undefined, value: string): boolean {
  return !list || list.length === 0 || list.includes(value);
}

/** "pods", "pods/log", "*", "pods/*", "*\/scale" as the upstream policy documents them. */
function resourceMatches(pattern: string, resource: string, subresource: string): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  if (pattern === '*' || pattern === full) return true;
  if (subresource && pattern === `${resource}/*`) return true;
  if (subresource && pattern === `*/${subresource}`) return true;
  return false;
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !(a.user && r.users.includes(a.user.username))) return false;
  if (r.userGroups?.length && !(a.user && a.user.groups.some((g) => r.userGroups?.includes(g)))) return false;
  if (!listed(r.verbs, a.verb)) return false;
  if (a.isResourceRequest) {
    if (r.nonResourceURLs?.length) return false;
    if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
    if (!r.resources?.length) return true;
    return r.resources.some(
      (g) =>
        (g.group ?? '') === a.apiGroup &&
        (!g.resources?.length || g.resources.some((p) => resourceMatches(p, a.resource, a.subresource))) &&
        (!g.resourceNames?.length || g.resourceNames.includes(a.name)),
    );
  }
  if (r.resources?.length || r.namespaces?.length) return false;
  if (!r.nonResourceURLs?.length) return true;
  return r.nonResourceURLs.some((u) => (u.endsWith('*') ? a.path.startsWith(u.slice(0, -1)) : a.path === u));
}

export class PolicyEvaluator {
  constructor(private readonly policy: Policy) {}

  evaluate(a: AuditAttributes): PolicyDecision {
    for (const r of this.policy.rules) {
      if (!ruleMatches(r, a)) continue;
      return {
        level: r.level,
        omitStages: [...new Set([...(this.policy.omitStages ?? []), ...(r.omitStages ?? [])])],
        omitManagedFields: r.omitManagedFields ?? this.policy.omitManagedFields ?? false,
      };
    }
    return { level: 'None', omitStages: [], omitManagedFields: false };
  }
}
