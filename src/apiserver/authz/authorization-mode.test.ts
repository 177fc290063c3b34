import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthorizationModeError, parseAuthorizationMode } from './authorization-mode.ts';

const cases: { value: string; want: ReturnType<typeof parseAuthorizationMode> | string }[] = [
  { value: 'AlwaysAllow', want: { modes: ['AlwaysAllow'] } },
  { value: 'RBAC', want: { modes: ['RBAC'] } },
  { value: 'Node,RBAC', want: { modes: ['Node', 'RBAC'] } },
  { value: ' Node , RBAC ', want: { modes: ['Node', 'RBAC'] } },
  { value: 'Node', want: { modes: ['Node'] } },
  { value: 'RBAC,AlwaysAllow', want: { modes: ['RBAC', 'AlwaysAllow'] } },
  {
    value: 'Webhook,RBAC',
    want: 'authorization mode Webhook is not implemented by k8ts (it has AlwaysAllow, Node and RBAC)',
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
