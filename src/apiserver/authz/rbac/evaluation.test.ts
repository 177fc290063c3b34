// Table tests for the rule evaluation helpers, after upstream's rbac_test.go TestRuleMatches and
// pkg/apis/rbac/v1 evaluation helper tests (v1.33).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestInfo } from '../../request-info.ts';
import { nonResourceURLMatches, resourceMatches, ruleAllows } from './evaluation.ts';
import type { PolicyRule } from './policy-rule.ts';

function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames: string[] = [],
): PolicyRule {
  return { verbs, apiGroups, resources, resourceNames, nonResourceURLs: [] };
}

function urlRule(verbs: string[], urls: string[]): PolicyRule {
  return { verbs, apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: urls };
}

function res(
  verb: string,
  group: string,
  resource: string,
  subresource?: string,
  name?: string,
): RequestInfo {
  return {
    isResourceRequest: true,
    verb: verb as 'get',
    apiPrefix: group === '' ? 'api' : 'apis',
    group,
    version: 'v1',
    namespace: 'ns1',
    resource,
    subresource,
    name,
  };
}

function nonRes(verb: string, path: string): RequestInfo {
  return { isResourceRequest: false, verb, path };
}

const cases: {
  name: string;
  rule: PolicyRule;
  expect: [RequestInfo, boolean][];
}[] = [
  {
    name: 'star verb, exact match other',
    rule: rule(['*'], ['group1'], ['resource1']),
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), false],
      [res('verb1', 'group1', 'resource2'), false],
      [res('verb1', 'group2', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), true],
      [res('verb2', 'group2', 'resource1'), false],
    ],
  },
  {
    name: 'star group, exact match other',
    rule: rule(['verb1'], ['*'], ['resource1']),
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), true],
      [res('verb1', 'group1', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), false],
    ],
  },
  {
    name: 'star resource, exact match other',
    rule: rule(['verb1'], ['group1'], ['*']),
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), false],
      [res('verb1', 'group1', 'resource2'), true],
      [res('verb2', 'group1', 'resource1'), false],
      // `*` covers subresources too.
      [res('verb1', 'group1', 'resource1', 'status'), true],
    ],
  },
  {
    name: 'tuple expansion',
    rule: rule(['verb1', 'verb2'], ['group1', 'group2'], ['resource1', 'resource2']),
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), true],
      [res('verb1', 'group1', 'resource2'), true],
      [res('verb1', 'group2', 'resource2'), true],
      [res('verb2', 'group1', 'resource1'), true],
      [res('verb2', 'group2', 'resource2'), true],
      [res('verb3', 'group1', 'resource1'), false],
    ],
  },
  {
    name: 'subresource expansion',
    rule: rule(['*'], ['*'], ['resource1/subresource1']),
    expect: [
      [res('verb1', 'group1', 'resource1', 'subresource1'), true],
      [res('verb1', 'group2', 'resource1', 'subresource2'), false],
      [res('verb1', 'group1', 'resource2', 'subresource1'), false],
      [res('verb2', 'group2', 'resource1', 'subresource1'), true],
      [res('verb1', 'group1', 'resource1'), false],
    ],
  },
  {
    name: '*/subresource matches that subresource of any resource',
    rule: rule(['get'], ['*'], ['*/scale']),
    expect: [
      [res('get', '', 'pods', 'scale'), true],
      [res('get', 'apps', 'deployments', 'scale'), true],
      [res('get', '', 'anything', 'scale'), true],
      [res('get', '', 'pods', 'status'), false],
      [res('get', '', 'pods'), false],
      [res('get', '', 'pods', 'scales'), false],
    ],
  },
  {
    name: 'resource/* is no wildcard upstream: only a subresource named *',
    rule: rule(['get'], [''], ['pods/*']),
    expect: [
      [res('get', '', 'pods', 'status'), false],
      [res('get', '', 'pods'), false],
      [res('get', '', 'pods', '*'), true],
    ],
  },
  {
    name: 'bare resource does not match its subresources',
    rule: rule(['*'], ['*'], ['pods']),
    expect: [
      [res('get', '', 'pods'), true],
      [res('get', '', 'pods', 'status'), false],
    ],
  },
  {
    name: 'resource names',
    rule: rule(['*'], ['*'], ['*'], ['foo']),
    expect: [
      [res('verb1', 'group1', 'resource1', undefined, 'foo'), true],
      [res('verb1', 'group1', 'resource1', undefined, 'bar'), false],
      // A request without a name (list, create) is not limited to names.
      [res('verb1', 'group1', 'resource1'), false],
    ],
  },
  {
    name: 'star nonresource, exact match other',
    rule: urlRule(['verb1'], ['*']),
    expect: [
      [nonRes('verb1', '/foo'), true],
      [nonRes('verb1', '/foo/bar'), true],
      [nonRes('verb1', '/foo/baz'), true],
      [nonRes('verb1', '/foo/bar/one'), true],
      [nonRes('verb2', '/foo'), false],
    ],
  },
  {
    name: 'star nonresource subpath',
    rule: urlRule(['verb1'], ['/foo/*']),
    expect: [
      [nonRes('verb1', '/foo'), false],
      [nonRes('verb1', '/foo/bar'), true],
      [nonRes('verb1', '/foo/baz'), true],
      [nonRes('verb1', '/foo/bar/one'), true],
      [nonRes('verb1', '/bar'), false],
      [nonRes('verb2', '/foo/bar'), false],
    ],
  },
  {
    name: 'star verb, exact nonresource',
    rule: urlRule(['*'], ['/foo', '/foo/bar/one']),
    expect: [
      [nonRes('verb1', '/foo'), true],
      [nonRes('verb1', '/foo/bar'), false],
      [nonRes('verb1', '/foo/baz'), false],
      [nonRes('verb1', '/foo/bar/one'), true],
      [nonRes('verb2', '/foo'), true],
    ],
  },
  {
    name: 'resource rules never match non-resource requests',
    rule: rule(['*'], ['*'], ['*']),
    expect: [
      [nonRes('get', '/healthz'), false],
      [res('get', '', 'pods'), true],
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    for (const [request, want] of c.expect) {
      assert.equal(ruleAllows(request, c.rule), want, JSON.stringify(request));
    }
  });
}

test('resourceMatches: a trailing-star prefix rule is not a resource wildcard', () => {
  assert.equal(resourceMatches(rule(['get'], [''], ['po*']), 'pods', ''), false);
});

test('nonResourceURLMatches trims every trailing star (Go strings.TrimRight)', () => {
  assert.equal(nonResourceURLMatches(urlRule(['get'], ['/api**']), '/apis'), true);
  assert.equal(nonResourceURLMatches(urlRule(['get'], ['/healthz']), '/healthz/'), false);
});
