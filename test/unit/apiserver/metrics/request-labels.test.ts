import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from '@jest/globals';
import { parseRequestInfo } from '../../../../src/apiserver/endpoints/request-info.js';
import { requestLabels } from '../../../../src/apiserver/metrics/request-labels.js';

const known = new Set(['image.openshift.io/v1/imagestreams', 'image.openshift.io/v1/imagestreams/status', 'image.openshift.io/v1/images']);

function labels(method: string, path: string, contentType?: string): Record<string, string> {
  const url = new URL(path, 'https://x');
  const req = { method, headers: contentType ? { 'content-type': contentType } : {} } as IncomingMessage;
  return { ...requestLabels(parseRequestInfo(method, url.pathname, url.searchParams), url.searchParams, req, known) };
}

const NS = '/apis/image.openshift.io/v1/namespaces/a/imagestreams';

describe('request metric labels', () => {
  it('report verbs the way kube-apiserver does', () => {
    const verb = (m: string, p: string, ct?: string): string => labels(m, p, ct).verb;
    assert.equal(verb('GET', `${NS}/x`), 'GET');
    assert.equal(verb('GET', NS), 'LIST');
    assert.equal(verb('GET', `${NS}?watch=true`), 'WATCH');
    assert.equal(verb('POST', NS), 'POST');
    assert.equal(verb('PUT', `${NS}/x`), 'PUT');
    assert.equal(verb('PATCH', `${NS}/x`, 'application/merge-patch+json'), 'PATCH');
    assert.equal(verb('PATCH', `${NS}/x`, 'application/apply-patch+yaml'), 'APPLY');
    assert.equal(verb('DELETE', `${NS}/x`), 'DELETE');
    assert.equal(verb('DELETE', NS), 'DELETECOLLECTION');
  });

  it('report scope, subresource and dry run', () => {
    assert.equal(labels('GET', `${NS}/x/status`).subresource, 'status');
    assert.equal(labels('GET', `${NS}/x`).scope, 'resource');
    assert.equal(labels('POST', NS).scope, 'resource');
    assert.equal(labels('GET', NS).scope, 'namespace');
    assert.equal(labels('GET', '/apis/image.openshift.io/v1/imagestreams').scope, 'cluster');
    assert.equal(labels('POST', `${NS}?dryRun=All&dryRun=All`).dry_run, 'All');
  });

  it('fold unknown resources and non-resource paths into a few values', () => {
    assert.deepEqual(labels('GET', '/apis/image.openshift.io/v1/namespaces/a/made-up-1'), {
      verb: 'LIST', dry_run: '', group: 'other', version: 'other', resource: 'other', subresource: '', scope: 'namespace', component: 'apiserver',
    });
    assert.equal(labels('GET', '/readyz/etcd').subresource, '/readyz');
    assert.equal(labels('GET', '/random/path').subresource, 'other');
  });
});
