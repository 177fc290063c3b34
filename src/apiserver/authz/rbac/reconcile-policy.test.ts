// Upstream's validation.Covers / BreakdownRule semantics that reconciliation relies on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PolicyRule } from './policy-rule.ts';
import { breakdownRule, ruleCovers, uncoveredRules } from './reconcile-policy.ts';

const r = (p: Partial<PolicyRule>): PolicyRule => ({
  verbs: [],
  apiGroups: [],
  resources: [],
  resourceNames: [],
  nonResourceURLs: [],
  ...p,
});

test('breakdownRule splits into single verb/group/resource(/name) and URL/verb rules', () => {
  assert.deepEqual(
    breakdownRule(
      r({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
    ),
    [
      r({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
      r({ verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
    ],
  );
  assert.deepEqual(breakdownRule(r({ verbs: ['get'], nonResourceURLs: ['/a', '/b'] })), [
    r({ verbs: ['get'], nonResourceURLs: ['/a'] }),
    r({ verbs: ['get'], nonResourceURLs: ['/b'] }),
  ]);
});

const cases: { name: string; owner: PolicyRule; sub: PolicyRule; covers: boolean }[] = [
  {
    name: 'stars cover everything',
    owner: r({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }),
    sub: r({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }),
    covers: true,
  },
  {
    name: '*/scale covers a scale subresource',
    owner: r({ verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }),
    sub: r({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }),
    covers: true,
  },
  {
    name: 'a resource does not cover its subresource',
    owner: r({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }),
    sub: r({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }),
    covers: false,
  },
  {
    name: 'named rules do not cover unnamed ones',
    owner: r({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
    sub: r({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }),
    covers: false,
  },
  {
    name: 'unnamed rules cover named ones',
    owner: r({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }),
    sub: r({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
    covers: true,
  },
  {
    name: 'URL prefix covers a subpath',
    owner: r({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }),
    sub: r({ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }),
    covers: true,
  },
  {
    name: 'URL prefix does not cover its root',
    owner: r({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }),
    sub: r({ verbs: ['get'], nonResourceURLs: ['/apis'] }),
    covers: false,
  },
];

for (const c of cases) {
  test(`ruleCovers: ${c.name}`, () => {
    assert.equal(ruleCovers(c.owner, c.sub), c.covers);
  });
}

test('uncoveredRules reports only the atomic rules the owner lacks', () => {
  const owner = [r({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] })];
  const servant = [
    r({ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services'] }),
  ];
  assert.deepEqual(uncoveredRules(owner, servant), [
    r({ verbs: ['watch'], apiGroups: [''], resources: ['pods'] }),
    r({ verbs: ['get'], apiGroups: [''], resources: ['services'] }),
    r({ verbs: ['list'], apiGroups: [''], resources: ['services'] }),
    r({ verbs: ['watch'], apiGroups: [''], resources: ['services'] }),
  ]);
});
