import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinResources } from '../builtin-resources.ts';
import { builtinPrinters } from './index.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const printers = builtinPrinters();

test('every stored built-in kind has a printer, and every printer a kind', () => {
  // Reviews are never stored or listed, so they have nothing to print.
  const kinds = builtinResources()
    .filter((d) => d.ephemeral !== true)
    .map((d) => `${d.group}/${d.kind}`);
  assert.deepEqual([...printers.keys()].sort(), [...kinds].sort());
});

for (const [key, printer] of printers) {
  test(`${key}: well-formed columns and one cell per column`, () => {
    const names = printer.columns.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'column names are unique');
    const nameColumns = printer.columns.filter((c) => c.format === 'name');
    assert.deepEqual(
      nameColumns.map((c) => c.name),
      ['Name'],
    );
    // Upstream puts Name first everywhere except Events, where it is the last, wide-only column.
    assert.equal(key.endsWith('/Event') ? names.at(-1) : names[0], 'Name');
    for (const c of printer.columns) {
      assert.ok(c.description.length > 0, `${c.name} has a description`);
      assert.ok(c.priority === 0 || c.priority === 1);
    }
    assert.equal(printer.cells({}, NOW).length, printer.columns.length);
    assert.equal(printer.cells({ metadata: { name: 'x' } }, NOW).length, printer.columns.length);
  });
}

test('builtinPrinters returns a fresh map', () => {
  const a = builtinPrinters();
  a.delete('/Pod');
  assert.ok(builtinPrinters().has('/Pod'));
});
