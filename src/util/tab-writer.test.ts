import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable } from './tab-writer.ts';

test('columns are as wide as their widest cell plus padding, at least the minimum', () => {
  const out = formatTable(
    [
      ['TOKEN', 'TTL', 'DESCRIPTION'],
      ['abcdef.0123456789abcdef', '23h', '<none>'],
    ],
    10,
    3,
  );
  assert.equal(
    out,
    'TOKEN                     TTL       DESCRIPTION\n' +
      'abcdef.0123456789abcdef   23h       <none>\n',
  );
});

test('the last cell is never padded; no rows give no output', () => {
  assert.equal(formatTable([['a']]), 'a\n');
  assert.equal(formatTable([]), '');
});
