// Upstream's own strategic merge patch tables (testdata/README.md says where they come from),
// applied with patch metadata read from upstream's OpenAPI v3 test schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { JsonObject } from '../json.ts';
import { isJsonObject } from '../json.ts';
import { OpenApiPatchMetaIndex } from './openapi-patch-meta.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

function readJson(name: string): JsonObject {
  const value: unknown = JSON.parse(
    readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8'),
  );
  assert.ok(isJsonObject(value));
  return value;
}

const schema = new OpenApiPatchMetaIndex(readJson('swagger-merge-item-v3.json')).forSchema(
  'mergeItem',
)!;
const fixture = readJson('upstream-smp-cases.json');
const cases = fixture['cases'];
assert.ok(Array.isArray(cases));

test('the fixture holds every transcribed upstream case', () => {
  assert.equal(cases.length, 212);
});

for (const c of cases) {
  assert.ok(isJsonObject(c));
  const { name, table, original, patch, expected, expectedError } = c;
  assert.ok(typeof name === 'string' && typeof table === 'string' && isJsonObject(original));
  test(`${table}: ${name}`, () => {
    if (typeof expectedError === 'string') {
      assert.throws(
        () => applyStrategicMergePatch(original, patch, schema),
        (err: unknown) => err instanceof Error && err.message.includes(expectedError),
      );
      return;
    }
    const before = structuredClone({ original, patch });
    assert.deepStrictEqual(applyStrategicMergePatch(original, patch, schema), expected);
    assert.deepStrictEqual({ original, patch }, before, 'inputs are not mutated');
  });
}
