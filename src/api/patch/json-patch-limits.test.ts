import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../json.ts';
import {
  JsonPatchCopyTooLargeError,
  JsonPatchTestFailedError,
  PatchMalformedError,
  PatchTooDeepError,
  PatchTooManyOperationsError,
} from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { parsePatchBody } from './patch-body.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

test('errors carry upstream HTTP meanings', () => {
  const failed = (() => {
    try {
      applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]);
    } catch (err: unknown) {
      return err;
    }
    return undefined;
  })();
  assert.ok(failed instanceof JsonPatchTestFailedError);
  assert.equal(failed.httpStatus, 422);
  assert.equal(failed.code, 'PATCH_TEST_FAILED');
  assert.equal(
    failed.statusMessage,
    'the server rejected our request due to an error in our request',
  );
  assert.throws(() => applyJsonPatch({}, { op: 'add' }), {
    name: 'PatchMalformedError',
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  });
  assert.throws(() => applyJsonPatch({}, ['add']), {
    message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
  });
  assert.throws(
    () => parsePatchBody('[{'),
    (err: unknown) => {
      return err instanceof PatchMalformedError && err.httpStatus === 400;
    },
  );
});

test('more than 10000 operations is 413 RequestEntityTooLarge', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 }));
  assert.throws(
    () => applyJsonPatch({ a: 1 }, ops),
    (err: unknown) =>
      err instanceof PatchTooManyOperationsError &&
      err.httpStatus === 413 &&
      err.statusMessage ===
        'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
  );
  assert.deepStrictEqual(applyJsonPatch({ a: 1 }, ops.slice(1)), { a: 1 });
});

test('copy operations are bounded by the accumulated copy size (3 MiB by default)', () => {
  // evanphx's case: each copy of a 48-character string adds 50 bytes (quotes count).
  const s48 = 'A'.repeat(48);
  const copyTwice = [
    { op: 'copy', path: '/foo/-', from: '/foo/1' },
    { op: 'copy', path: '/foo/-', from: '/foo/1' },
  ];
  assert.deepStrictEqual(applyJsonPatch({ foo: ['A', s48] }, copyTwice, { maxCopyBytes: 100 }), {
    foo: ['A', s48, s48, s48],
  });
  assert.throws(
    () => applyJsonPatch({ foo: ['A', 'A'.repeat(49)] }, copyTwice, { maxCopyBytes: 100 }),
    new JsonPatchCopyTooLargeError(100, 102),
  );
  // The doubling attack: each copy doubles the array; the default limit stops it early.
  const doubling = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/a', path: '/a/-' }));
  assert.throws(
    () => applyJsonPatch({ a: ['x'.repeat(1000)] }, doubling),
    JsonPatchCopyTooLargeError,
  );
});

test('hostile input: deep values are rejected, huge arrays are fast', () => {
  let deep: JsonValue = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(
    () => applyJsonPatch({}, [{ op: 'add', path: '/a', value: deep }]),
    (err: unknown) => err instanceof PatchTooDeepError && err.httpStatus === 400,
  );
  const body = `[{"op":"add","path":"/a","value":${'['.repeat(200_000)}${']'.repeat(200_000)}}]`;
  assert.throws(() => parsePatchBody(body), PatchTooDeepError);
  // Building depth one `add` at a time hits the bound on the result (422), not the stack.
  const ops: JsonValue[] = [];
  let path = '';
  for (let i = 0; i < 1200; i++) {
    path += '/a';
    ops.push({ op: 'add', path, value: {} });
  }
  assert.throws(
    () => applyJsonPatch({}, ops),
    (err: unknown) => err instanceof PatchTooDeepError && err.httpStatus === 422,
  );
  const big = Array.from({ length: 200_000 }, (_, i) => i);
  let out: unknown;
  const ms = cpuTimeMs(() => {
    out = applyJsonPatch({ big }, [
      { op: 'add', path: '/big/-', value: -1 },
      { op: 'remove', path: '/big/0' },
      { op: 'test', path: '/big/199999', value: -1 },
    ]);
  });
  assert.ok(Array.isArray((out as { big: JsonValue[] }).big));
  assert.ok(ms < 2000, `took ${String(ms)} ms of CPU`);
});
