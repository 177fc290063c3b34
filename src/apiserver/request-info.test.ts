import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';

const cases: { name: string; method: string; url: string; want: Record<string, unknown> }[] = [
  {
    name: 'core list across namespaces',
    method: 'GET',
    url: '/api/v1/pods',
    want: { verb: 'list', resource: 'pods', namespace: undefined, name: undefined },
  },
  {
    name: 'namespaced list',
    method: 'GET',
    url: '/api/v1/namespaces/ns1/pods?limit=500',
    want: { verb: 'list', namespace: 'ns1', resource: 'pods' },
  },
  {
    name: 'get',
    method: 'GET',
    url: '/apis/apps/v1/namespaces/ns1/deployments/d1',
    want: { verb: 'get', group: 'apps', version: 'v1', name: 'd1' },
  },
  {
    name: 'watch by query',
    method: 'GET',
    url: '/api/v1/namespaces/ns1/pods?watch=true',
    want: { verb: 'watch' },
  },
  {
    name: 'watch=True, as the Python client sends it',
    method: 'GET',
    url: '/api/v1/namespaces/ns1/pods?watch=True',
    want: { verb: 'watch' },
  },
  {
    name: 'watch=false is a list',
    method: 'GET',
    url: '/api/v1/pods?watch=false',
    want: { verb: 'list' },
  },
  {
    name: 'legacy watch path',
    method: 'GET',
    url: '/api/v1/watch/namespaces/ns1/pods',
    want: { verb: 'watch', namespace: 'ns1' },
  },
  {
    name: 'namespace object',
    method: 'GET',
    url: '/api/v1/namespaces/ns1',
    want: { verb: 'get', resource: 'namespaces', name: 'ns1', namespace: undefined },
  },
  {
    name: 'namespace status',
    method: 'PUT',
    url: '/api/v1/namespaces/ns1/status',
    want: { verb: 'update', resource: 'namespaces', name: 'ns1', subresource: 'status' },
  },
  {
    name: 'status subresource',
    method: 'PATCH',
    url: '/apis/apps/v1/namespaces/a/deployments/d/scale',
    want: { verb: 'patch', subresource: 'scale', name: 'd' },
  },
  {
    name: 'create',
    method: 'POST',
    url: '/api/v1/namespaces/a/configmaps',
    want: { verb: 'create', resource: 'configmaps' },
  },
  {
    name: 'delete collection',
    method: 'DELETE',
    url: '/api/v1/namespaces/a/configmaps',
    want: { verb: 'deletecollection' },
  },
  {
    name: 'exec takes the verb of its method, as upstream (RBAC rules on pods/exec)',
    method: 'GET',
    url: '/api/v1/namespaces/a/pods/p/exec?command=ls',
    want: { verb: 'get', subresource: 'exec' },
  },
  {
    name: 'percent-encoded name',
    method: 'GET',
    url: '/api/v1/namespaces/a/configmaps/x%3Ay',
    want: { name: 'x:y' },
  },
];

describe('parseRequestInfo', () => {
  for (const c of cases) {
    it(c.name, () => {
      const u = new URL(c.url, 'https://x');
      const info = parseRequestInfo(c.method, u.pathname, u.searchParams);
      assert.equal(info.isResourceRequest, true);
      for (const [k, v] of Object.entries(c.want)) {
        assert.equal((info as unknown as Record<string, unknown>)[k], v, k);
      }
    });
  }
  for (const path of [
    '/healthz',
    '/version',
    '/api',
    '/apis',
    '/api/v1',
    '/apis/apps/v1',
    '/openapi/v3',
    '/apis/apps',
    '/api/v1/namespaces/a/pods/p/status/extra',
  ]) {
    it(`non-resource ${path}`, () => {
      assert.equal(parseRequestInfo('GET', path, new URLSearchParams()).isResourceRequest, false);
    });
  }
  it('bad percent-encoding is a non-resource request, not a throw', () => {
    assert.equal(
      parseRequestInfo('GET', '/api/v1/namespaces/%E0%A4%A/pods', new URLSearchParams())
        .isResourceRequest,
      false,
    );
  });
  it('list and watch take their name from a metadata.name selector and keep the selector', () => {
    const q = (s: string): URLSearchParams => new URLSearchParams(s);
    const list = parseRequestInfo('GET', '/api/v1/nodes', q('fieldSelector=metadata.name%3Dn1'));
    assert.equal(list.isResourceRequest && list.verb, 'list');
    assert.equal(list.isResourceRequest && list.name, 'n1');
    const watch = parseRequestInfo(
      'GET',
      '/api/v1/pods',
      q('watch=true&fieldSelector=spec.nodeName%3Dn1,status.phase!%3DFailed'),
    );
    assert.equal(watch.isResourceRequest && watch.verb, 'watch');
    assert.equal(watch.isResourceRequest && watch.name, undefined);
    assert.deepEqual(watch.isResourceRequest && watch.fieldSelector, [
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    const bad = parseRequestInfo('GET', '/api/v1/pods', q('fieldSelector=%3D%3D%3D'));
    assert.equal(bad.isResourceRequest && bad.fieldSelector, undefined);
    const dots = parseRequestInfo('GET', '/api/v1/nodes', q('fieldSelector=metadata.name%3D..'));
    assert.equal(dots.isResourceRequest && dots.name, undefined);
  });
});
