import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthorizationModeError, parseAuthorizationMode } from './authorization-mode.ts';

const cases: { value: string; want: ReturnType<typeof parseAuthorizationMode> | string }[] = [
  { value: 'AlwaysAllow', want: { mode: 'AlwaysAllow', warnings: [] } },
  { value: 'RBAC', want: { mode: 'RBAC', warnings: [] } },
  {
    value: 'Node,RBAC',
    want: {
      mode: 'RBAC',
      warnings: [
        'the Node authorizer is not implemented yet: nodes get only what RBAC grants them',
      ],
    },
  },
  { value: 'RBAC,AlwaysAllow', want: { mode: 'AlwaysAllow', warnings: [] } },
  { value: 'Node', want: 'the Node authorizer is not implemented by k8ts yet; add RBAC' },
  {
    value: 'Webhook,RBAC',
    want: 'authorization mode Webhook is not implemented by k8ts (it has AlwaysAllow and RBAC)',
  },
  { value: 'rbac', want: 'authorization-mode "rbac" is not a valid mode' },
  { value: 'RBAC,RBAC', want: 'authorization-mode "RBAC" has mentioned multiple times' },
  { value: '', want: 'at least one authorization mode must be passed' },
];

for (const c of cases) {
  test(`--authorization-mode=${c.value}`, () => {
    if (typeof c.want === 'string')
      assert.throws(
        () => parseAuthorizationMode(c.value),
        (e: unknown) => e instanceof AuthorizationModeError && e.message === c.want,
      );
    else assert.deepEqual(parseAuthorizationMode(c.value), c.want);
  });
}
