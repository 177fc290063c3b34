import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../json.ts';
import { PatchMalformedError, PatchTooDeepError } from './errors.ts';
import { applyMergePatch } from './merge-patch.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

interface Case {
  readonly name: string;
  readonly doc: JsonValue;
  readonly patch: JsonValue;
  readonly expected: JsonValue;
}

// RFC 7386 Appendix A (the two cases upstream answers 400 are tested below).
const rfc: readonly Case[] = [
  { name: 'replace a member', doc: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
  { name: 'add a member', doc: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
  { name: 'null deletes', doc: { a: 'b' }, patch: { a: null }, expected: {} },
  {
    name: 'null deletes one member',
    doc: { a: 'b', b: 'c' },
    patch: { a: null },
    expected: { b: 'c' },
  },
  { name: 'scalar replaces array', doc: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
  { name: 'array replaces scalar', doc: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
  {
    name: 'objects merge, nested null deletes',
    doc: { a: { b: 'c' } },
    patch: { a: { b: 'd', c: null } },
    expected: { a: { b: 'd' } },
  },
  {
    name: 'arrays replace whole',
    doc: { a: [{ b: 'c' }] },
    patch: { a: [1] },
    expected: { a: [1] },
  },
  { name: 'array document, array patch', doc: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
  { name: 'array patch replaces an object', doc: { a: 'b' }, patch: ['c'], expected: ['c'] },
  { name: 'existing nulls stay', doc: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
  {
    name: 'object patch on an array document',
    doc: [1, 2],
    patch: { a: 'b', c: null },
    expected: { a: 'b' },
  },
  {
    name: 'nulls are pruned from new members',
    doc: {},
    patch: { a: { bb: { ccc: null } } },
    expected: { a: { bb: {} } },
  },
];
for (const c of rfc) {
  test(`RFC 7386 A: ${c.name}`, () => {
    assert.deepStrictEqual(applyMergePatch(c.doc, c.patch), c.expected);
  });
}

// evanphx/json-patch v4 merge_test.go and the pruning rules that follow from its merge().
const v4: readonly Case[] = [
  {
    name: 'a null member takes an object',
    doc: { title: null },
    patch: { title: { foo: 'bar' } },
    expected: { title: { foo: 'bar' } },
  },
  {
    name: 'null array elements are kept',
    doc: { a: [{ b: 'c' }] },
    patch: { a: [null, 1] },
    expected: { a: [null, 1] },
  },
  { name: 'null elements of an array patch', doc: ['a'], patch: [null], expected: [null] },
  {
    name: 'an empty array replaces',
    doc: { array: ['one', 'two'] },
    patch: { array: [] },
    expected: { array: [] },
  },
  {
    name: 'nulls inside objects in a new array are pruned',
    doc: { a: 1 },
    patch: { a: [{ b: null, c: 1 }] },
    expected: { a: [{ c: 1 }] },
  },
  {
    name: 'but not when the array replaces an object (upstream returns the patch as is)',
    doc: { a: { x: 1 } },
    patch: { a: [{ b: null }] },
    expected: { a: [{ b: null }] },
  },
  {
    name: 'kubectl label',
    doc: { metadata: { name: 'p', labels: { app: 'web', old: 'x' } } },
    patch: { metadata: { labels: { tier: 'fe', old: null } } },
    expected: { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } } },
  },
  {
    name: 'kubectl scale (subresource merge patch)',
    doc: { spec: { replicas: 1 }, status: { replicas: 1 } },
    patch: { spec: { replicas: 5 } },
    expected: { spec: { replicas: 5 }, status: { replicas: 1 } },
  },
  {
    name: '__proto__ and constructor are plain keys',
    doc: {},
    patch: JSON.parse('{"__proto__":{"x":1},"constructor":{"y":null}}') as JsonValue,
    expected: JSON.parse('{"__proto__":{"x":1},"constructor":{}}') as JsonValue,
  },
];
for (const c of v4) {
  test(`v4: ${c.name}`, () => {
    assert.deepStrictEqual(applyMergePatch(c.doc, c.patch), c.expected);
  });
}

test('null and scalar patches are 400 "Invalid JSON Patch" (RFC 7386 would replace)', () => {
  for (const patch of [null, 'bar', 1, true]) {
    assert.throws(
      () => applyMergePatch({ a: 'foo' }, patch),
      (err: unknown) =>
        err instanceof PatchMalformedError &&
        err.message === 'Invalid JSON Patch' &&
        err.httpStatus === 400,
    );
  }
});

test('pure: neither input is mutated', () => {
  const doc = { a: { b: 1, c: [1] } };
  const patch = { a: { b: null, d: { e: null } } };
  const out = applyMergePatch(doc, patch);
  assert.deepStrictEqual(out, { a: { c: [1], d: {} } });
  assert.deepStrictEqual(doc, { a: { b: 1, c: [1] } });
  assert.deepStrictEqual(patch, { a: { b: null, d: { e: null } } });
});

test('hostile input: deep nesting is a typed error, wide objects are fast', () => {
  let deep: JsonValue = {};
  for (let i = 0; i < 50_000; i++) deep = { a: deep };
  assert.throws(() => applyMergePatch({}, deep), PatchTooDeepError);
  assert.throws(() => applyMergePatch(deep, { a: 1 }), PatchTooDeepError);
  const wide: Record<string, JsonValue> = {};
  for (let i = 0; i < 100_000; i++) wide[`k${String(i)}`] = i % 2 === 0 ? null : i;
  let out: Record<string, JsonValue> = {};
  const ms = cpuTimeMs(() => {
    out = applyMergePatch({ k0: 1 }, wide) as Record<string, JsonValue>;
  });
  assert.equal(Object.keys(out).length, 50_000);
  assert.ok(ms < 2000, `took ${String(ms)} ms of CPU`);
});
