// Query parameters of list/watch/write/delete requests, validated with the messages of
// k8s.io/apimachinery's internalversion validation.

import { FieldSelector, FieldSelectorParseError } from '../api/fields.js';
import { LabelSelector, LabelSelectorParseError } from '../api/labels.js';
import { isObject } from '../api/types.js';
import { errors, fieldErrors, invalidOptions, type FieldErrorList } from '../errors/index.js';
import type { DeleteParams, ListParams } from '../registry/rest.js';
import type { ResourceVersionMatch } from '../storage/interfaces.js';

/** List parameters plus what only watches use. */
export interface ParsedListOptions extends ListParams {
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
}

export function parseBool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  if (v === '' || v === 'true' || v === '1' || v === 'True' || v === 'TRUE') return true;
  if (v === 'false' || v === '0' || v === 'False' || v === 'FALSE') return false;
  throw errors.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function validateRV(rv: string): void {
  if (!/^\d+$/.test(rv)) {
    throw errors.badRequest(
      `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`,
    );
  }
}

export function parseListOptions(q: URLSearchParams, isWatch: boolean): ParsedListOptions {
  let labelSelector = LabelSelector.everything();
  let fieldSelector = FieldSelector.everything();
  const ls = q.get('labelSelector');
  if (ls) {
    try {
      labelSelector = LabelSelector.parse(ls);
    } catch (err) {
      if (err instanceof LabelSelectorParseError) throw errors.badRequest(err.message);
      throw err;
    }
  }
  const fs = q.get('fieldSelector');
  if (fs) {
    try {
      fieldSelector = FieldSelector.parse(fs);
    } catch (err) {
      if (err instanceof FieldSelectorParseError) throw errors.badRequest(err.message);
      throw err;
    }
  }
  const rv = q.get('resourceVersion') ?? undefined;
  const rvm = q.get('resourceVersionMatch') ?? undefined;
  const cont = q.get('continue') ?? undefined;
  const limitRaw = q.get('limit');
  let limit: number | undefined;
  if (limitRaw !== null && limitRaw !== '') {
    if (!/^-?\d+$/.test(limitRaw)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(limitRaw)}: invalid syntax`);
    limit = Math.max(0, Number(limitRaw));
  }
  const timeoutRaw = q.get('timeoutSeconds');
  let timeoutSeconds: number | undefined;
  if (timeoutRaw !== null && timeoutRaw !== '') {
    if (!/^\d+$/.test(timeoutRaw)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(timeoutRaw)}: invalid syntax`);
    timeoutSeconds = Number(timeoutRaw);
  }
  const allowWatchBookmarks = parseBool(q.get('allowWatchBookmarks')) ?? false;
  const sendInitialEvents = parseBool(q.get('sendInitialEvents'));

  if (rv) validateRV(rv);
  if (cont && rv && rv !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');

  const errs: FieldErrorList = [];
  const path = 'resourceVersionMatch';
  if (isWatch) {
    if (sendInitialEvents !== undefined) {
      if (rvm !== 'NotOlderThan') errs.push(fieldErrors.forbidden(path, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
      if (rvm && rvm !== 'NotOlderThan') errs.push(fieldErrors.notSupported(path, rvm, ['NotOlderThan']));
    } else if (rvm) {
      errs.push(fieldErrors.forbidden(path, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    }
  } else {
    if (sendInitialEvents !== undefined) errs.push(fieldErrors.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
    if (rvm) {
      if (!rv) errs.push(fieldErrors.forbidden(path, 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (cont) errs.push(fieldErrors.forbidden(path, 'resourceVersionMatch is forbidden when continue is provided'));
      if (rvm !== 'Exact' && rvm !== 'NotOlderThan') errs.push(fieldErrors.notSupported(path, rvm, ['Exact', 'NotOlderThan', '']));
      if (rvm === 'Exact' && rv === '0') errs.push(fieldErrors.forbidden(path, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (errs.length) throw invalidOptions('ListOptions', errs);

  const out: ParsedListOptions = { labelSelector, fieldSelector, allowWatchBookmarks };
  if (rv !== undefined && rv !== '') out.resourceVersion = rv;
  if (rvm) out.resourceVersionMatch = rvm as ResourceVersionMatch;
  if (limit !== undefined && limit > 0) out.limit = limit;
  if (cont) out.continue = cont;
  if (timeoutSeconds !== undefined) out.timeoutSeconds = timeoutSeconds;
  if (sendInitialEvents !== undefined) out.sendInitialEvents = sendInitialEvents;
  return out;
}

/** dryRun: only "All" is defined; anything else is 422 on the verb's options kind. */
export function parseDryRun(values: string[], optionsKind: string): boolean {
  if (values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  throw invalidOptions(optionsKind, [fieldErrors.notSupported('dryRun', values, ['All'])]);
}

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
}

export function parseWriteOptions(q: URLSearchParams, optionsKind: string): WriteOptions {
  const dryRun = parseDryRun(q.getAll('dryRun'), optionsKind);
  const errs: FieldErrorList = [];
  const fm = q.get('fieldManager') ?? undefined;
  if (fm !== undefined) {
    if (fm.length > 128) errs.push(fieldErrors.tooLong('fieldManager', 128));
    else if (!/^[\x20-\x7e]*$/.test(fm)) errs.push(fieldErrors.invalid('fieldManager', fm, 'must be a printable string'));
  }
  const fv = q.get('fieldValidation') ?? '';
  if (!['', 'Ignore', 'Warn', 'Strict'].includes(fv)) {
    errs.push(fieldErrors.notSupported('fieldValidation', fv, ['', 'Ignore', 'Warn', 'Strict']));
  }
  if (errs.length) throw invalidOptions(optionsKind, errs);
  const out: WriteOptions = { dryRun, fieldValidation: (fv || 'Warn') as FieldValidation };
  if (fm) out.fieldManager = fm;
  return out;
}

const DELETE_OPTION_VERSIONS = new Set(['meta.k8s.io/v1', 'v1', 'meta.k8s.io/v1beta1']);
const POLICIES = ['Foreground', 'Background', 'Orphan'] as const;

export interface ParsedDeleteOptions extends DeleteParams {
  dryRun: boolean;
}

/** DeleteOptions from a JSON body, or from the query when the body is empty. */
export function parseDeleteOptions(body: unknown, q: URLSearchParams, groupVersion: string): ParsedDeleteOptions {
  let src: Record<string, unknown> = {};
  if (body !== undefined) {
    if (!isObject(body)) throw errors.badRequest('DeleteOptions must be a JSON object');
    const av = body.apiVersion;
    if (av !== undefined && (typeof av !== 'string' || (!DELETE_OPTION_VERSIONS.has(av) && av !== groupVersion))) {
      throw errors.badRequest(`the API version in the data (${String(av)}) does not match the expected API version (meta.k8s.io/v1)`);
    }
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') {
      throw errors.badRequest(`${String(body.kind)} in version "v1" cannot be handled as a DeleteOptions`);
    }
    src = body;
  } else {
    const gps = q.get('gracePeriodSeconds');
    if (gps !== null) src.gracePeriodSeconds = Number(gps);
    const pp = q.get('propagationPolicy');
    if (pp !== null) src.propagationPolicy = pp;
    const od = q.get('orphanDependents');
    if (od !== null) src.orphanDependents = parseBool(od);
    const dr = q.getAll('dryRun');
    if (dr.length) src.dryRun = dr;
  }
  const errs: FieldErrorList = [];
  const out: ParsedDeleteOptions = { dryRun: false };
  if (src.dryRun !== undefined) {
    const values = Array.isArray(src.dryRun) ? src.dryRun.map(String) : [String(src.dryRun)];
    out.dryRun = parseDryRun(values, 'DeleteOptions');
  }
  if (src.propagationPolicy !== undefined && src.propagationPolicy !== null) {
    const pp = String(src.propagationPolicy);
    if (!(POLICIES as readonly string[]).includes(pp)) {
      errs.push(fieldErrors.notSupported('propagationPolicy', pp, ['Foreground', 'Background', 'Orphan', 'nil']));
    } else {
      out.propagationPolicy = pp as (typeof POLICIES)[number];
    }
  }
  if (src.orphanDependents !== undefined && src.orphanDependents !== null) {
    out.orphanDependents = src.orphanDependents === true;
    if (src.propagationPolicy !== undefined && src.propagationPolicy !== null) {
      errs.push(fieldErrors.invalid('propagationPolicy', src.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
    }
  }
  if (src.gracePeriodSeconds !== undefined && src.gracePeriodSeconds !== null) {
    const g = Number(src.gracePeriodSeconds);
    if (!Number.isInteger(g)) errs.push(fieldErrors.invalid('gracePeriodSeconds', src.gracePeriodSeconds, 'must be an integer'));
    else out.gracePeriodSeconds = g;
  }
  if (isObject(src.preconditions)) {
    const pre: DeleteParams['preconditions'] = {};
    if (typeof src.preconditions.uid === 'string') pre.uid = src.preconditions.uid;
    if (typeof src.preconditions.resourceVersion === 'string') pre.resourceVersion = src.preconditions.resourceVersion;
    out.preconditions = pre;
  }
  if (errs.length) throw invalidOptions('DeleteOptions', errs);
  return out;
}
