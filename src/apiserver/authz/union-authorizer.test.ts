import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Authorizer, Decision, RulesSummary } from './authorizer.ts';
import { UnionAuthorizer } from './union-authorizer.ts';

function fixed(decision: Decision, rules: Partial<RulesSummary> = {}): Authorizer {
  return {
    authorize: () => Promise.resolve(decision),
    rulesFor: () =>
      Promise.resolve({ resourceRules: [], nonResourceRules: [], incomplete: false, ...rules }),
  };
}

const user = { name: 'u', groups: [] };
const request = { isResourceRequest: false, verb: 'get', path: '/x' } as const;

test('the first mode that allows decides; otherwise the reasons are joined', async () => {
  assert.deepEqual(
    await new UnionAuthorizer([
      fixed({ allowed: false, reason: '' }),
      fixed({ allowed: true, reason: 'rbac' }),
    ]).authorize(user, request),
    { allowed: true, reason: 'rbac' },
  );
  assert.deepEqual(
    await new UnionAuthorizer([
      fixed({ allowed: false, reason: 'a' }),
      fixed({ allowed: false, reason: '' }),
      fixed({ allowed: false, reason: 'b' }),
    ]).authorize(user, request),
    { allowed: false, reason: 'a, b' },
  );
});

test('rules are the union, incomplete if any part is', async () => {
  const rules = await new UnionAuthorizer([
    fixed({ allowed: false, reason: '' }, { incomplete: true, evaluationError: 'e' }),
    fixed(
      { allowed: false, reason: '' },
      { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] },
    ),
  ]).rulesFor(user, 'ns');
  assert.equal(rules.incomplete, true);
  assert.equal(rules.evaluationError, 'e');
  assert.equal(rules.resourceRules.length, 1);
});
