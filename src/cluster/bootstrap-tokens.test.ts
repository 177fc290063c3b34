import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BootstrapToken } from '../pki/index.ts';
import { BootstrapTokenError, formatTokenList, validateTokenSpec } from './bootstrap-tokens.ts';

describe('validateTokenSpec (kubeadm ValidateTokenUsages/Groups)', () => {
  test('defaults: both usages, the default node group', () => {
    assert.deepEqual(validateTokenSpec({}), {
      usages: ['signing', 'authentication'],
      groups: ['system:bootstrappers:kubeadm:default-node-token'],
    });
  });
  const bad: [string, Parameters<typeof validateTokenSpec>[0], RegExp][] = [
    [
      'unknown usage',
      { usages: ['signing', 'join'] },
      /invalid bootstrap token usage string: join/,
    ],
    [
      'groups without authentication',
      { usages: ['signing'] },
      /--usages includes "authentication"/,
    ],
    ['bad group', { groups: ['system:masters'] }, /bootstrap group "system:masters" is invalid/],
    ['negative ttl', { ttlMs: -5 }, /--ttl/],
  ];
  for (const [what, spec, message] of bad) {
    test(`refuses ${what}`, () => {
      assert.throws(
        () => validateTokenSpec(spec),
        (e: unknown) => e instanceof BootstrapTokenError && message.test(e.message),
      );
    });
  }
  test('a signing-only token without groups is fine', () => {
    assert.deepEqual(validateTokenSpec({ usages: ['signing'], groups: [] }), {
      usages: ['signing'],
      groups: [],
    });
  });
});

test("formatTokenList prints kubeadm's columns", () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const out = formatTokenList(
    [
      {
        token: BootstrapToken.parse('abcdef.0123456789abcdef'),
        description: 'for w1',
        expires: new Date('2026-01-01T23:30:00Z'),
        usages: ['authentication', 'signing'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
      {
        token: BootstrapToken.parse('zzzzzz.0123456789abcdef'),
        description: undefined,
        expires: undefined,
        usages: [],
        groups: [],
      },
    ],
    now,
  );
  assert.equal(
    out,
    [
      'TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION   EXTRA GROUPS',
      'abcdef.0123456789abcdef   23h         2026-01-01T23:30:00Z   authentication,signing   for w1        system:bootstrappers:kubeadm:default-node-token',
      'zzzzzz.0123456789abcdef   <forever>   <never>                <none>                   <none>        <none>',
      '',
    ].join('\n'),
  );
});
