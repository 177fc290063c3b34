import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resourcePath, withQuery } from './resource-ref.ts';
import type { ResourceRef } from './resource-ref.ts';
import { defaultUserAgent } from './user-agent.ts';

describe('resourcePath', () => {
  const cases: { ref: ResourceRef; path: string }[] = [
    { ref: { group: '', version: 'v1', plural: 'namespaces' }, path: '/api/v1/namespaces' },
    {
      ref: { group: '', version: 'v1', plural: 'pods', namespace: 'ns' },
      path: '/api/v1/namespaces/ns/pods',
    },
    {
      ref: {
        group: '',
        version: 'v1',
        plural: 'pods',
        namespace: 'ns',
        name: 'p',
        subresource: 'status',
      },
      path: '/api/v1/namespaces/ns/pods/p/status',
    },
    {
      ref: { group: 'apps', version: 'v1', plural: 'deployments' },
      path: '/apis/apps/v1/deployments',
    },
    {
      ref: {
        group: 'coordination.k8s.io',
        version: 'v1',
        plural: 'leases',
        namespace: 'kube-node-lease',
        name: 'n1',
      },
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
    },
    {
      ref: { group: '', version: 'v1', plural: 'nodes', name: 'a b' },
      path: '/api/v1/nodes/a%20b',
    },
  ];
  for (const c of cases)
    it(c.path, () => {
      assert.equal(resourcePath(c.ref), c.path);
    });

  it('rejects refs that name nothing', () => {
    assert.throws(() => resourcePath({ group: '', version: 'v1', plural: '' }), TypeError);
    assert.throws(
      () => resourcePath({ group: '', version: 'v1', plural: 'pods', name: '' }),
      TypeError,
    );
    assert.throws(
      () => resourcePath({ group: '', version: 'v1', plural: 'pods', subresource: 'status' }),
      TypeError,
    );
  });

  it('builds query strings without undefined values', () => {
    assert.equal(withQuery('/p', { a: undefined }), '/p');
    assert.equal(
      withQuery('/p', { limit: 500, watch: true, labelSelector: 'a=b,c' }),
      '/p?limit=500&watch=true&labelSelector=a%3Db%2Cc',
    );
  });
});

describe('defaultUserAgent', () => {
  it('is client-go shaped, with the component appended as AddUserAgent does', () => {
    assert.match(
      defaultUserAgent(),
      /^k8ts\/v\d+\.\d+\.\d+ \([a-z0-9]+\/[a-z0-9]+\) kubernetes\/unknown$/,
    );
    assert.match(
      defaultUserAgent('kube-scheduler'),
      /^k8ts\/v\d+\.\d+\.\d+ \(\S+\) kubernetes\/unknown\/kube-scheduler$/,
    );
  });
});
