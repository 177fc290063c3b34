import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../json.ts';
import { applyJsonPatch } from './json-patch.ts';

interface Case {
  readonly name: string;
  readonly doc: JsonValue;
  readonly patch: JsonValue;
  readonly expected?: JsonValue;
  /** Substring of the expected error message (an error is expected when set). */
  readonly error?: string;
}

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      if (c.error !== undefined) {
        const error = c.error;
        assert.throws(
          () => applyJsonPatch(c.doc, c.patch),
          (err: unknown) => err instanceof Error && err.message.includes(error),
        );
      } else {
        assert.deepStrictEqual(applyJsonPatch(c.doc, c.patch), c.expected);
      }
    });
  }
}

// evanphx/json-patch v4.12 patch_test.go (Cases, BadCases, TestCases), as kube-apiserver links it.
run([
  {
    name: 'v4: add at an index',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'add', path: '/foo/1', value: 'qux' }],
    expected: { foo: ['bar', 'qux', 'baz'] },
  },
  {
    name: 'v4: add at a negative index appends',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'add', path: '/foo/-1', value: 'qux' }],
    expected: { foo: ['bar', 'baz', 'qux'] },
  },
  {
    name: 'v4: add at -1 of an empty array',
    doc: { foo: [] },
    patch: [{ op: 'add', path: '/foo/-1', value: 'qux' }],
    expected: { foo: ['qux'] },
  },
  {
    name: 'v4: move an array element forward',
    doc: { foo: ['all', 'grass', 'cows', 'eat'] },
    patch: [{ op: 'move', from: '/foo/1', path: '/foo/2' }],
    expected: { foo: ['all', 'cows', 'grass', 'eat'] },
  },
  {
    name: 'v4: remove a null member',
    doc: { foo: 'bar', qux: { baz: 1, bar: null } },
    patch: [{ op: 'remove', path: '/qux/bar' }],
    expected: { foo: 'bar', qux: { baz: 1 } },
  },
  {
    name: 'v4: add null',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz', value: null }],
    expected: { baz: null, foo: 'bar' },
  },
  {
    name: 'v4: replace inside a root array',
    doc: [{ foo: ['bar', 'qux', 'baz'] }],
    patch: [{ op: 'replace', path: '/0/foo/0', value: 'bum' }],
    expected: [{ foo: ['bum', 'qux', 'baz'] }],
  },
  {
    name: 'v4: copy into an array',
    doc: [{ foo: ['bar', 'qux', 'baz'], bar: ['qux', 'baz'] }],
    patch: [{ op: 'copy', from: '/0/foo/0', path: '/0/bar/0' }],
    expected: [{ foo: ['bar', 'qux', 'baz'], bar: ['bar', 'qux', 'baz'] }],
  },
  {
    name: 'v4: copy an array into itself',
    doc: { foo: ['bar'] },
    patch: [{ op: 'copy', path: '/foo/0', from: '/foo' }],
    expected: { foo: [['bar'], 'bar'] },
  },
  {
    name: 'v4: remove at a negative index',
    doc: { foo: ['bar', 'qux', 'baz'] },
    patch: [{ op: 'remove', path: '/foo/-2' }],
    expected: { foo: ['bar', 'baz'] },
  },
  {
    name: 'v4: replace a null with a value and back',
    doc: { bar: [{ baz: null }, null] },
    patch: [
      { op: 'replace', path: '/bar/0/baz', value: 1 },
      { op: 'replace', path: '/bar/1', value: 1 },
      { op: 'replace', path: '/bar/0/baz', value: null },
    ],
    expected: { bar: [{ baz: null }, 1] },
  },
  {
    name: 'v4: test the root, then replace the root',
    doc: { id: '0', parentID: '0' },
    patch: [
      { op: 'test', path: '', value: { id: '0', parentID: '0' } },
      { op: 'replace', path: '', value: { id: '7', originalID: 'bar', parentID: '0' } },
    ],
    expected: { id: '7', originalID: 'bar', parentID: '0' },
  },
  {
    name: 'v4 test: a missing member equals null',
    doc: { baz: 'qux' },
    patch: [{ op: 'test', path: '/foo', value: null }],
    expected: { baz: 'qux' },
  },
  {
    name: 'v4 test: null equals null',
    doc: { foo: null },
    patch: [{ op: 'test', path: '/foo', value: null }],
    expected: { foo: null },
  },
  {
    name: 'v4 test: {} is not null',
    doc: { foo: {} },
    patch: [{ op: 'test', path: '/foo', value: null }],
    error: 'testing value /foo failed: test failed',
  },
  {
    name: 'v4 test: a missing value field fails against a value',
    doc: { foo: [] },
    patch: [{ op: 'test', path: '/foo' }],
    error: 'testing value /foo failed: test failed',
  },
  {
    name: 'v4 test: an escaped key',
    doc: { 'baz/foo': 'qux' },
    patch: [{ op: 'test', path: '/baz~1foo', value: 'qux' }],
    expected: { 'baz/foo': 'qux' },
  },
  {
    name: 'v4 bad: remove a missing member',
    doc: { a: { b: { d: 1 } } },
    patch: [{ op: 'remove', path: '/a/b/c' }],
    error: "error in remove for path: '/a/b/c': Unable to remove nonexistent key: c: missing value",
  },
  {
    name: 'v4 bad: move from a missing member',
    doc: { a: { b: { d: 1 } } },
    patch: [{ op: 'move', from: '/a/b/c', path: '/a/b/e' }],
    error: "error in move for path: 'c': Unable to remove nonexistent key: c: missing value",
  },
  {
    name: 'v4 bad: remove past the end',
    doc: { a: { b: [1] } },
    patch: [{ op: 'remove', path: '/a/b/1' }],
    error:
      "error in remove for path: '/a/b/1': Unable to access invalid index: 1: invalid index referenced",
  },
  {
    name: 'v4 bad: an op without a path',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', pathz: '/baz', value: 'qux' }],
    error: 'add operation failed to decode path: missing value',
  },
  {
    name: 'v4 bad: add at the root',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '', value: 'qux' }],
    error: 'add operation does not apply: doc is missing path: "": missing value',
  },
  {
    name: 'v4 bad: replace past the end',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'replace', path: '/foo/2', value: 'bum' }],
    error: 'replace operation does not apply: doc is missing key: /foo/2: missing value',
  },
  {
    name: 'v4 bad: add before the start',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'add', path: '/foo/-4', value: 'bum' }],
    error: 'Unable to access invalid index: -4: invalid index referenced',
  },
  {
    name: 'v4 bad: replace below a missing member',
    doc: { name: { foo: 'bat', qux: 'bum' } },
    patch: [{ op: 'replace', path: '/foo/bar', value: 'baz' }],
    error: 'replace operation does not apply: doc is missing path: /foo/bar: missing value',
  },
  {
    name: 'v4 bad: add two past the end',
    doc: { foo: ['bar'] },
    patch: [{ op: 'add', path: '/foo/2', value: 'bum' }],
    error: 'Unable to access invalid index: 2: invalid index referenced',
  },
  {
    name: 'v4 bad: remove "-"',
    doc: { foo: [] },
    patch: [{ op: 'remove', path: '/foo/-' }],
    error: 'strconv.Atoi: parsing "-": invalid syntax',
  },
  {
    name: 'v4 bad: remove -1 of an empty array',
    doc: { foo: [] },
    patch: [{ op: 'remove', path: '/foo/-1' }],
    error: 'Unable to access invalid index: -1: invalid index referenced',
  },
  {
    name: 'v4 bad: a null op',
    doc: {},
    patch: [{ op: null, path: '' }],
    error: 'Unexpected kind: unknown',
  },
  {
    name: 'v4 bad: a null path',
    doc: {},
    patch: [{ op: 'add', path: null }],
    error: 'add operation failed to decode path: missing value',
  },
  {
    name: 'v4 bad: a null from',
    doc: {},
    patch: [{ op: 'copy', from: null }],
    error: 'copy operation failed to decode from: operation, missing from field: missing value',
  },
  {
    name: 'v4 bad: copy to a huge index',
    doc: { foo: ['bar'] },
    patch: [{ op: 'copy', path: '/foo/6666666666', from: '/' }],
    error: 'Unable to access invalid index: 6666666666: invalid index referenced',
  },
  {
    name: 'v4 bad: move past the end',
    doc: { foo: ['all', 'grass', 'cows', 'eat'] },
    patch: [{ op: 'move', from: '/foo/1', path: '/foo/4' }],
    error: 'Unable to access invalid index: 4: invalid index referenced',
  },
]);

// Where upstream departs from RFC 6902, kube-apiserver does too.
run([
  {
    name: 'quirk: replace of a missing member adds it (RFC: error)',
    doc: { a: 1 },
    patch: [{ op: 'replace', path: '/b', value: 2 }],
    expected: { a: 1, b: 2 },
  },
  {
    name: 'quirk: copy from a missing member copies null',
    doc: { a: 1 },
    patch: [{ op: 'copy', from: '/nope', path: '/b' }],
    expected: { a: 1, b: null },
  },
  {
    name: 'quirk: text before the first slash is ignored',
    doc: { a: 1 },
    patch: [{ op: 'add', path: 'x/b', value: 2 }],
    expected: { a: 1, b: 2 },
  },
  {
    name: 'quirk: a path without a slash is missing',
    doc: { a: 1 },
    patch: [{ op: 'remove', path: 'a' }],
    error: 'remove operation does not apply: doc is missing path: "a": missing value',
  },
  {
    name: 'quirk: indexes are Go ints (+1, leading zeros)',
    doc: { a: ['x', 'y', 'z'] },
    patch: [
      { op: 'replace', path: '/a/+1', value: 'Y' },
      { op: 'replace', path: '/a/002', value: 'Z' },
    ],
    expected: { a: ['x', 'Y', 'Z'] },
  },
  {
    name: 'quirk: negative indexes in the middle of a path',
    doc: { spec: { containers: [{ name: 'a', image: 'x' }] } },
    patch: [{ op: 'replace', path: '/spec/containers/-1/image', value: 'y' }],
    expected: { spec: { containers: [{ name: 'a', image: 'y' }] } },
  },
  {
    name: 'quirk: replacing the root with a scalar does nothing (v4.12 wraps a nil error)',
    doc: { a: 1 },
    patch: [{ op: 'replace', path: '', value: 'x' }],
    expected: { a: 1 },
  },
  {
    name: 'quirk: a null patch is no operations',
    doc: { a: 1 },
    patch: null,
    expected: { a: 1 },
  },
  {
    name: 'traversing through null is a missing path',
    doc: { a: null },
    patch: [{ op: 'add', path: '/a/b', value: 1 }],
    error: 'add operation does not apply: doc is missing path: "/a/b": missing value',
  },
  {
    name: 'an index out of int64 range',
    doc: { a: [] },
    patch: [{ op: 'add', path: '/a/99999999999999999999', value: 1 }],
    error: 'strconv.Atoi: parsing "99999999999999999999": value out of range',
  },
  {
    name: 'an op named after an Object.prototype member is unknown',
    doc: { a: 1 },
    patch: [{ op: 'constructor', path: '/a' }],
    error: 'Unexpected kind: constructor',
  },
  {
    name: '__proto__ is an ordinary key',
    doc: {},
    patch: [{ op: 'add', path: '/__proto__', value: { polluted: true } }],
    expected: JSON.parse('{"__proto__":{"polluted":true}}') as JsonValue,
  },
]);
