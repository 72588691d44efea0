import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { errors } from '../../../src/apiserver/errors/index.js';
import { RegistryError, type RegistryErrorInit, type RegistryErrorKind } from '../../../src/image/importer/errors.js';
import { blockedRegistryStatus, importStatusFor, importSuccess, repositoryImportFailure, unknownImportFailure } from '../../../src/image/importer/import-status.js';

const REF = 'registry.example.com:5000/team/app:v1';
const err = (kind: RegistryErrorKind, message: string, extra: Partial<RegistryErrorInit> = {}) =>
  new RegistryError(kind, message, { registry: 'registry.example.com:5000', reference: REF, repository: 'team/app', ...extra });

describe('per-image import status of a failure', () => {
  it('a missing tag or repository is 404 NotFound on dockerimage', () => {
    assert.deepEqual(importStatusFor(err('NotFound', 'manifest unknown')), {
      metadata: {},
      status: 'Failure',
      message: `dockerimage.image.openshift.io "${REF}" not found`,
      reason: 'NotFound',
      details: { name: REF, group: 'image.openshift.io', kind: 'dockerimage' },
      code: 404,
    });
  });

  it('401s say whether credentials were missing, wrong, or not enough', () => {
    const s = (credentials: 'none' | 'rejected' | 'accepted') => importStatusFor(err('Unauthorized', 'x', { credentials }));
    assert.deepEqual(s('rejected'), { metadata: {}, status: 'Failure', message: `incorrect username or password for image "${REF}"`, reason: 'Unauthorized', code: 401 });
    assert.equal(s('none').message, `you may not have access to the container image "${REF}" and did not have credentials to the repository`);
    assert.equal(s('accepted').message, `you may not have access to the container image "${REF}"`);
    assert.equal(s('none').code, 401);
  });

  it('a plain-HTTP registry without insecure is 400 and says which flag to set', () => {
    const s = importStatusFor(err('InsecureRequired', 'the registry registry.example.com:5000 speaks plain HTTP, not HTTPS; set importPolicy.insecure: true …'));
    assert.equal(s.code, 400);
    assert.equal(s.reason, 'BadRequest');
    assert.match(s.message ?? '', /^the repository team\/app is HTTP only and requires the insecure flag to import: .*importPolicy\.insecure/);
  });

  it('an untrusted certificate keeps OpenShift\'s 500 InternalError, and says what to change', () => {
    const s = importStatusFor(err('CertificateInvalid', 'the TLS certificate of the registry x cannot be verified (SELF_SIGNED); trust its CA, or set importPolicy.insecure: true'));
    assert.deepEqual([s.code, s.reason], [500, 'InternalError']);
    assert.match(s.message ?? '', new RegExp(`^Internal error occurred: ${REF.replace(/[.]/g, '\\.')}: the TLS certificate .*trust its CA`));
  });

  it('rate limits and outages keep OpenShift\'s 500 InternalError, naming the registry and what happened', () => {
    const limited = importStatusFor(err('TooManyRequests', 'the registry r is rate limiting requests: toomanyrequests: slow down', { retryAfterSeconds: 60 }));
    assert.deepEqual([limited.code, limited.reason], [500, 'InternalError']);
    assert.equal(limited.details?.retryAfterSeconds, 60);
    assert.match(limited.message ?? '', /^Internal error occurred: .*rate limiting requests.*try again later/);
    const down = importStatusFor(err('Unavailable', 'the registry r refused the connection'));
    assert.deepEqual([down.code, down.reason, down.message], [500, 'InternalError', `Internal error occurred: ${REF}: the registry r refused the connection`]);
  });

  it('denied access is 403 Forbidden; a registry without /v2/ is 403 NotV2Registry', () => {
    const denied = importStatusFor(err('Forbidden', 'the registry r denied access', { details: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
    assert.deepEqual([denied.code, denied.reason], [403, 'Forbidden']);
    assert.equal(denied.message, `you may not have access to the container image "${REF}": denied: requested access to the resource is denied`);
    assert.equal(importStatusFor(err('Forbidden', 'x')).message, `you may not have access to the container image "${REF}"`);
    const v1 = importStatusFor(err('NotV2Registry', 'x'));
    assert.deepEqual([v1.code, v1.reason, v1.message], [403, 'NotV2Registry', 'forbidden: registry "registry.example.com:5000" does not support the v2 Registry API']);
  });

  it('integrity errors and unreadable manifests are internal errors carrying the registry\'s words', () => {
    const mismatch = importStatusFor(err('DigestMismatch', 'content integrity error: the manifest retrieved (media type: m) with digest a does not match the digest calculated from the content b'));
    assert.deepEqual(mismatch, {
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: content integrity error: the manifest retrieved (media type: m) with digest a does not match the digest calculated from the content b',
      reason: 'InternalError',
      details: { causes: [{ message: 'content integrity error: the manifest retrieved (media type: m) with digest a does not match the digest calculated from the content b' }] },
      code: 500,
    });
    assert.equal(importStatusFor(err('InvalidManifest', 'invalid manifest: bad')).message, `Internal error occurred: ${REF}: invalid manifest: bad`);
    assert.equal(importStatusFor(err('Unexpected', 'answered 418')).code, 500);
  });

  it('uses the caller\'s reference when given, passes StatusErrors through, wraps anything else', () => {
    assert.equal(importStatusFor(err('NotFound', 'x'), 'team/app:v1').message, 'dockerimage.image.openshift.io "team/app:v1" not found');
    const status = importStatusFor(errors.badRequest('nope'));
    assert.deepEqual(status, { metadata: {}, status: 'Failure', message: 'nope', reason: 'BadRequest', code: 400 });
    assert.equal(importStatusFor(new Error('boom'), 'r/a:b').message, 'Internal error occurred: r/a:b: boom');
  });

  it('repository, blocked-registry, success and "neither image nor error" statuses', () => {
    assert.deepEqual(importSuccess(), { metadata: {}, status: 'Success' });
    assert.deepEqual(repositoryImportFailure(1), { metadata: {}, status: 'Failure', message: 'one of the images from this repository failed to import', reason: 'ImportFailed' });
    assert.equal(repositoryImportFailure(3).message, '3 of the images from this repository failed to import');
    assert.deepEqual(blockedRegistryStatus('bad.io'), { metadata: {}, status: 'Failure', message: 'forbidden: registry bad.io blocked', reason: 'Forbidden', details: {}, code: 403 });
    assert.equal(
      unknownImportFailure('tag', 'v1', 'team/app', 'Legacy').message,
      'Internal error occurred: unknown error while importing tag "v1" from repository "team/app" with import mode "Legacy", please try again.',
    );
  });
});
