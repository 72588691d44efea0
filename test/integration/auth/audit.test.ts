// The audit log: audit.k8s.io/v1 events as JSON lines, levels from the policy file, the Audit-ID
// echoed to the client, authorization decisions, and no credentials in the file.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';
import { eventually, startDelegatedServer, type DelegatedTestServer } from '../../support/delegated-server.js';
import { editRules } from '../../support/fake-host-cluster.js';
import { imageStream, nsPath } from '../../support/fixtures.js';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz", "/livez", "/readyz", "/readyz/*"]
- level: RequestResponse
  verbs: [create]
  resources:
  - group: image.openshift.io
    resources: [imagestreams]
- level: Request
  verbs: [update, patch]
  resources:
  - group: image.openshift.io
- level: Metadata
`;

type AuditEvent = Record<string, unknown> & { auditID: string; level: string; verb: string; requestURI: string; user: Record<string, unknown> };

describe('audit log', () => {
  let t: DelegatedTestServer;
  let logPath: string;
  const SECRET_TOKEN = 'alice-very-secret-token';

  function events(): AuditEvent[] {
    if (!existsSync(logPath)) return [];
    return readFileSync(logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
  }

  async function eventFor(auditID: string): Promise<AuditEvent> {
    let found: AuditEvent | undefined;
    await eventually(() => (found = events().find((e) => e.auditID === auditID)) !== undefined, 3000, `audit event ${auditID}`);
    return found as AuditEvent;
  }

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
    logPath = join(dir, 'audit.log');
    const policyPath = join(dir, 'policy.yaml');
    writeFileSync(policyPath, POLICY);
    t = await startDelegatedServer({ args: [`--audit-log-path=${logPath}`, `--audit-policy-file=${policyPath}`] });
    t.host.tokens.set(SECRET_TOKEN, { username: 'alice', groups: ['devs'] });
    t.host.rules = editRules({ users: ['alice'] }, 'team-a');
  });
  after(async () => t?.stop());

  it('a create at RequestResponse records the request and response objects, with the client Audit-ID', async () => {
    const r = await t.withToken(SECRET_TOKEN).post(nsPath('team-a', 'imagestreams'), imageStream('audited'), { 'Audit-ID': 'kas-audit-id-1' });
    assert.equal(r.status, 201);
    assert.equal(r.headers['audit-id'], 'kas-audit-id-1');
    const e = await eventFor('kas-audit-id-1');
    assert.equal(e.kind, 'Event');
    assert.equal(e.apiVersion, 'audit.k8s.io/v1');
    assert.equal(e.level, 'RequestResponse');
    assert.equal(e.stage, 'ResponseComplete');
    assert.equal(e.verb, 'create');
    assert.equal(e.requestURI, nsPath('team-a', 'imagestreams'));
    assert.deepEqual(e.user, { username: 'alice', uid: 'uid-alice', groups: ['devs', 'system:authenticated'] });
    assert.deepEqual(e.objectRef, { resource: 'imagestreams', namespace: 'team-a', apiGroup: 'image.openshift.io', apiVersion: 'v1' });
    assert.deepEqual(e.responseStatus, { metadata: {}, code: 201 });
    assert.deepEqual((e.requestObject as { metadata: unknown }).metadata, { name: 'audited' });
    assert.equal((e.responseObject as { metadata: { name: string } }).metadata.name, 'audited');
    assert.deepEqual(e.annotations, { 'authorization.k8s.io/decision': 'allow' });
    assert.ok(Array.isArray(e.sourceIPs) && (e.sourceIPs as string[]).includes('127.0.0.1'));
    assert.match(String(e.requestReceivedTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(String(e.stageTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('a get at Metadata has no objects; a patch at Request has the request object only', async () => {
    const alice = t.withToken(SECRET_TOKEN);
    const get = await alice.get(nsPath('team-a', 'imagestreams', 'audited'));
    const e = await eventFor(String(get.headers['audit-id']));
    assert.equal(e.level, 'Metadata');
    assert.equal(e.requestObject, undefined);
    assert.equal(e.responseObject, undefined);
    assert.deepEqual(e.objectRef, { resource: 'imagestreams', namespace: 'team-a', name: 'audited', apiGroup: 'image.openshift.io', apiVersion: 'v1' });

    const patch = await alice.patch(nsPath('team-a', 'imagestreams', 'audited'), { metadata: { labels: { audited: 'yes' } } });
    assert.equal(patch.status, 200);
    const p = await eventFor(String(patch.headers['audit-id']));
    assert.equal(p.level, 'Request');
    assert.deepEqual(p.requestObject, { metadata: { labels: { audited: 'yes' } } });
    assert.equal(p.responseObject, undefined);
  });

  it('refusals are audited with their status and decision; health probes are not audited (level None)', async () => {
    const forbidden = await t.withToken(SECRET_TOKEN).get(nsPath('team-b', 'imagestreams'));
    assert.equal(forbidden.status, 403);
    const f = await eventFor(String(forbidden.headers['audit-id']));
    assert.equal(f.level, 'Metadata');
    assert.deepEqual(f.annotations, { 'authorization.k8s.io/decision': 'forbid' });
    assert.equal((f.responseStatus as { code: number }).code, 403);
    assert.equal((f.responseStatus as { reason: string }).reason, 'Forbidden');
    assert.match(String((f.responseStatus as { message: string }).message), /cannot list resource "imagestreams"/);

    const bad = await t.withToken('not-a-token').get(nsPath('team-a', 'imagestreams'));
    assert.equal(bad.status, 401);
    const b = await eventFor(String(bad.headers['audit-id']));
    assert.deepEqual(b.user, {});
    assert.deepEqual(b.responseStatus, { metadata: {}, code: 401, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized' });

    const health = await t.anonymous().get('/readyz');
    assert.equal(health.status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(events().find((e) => e.auditID === health.headers['audit-id']), undefined);
  });

  it('never writes a credential: no bearer token, no front-proxy header values beyond the identity', async () => {
    await t.withCert(t.frontProxyCert).get(nsPath('team-a', 'imagestreams'), { 'X-Remote-User': 'alice', Authorization: `Bearer ${SECRET_TOKEN}` });
    await new Promise((r) => setTimeout(r, 200));
    const text = readFileSync(logPath, 'utf8');
    assert.ok(!text.includes(SECRET_TOKEN), 'the token is not in the audit log');
    assert.ok(!text.includes('not-a-token'), 'a rejected token is not in the audit log');
    assert.ok(!/authorization"\s*:\s*"Bearer/i.test(text), 'no Authorization header');
  });
});
