import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../json.ts';
import { JsonPatchOperationError } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { parsePatchBody } from './patch-body.ts';

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

// RFC 6902 Appendix A, every example.
run([
  {
    name: 'RFC 6902 A.1 adding an object member',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz', value: 'qux' }],
    expected: { baz: 'qux', foo: 'bar' },
  },
  {
    name: 'RFC 6902 A.2 adding an array element',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'add', path: '/foo/1', value: 'qux' }],
    expected: { foo: ['bar', 'qux', 'baz'] },
  },
  {
    name: 'RFC 6902 A.3 removing an object member',
    doc: { baz: 'qux', foo: 'bar' },
    patch: [{ op: 'remove', path: '/baz' }],
    expected: { foo: 'bar' },
  },
  {
    name: 'RFC 6902 A.4 removing an array element',
    doc: { foo: ['bar', 'qux', 'baz'] },
    patch: [{ op: 'remove', path: '/foo/1' }],
    expected: { foo: ['bar', 'baz'] },
  },
  {
    name: 'RFC 6902 A.5 replacing a value',
    doc: { baz: 'qux', foo: 'bar' },
    patch: [{ op: 'replace', path: '/baz', value: 'boo' }],
    expected: { baz: 'boo', foo: 'bar' },
  },
  {
    name: 'RFC 6902 A.6 moving a value',
    doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    expected: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  },
  {
    name: 'RFC 6902 A.7 moving an array element',
    doc: { foo: ['all', 'grass', 'cows', 'eat'] },
    patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    expected: { foo: ['all', 'cows', 'eat', 'grass'] },
  },
  {
    name: 'RFC 6902 A.8 testing a value: success',
    doc: { baz: 'qux', foo: ['a', 2, 'c'] },
    patch: [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    expected: { baz: 'qux', foo: ['a', 2, 'c'] },
  },
  {
    name: 'RFC 6902 A.9 testing a value: error',
    doc: { baz: 'qux' },
    patch: [{ op: 'test', path: '/baz', value: 'bar' }],
    error: 'testing value /baz failed: test failed',
  },
  {
    name: 'RFC 6902 A.10 adding a nested member object',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    expected: { foo: 'bar', child: { grandchild: {} } },
  },
  {
    name: 'RFC 6902 A.11 ignoring unrecognized elements',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }],
    expected: { foo: 'bar', baz: 'qux' },
  },
  {
    name: 'RFC 6902 A.12 adding to a nonexistent target',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }],
    error: 'add operation does not apply: doc is missing path: "/baz/bat": missing value',
  },
  {
    name: 'RFC 6902 A.14 ~ escape ordering',
    doc: { '/': 9, '~1': 10 },
    patch: [{ op: 'test', path: '/~01', value: 10 }],
    expected: { '/': 9, '~1': 10 },
  },
  {
    name: 'RFC 6902 A.15 comparing strings and numbers',
    doc: { '/': 9, '~1': 10 },
    patch: [{ op: 'test', path: '/~01', value: '10' }],
    error: 'testing value /~01 failed',
  },
  {
    name: 'RFC 6902 A.16 adding an array value',
    doc: { foo: ['bar'] },
    patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
    expected: { foo: ['bar', ['abc', 'def']] },
  },
]);

test('RFC 6902 A.13 invalid patch document: Go and JSON.parse keep the last "op"', () => {
  const patch = parsePatchBody('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]');
  assert.throws(
    () => applyJsonPatch({ foo: 'bar' }, patch),
    new JsonPatchOperationError(
      "error in remove for path: '/baz': Unable to remove nonexistent key: baz: missing value",
      0,
    ),
  );
});

test('kubectl patch --type=json on a Deployment', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
    },
  };
  const out = applyJsonPatch(deployment, [
    { op: 'test', path: '/spec/replicas', value: 1 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/metadata/labels/tier', value: 'frontend' },
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' },
  ]);
  assert.deepStrictEqual(out, {
    ...deployment,
    metadata: { name: 'web', labels: { app: 'web', tier: 'frontend' } },
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  });
  assert.equal(deployment.spec.replicas, 1, 'the input is not mutated');
});
