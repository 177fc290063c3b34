import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  BOOTSTRAP_TOKEN_PATTERN,
  BootstrapToken,
  isValidBootstrapToken,
  isValidBootstrapTokenId,
} from './bootstrap-token.ts';
import { PkiInvalidBootstrapTokenError } from './errors.ts';

test('generate: [a-z0-9]{6}.[a-z0-9]{16}, different every time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const token = BootstrapToken.generate();
    assert.match(token.value, BOOTSTRAP_TOKEN_PATTERN);
    assert.equal(token.id.length, 6);
    assert.equal(token.secret.length, 16);
    seen.add(token.value);
  }
  assert.equal(seen.size, 200);
});

test('generate: every one of the 36 characters appears, none dominates (no modulo bias)', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 500; i++) {
    for (const ch of BootstrapToken.generate().value.replace('.', '')) {
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
  }
  assert.equal(counts.size, 36);
  // 11,000 characters: ~306 each. Bias towards the first 4 chars (256 % 36) would give ~+14 %.
  const values = [...counts.values()];
  assert.ok(Math.max(...values) < 400 && Math.min(...values) > 220, JSON.stringify([...counts]));
});

test('parse: splits id and secret', () => {
  const token = BootstrapToken.parse('abcdef.0123456789abcdef');
  assert.equal(token.id, 'abcdef');
  assert.equal(token.secret, '0123456789abcdef');
  assert.equal(token.value, 'abcdef.0123456789abcdef');
  assert.ok(isValidBootstrapToken(token.value));
  assert.ok(isValidBootstrapTokenId('abcdef'));
});

const invalid: string[] = [
  '',
  'abcdef',
  'abcdef.',
  '.0123456789abcdef',
  'abcdef0123456789abcdef',
  'abcde.0123456789abcdef',
  'abcdefg.0123456789abcdef',
  'abcdef.0123456789abcde',
  'abcdef.0123456789abcdef0',
  'ABCDEF.0123456789abcdef',
  'abcdef.0123456789ABCDEF',
  'abcdef:0123456789abcdef',
  'abc-ef.0123456789abcdef',
  ' abcdef.0123456789abcdef',
  'abcdef.0123456789abcdef\n',
];
for (const value of invalid) {
  test(`parse rejects ${JSON.stringify(value)} without echoing it`, () => {
    assert.equal(isValidBootstrapToken(value), false);
    assert.throws(
      () => BootstrapToken.parse(value),
      // A constant message: whatever was passed in (maybe a real token) is never repeated.
      (err: unknown) =>
        err instanceof PkiInvalidBootstrapTokenError &&
        err.message ===
          'invalid bootstrap token: the bootstrap token was not of the form "[a-z0-9]{6}.[a-z0-9]{16}"',
    );
  });
}

test('fromIdAndSecret validates each half; errors never contain the secret', () => {
  assert.equal(
    BootstrapToken.fromIdAndSecret('abcdef', '0123456789abcdef').value,
    'abcdef.0123456789abcdef',
  );
  assert.throws(
    () => BootstrapToken.fromIdAndSecret('ABCDEF', '0123456789abcdef'),
    PkiInvalidBootstrapTokenError,
  );
  const badSecret = 'SECRET-0123456789';
  assert.throws(
    () => BootstrapToken.fromIdAndSecret('abcdef', badSecret),
    (err: unknown) =>
      err instanceof PkiInvalidBootstrapTokenError && !err.message.includes(badSecret),
  );
});

test('the secret never shows in String(), JSON or util.inspect', () => {
  const token = BootstrapToken.parse('abcdef.0123456789abcdef');
  const renderings = [
    String(token),
    `token ${String(token)}`,
    JSON.stringify(token),
    JSON.stringify({ token }),
    inspect(token),
    inspect({ nested: { token } }, { depth: 5 }),
  ];
  for (const text of renderings) {
    assert.ok(!text.includes('0123456789abcdef'), text);
    assert.ok(text.includes('abcdef'), text);
  }
});
