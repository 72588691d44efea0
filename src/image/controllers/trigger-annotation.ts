// The image.openshift.io/triggers annotation, OpenShift's format: a JSON list of
// {"from": {"kind": "ImageStreamTag", "name": "<stream>:<tag>", "namespace": "<ns>"},
//  "fieldPath": "spec.template.spec.containers[?(@.name==\"web\")].image", "paused": false}.
// Parsed as Go's json.Unmarshal into []ObjectFieldTrigger would: unknown fields are ignored, a
// value of the wrong type or two triggers on one field path reject the whole annotation.

export const TRIGGER_ANNOTATION = 'image.openshift.io/triggers';

export interface ObjectFieldTrigger {
  from: { kind: string; name: string; namespace: string; apiVersion: string };
  fieldPath: string;
  paused: boolean;
}

export type ParsedTriggers = { ok: true; triggers: ObjectFieldTrigger[] } | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T extends 'string' | 'boolean'>(obj: Record<string, unknown>, key: string, type: T, where: string): (T extends 'string' ? string : boolean) | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw new Error(`${where}.${key} must be a ${type}`);
  return v as T extends 'string' ? string : boolean;
}

export function parseTriggers(annotation: string): ParsedTriggers {
  let doc: unknown;
  try {
    doc = JSON.parse(annotation);
  } catch (err) {
    return { ok: false, error: `the ${TRIGGER_ANNOTATION} annotation is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (doc === null) return { ok: true, triggers: [] };
  if (!Array.isArray(doc)) return { ok: false, error: `the ${TRIGGER_ANNOTATION} annotation must be a JSON list of triggers` };
  try {
    const triggers = doc.map((t: unknown, i): ObjectFieldTrigger => {
      const where = `trigger ${i}`;
      if (!isObject(t)) throw new Error(`${where} must be an object`);
      const from = t.from ?? {};
      if (!isObject(from)) throw new Error(`${where}.from must be an object`);
      return {
        from: {
          kind: field(from, 'kind', 'string', `${where}.from`) ?? '',
          name: field(from, 'name', 'string', `${where}.from`) ?? '',
          namespace: field(from, 'namespace', 'string', `${where}.from`) ?? '',
          apiVersion: field(from, 'apiVersion', 'string', `${where}.from`) ?? '',
        },
        fieldPath: field(t, 'fieldPath', 'string', where) ?? '',
        paused: field(t, 'paused', 'boolean', where) ?? false,
      };
    });
    const seen = new Set<string>();
    for (const t of triggers) {
      if (seen.has(t.fieldPath)) return { ok: false, error: `the ${TRIGGER_ANNOTATION} annotation has two triggers for ${t.fieldPath}: duplicate triggers are not allowed` };
      seen.add(t.fieldPath);
    }
    return { ok: true, triggers };
  } catch (err) {
    return { ok: false, error: `the ${TRIGGER_ANNOTATION} annotation is invalid: ${err instanceof Error ? err.message : String(err)}` };
  }
}
