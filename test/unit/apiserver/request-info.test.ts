import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { parseRequestInfo } from '../../../src/apiserver/endpoints/request-info.js';

const info = (method: string, url: string) => {
  const u = new URL(url, 'https://x');
  return parseRequestInfo(method, u.pathname, u.searchParams);
};

describe('request info', () => {
  it('derives verbs as k8s.io/apiserver does', () => {
    const g = '/apis/image.openshift.io/v1';
    const cases: [string, string, string][] = [
      ['GET', `${g}/namespaces/a/imagestreams/x`, 'get'],
      ['GET', `${g}/namespaces/a/imagestreams`, 'list'],
      ['GET', `${g}/namespaces/a/imagestreams?watch=true`, 'watch'],
      ['GET', `${g}/namespaces/a/imagestreams?watch=1`, 'watch'],
      ['GET', `${g}/namespaces/a/imagestreams?watch=false`, 'list'],
      ['GET', `${g}/watch/namespaces/a/imagestreams`, 'watch'],
      ['POST', `${g}/namespaces/a/imagestreams`, 'create'],
      ['PUT', `${g}/namespaces/a/imagestreams/x/status`, 'update'],
      ['PATCH', `${g}/namespaces/a/imagestreams/x`, 'patch'],
      ['DELETE', `${g}/namespaces/a/imagestreams/x`, 'delete'],
      ['DELETE', `${g}/namespaces/a/imagestreams`, 'deletecollection'],
      ['GET', `${g}/images`, 'list'],
    ];
    for (const [m, u, verb] of cases) assert.equal(info(m, u).verb, verb, `${m} ${u}`);
  });

  it('splits namespace, resource, name and subresource', () => {
    const i = info('GET', '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams/ruby/status');
    assert.equal(i.isResourceRequest, true);
    assert.equal(i.apiGroup, 'image.openshift.io');
    assert.equal(i.apiVersion, 'v1');
    assert.equal(i.namespace, 'team-a');
    assert.equal(i.resource, 'imagestreams');
    assert.equal(i.name, 'ruby');
    assert.equal(i.subresource, 'status');
  });

  it('treats discovery and health paths as non-resource requests', () => {
    for (const p of ['/apis', '/apis/image.openshift.io', '/apis/image.openshift.io/v1', '/healthz', '/readyz/etcd', '/metrics']) {
      const i = info('GET', p);
      assert.equal(i.isResourceRequest, false, p);
      assert.equal(i.verb, 'get');
    }
  });

  it('a list or watch of one name through a field selector is about that name', () => {
    const i = info('GET', '/apis/image.openshift.io/v1/namespaces/a/imagestreams?watch=true&fieldSelector=metadata.name%3Druby');
    assert.equal(i.verb, 'watch');
    assert.equal(i.name, 'ruby');
  });
});
