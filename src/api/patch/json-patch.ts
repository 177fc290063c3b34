/**
 * RFC 6902 JSON Patch as kube-apiserver applies it (evanphx/json-patch v4.12, plus the v4.13 fixes
 * for its nil-pointer panics). Pure: the document and patch are copied, never mutated. Matches
 * upstream where it departs from the RFC: `remove` of a missing key fails but `replace` of one
 * adds it, `add` at the root fails while `replace` at the root swaps the whole document, negative
 * array indexes count from the end, `copy` from an absent key copies null. Bounded: at most
 * 10000 operations (413), 3 MiB of copied data, and DEFAULT_MAX_DEPTH levels of nesting.
 * Simplified: `test` compares numbers by value (upstream compares their JSON text, so 1.0 != 1).
 */
import type { JsonObject, JsonValue } from '../json.ts';
import {
  JsonPatchCopyTooLargeError,
  JsonPatchOperationError,
  JsonPatchTestFailedError,
  PatchMalformedError,
  PatchTooDeepError,
  PatchTooManyOperationsError,
} from './errors.ts';
import type { Container } from './json-patch-containers.ts';
import {
  ContainerError,
  add,
  containerOf,
  findObject,
  get,
  remove,
  set,
} from './json-patch-containers.ts';
import { MISSING, Operation } from './json-patch-operation.ts';
import {
  DEFAULT_MAX_DEPTH,
  cloneBounded,
  depthOf,
  goJsonSize,
  jsonEqual,
  jsonKind,
} from './json-values.ts';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;
/** kube-apiserver's default JSONPatchMaxCopyBytes (the same 3 MiB as its request body limit). */
export const DEFAULT_JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

export interface JsonPatchOptions {
  /** Most operations in one patch; default MAX_JSON_PATCH_OPERATIONS (10000). */
  readonly maxOperations?: number;
  /** Most bytes all `copy` operations may add, 0 for no limit; default 3 MiB. */
  readonly maxCopyBytes?: number;
  /** Deepest nesting of the patch and of the result; default DEFAULT_MAX_DEPTH (256). */
  readonly maxDepth?: number;
}

/** Applies `patch` (a decoded json-patch body) to `document` and returns the new document. */
export function applyJsonPatch(
  document: JsonValue,
  patch: unknown,
  options: JsonPatchOptions = {},
): JsonValue {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (patch !== null && !Array.isArray(patch)) {
    throw new PatchMalformedError(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  const rawOps: readonly unknown[] = patch ?? [];
  for (const op of rawOps) {
    if (op !== null && (typeof op !== 'object' || Array.isArray(op))) {
      throw new PatchMalformedError(
        `json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`,
      );
    }
  }
  const maxOperations = options.maxOperations ?? MAX_JSON_PATCH_OPERATIONS;
  if (rawOps.length > maxOperations) {
    throw new PatchTooManyOperationsError(maxOperations, rawOps.length);
  }
  const ops = cloneBounded(rawOps, maxDepth, 'patch') as (JsonObject | null)[];

  const root = containerOf(cloneBounded(document, maxDepth, 'object'), 1);
  if (root === undefined) {
    throw new JsonPatchOperationError(
      `json: cannot unmarshal ${jsonKind(document)} into Go value of type jsonpatch.partialDoc`,
      0,
    );
  }
  const state: ApplyState = {
    root,
    maxDepth,
    maxCopyBytes: options.maxCopyBytes ?? DEFAULT_JSON_PATCH_MAX_COPY_BYTES,
    copiedBytes: 0,
  };
  ops.forEach((op, index) => {
    applyOperation(state, op ?? {}, index);
  });
  return state.root.kind === 'doc' ? state.root.obj : state.root.arr;
}

interface ApplyState {
  root: Container;
  readonly maxDepth: number;
  readonly maxCopyBytes: number;
  copiedBytes: number;
}

type OperationHandler = (state: ApplyState, op: Operation) => void;

function applyOperation(state: ApplyState, raw: JsonObject, index: number): void {
  const op = new Operation(raw, index);
  const kind = op.kind();
  try {
    const handler = OPERATIONS.get(kind);
    if (handler === undefined) throw op.fail(`Unexpected kind: ${kind}`);
    handler(state, op);
  } catch (err: unknown) {
    if (err instanceof ContainerError) throw op.fail(err.message);
    throw err;
  }
}

/** Runs a container call, prefixing a container failure with upstream's wrapper text. */
function wrap(op: Operation, prefix: string, fn: () => void): void {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof ContainerError) throw op.fail(`${prefix}: ${err.message}`);
    throw err;
  }
}

/** Inserting `value` below `con` must keep the document within maxDepth. */
function checkDepth(state: ApplyState, con: Container, value: JsonValue): void {
  if (con.depth + depthOf(value) > state.maxDepth) {
    throw new PatchTooDeepError('result', state.maxDepth);
  }
}

function opAdd(state: ApplyState, op: Operation): void {
  const path = op.pointer('path');
  if (!path.ok) throw op.fail(`add operation failed to decode path: ${MISSING}`);
  const found = findObject(state.root, path.value);
  if (found === undefined) {
    throw op.fail(`add operation does not apply: doc is missing path: "${path.value}": ${MISSING}`);
  }
  const value = op.value() ?? null;
  checkDepth(state, found.con, value);
  wrap(op, `error in add for path: '${path.value}'`, () => {
    add(found.con, found.key, value);
  });
}

function opRemove(state: ApplyState, op: Operation): void {
  const path = op.pointer('path');
  if (!path.ok) throw op.fail(`remove operation failed to decode path: ${MISSING}`);
  const found = findObject(state.root, path.value);
  if (found === undefined) {
    throw op.fail(
      `remove operation does not apply: doc is missing path: "${path.value}": ${MISSING}`,
    );
  }
  wrap(op, `error in remove for path: '${path.value}'`, () => {
    remove(found.con, found.key);
  });
}

function opReplace(state: ApplyState, op: Operation): void {
  const path = op.pointer('path');
  if (!path.ok) throw op.fail(`replace operation failed to decode path: ${path.error}`);
  if (path.value === '') {
    // v4.12 wraps a nil error here, which yields nil: a scalar replacing the root is a no-op.
    const next = containerOf(op.value() ?? null, 1);
    if (next !== undefined) state.root = next;
    return;
  }
  const found = findObject(state.root, path.value);
  if (found === undefined) {
    throw op.fail(
      `replace operation does not apply: doc is missing path: ${path.value}: ${MISSING}`,
    );
  }
  try {
    get(found.con, found.key); // an absent object key is not an error: replace then adds it
  } catch (err: unknown) {
    if (!(err instanceof ContainerError)) throw err;
    throw op.fail(
      `replace operation does not apply: doc is missing key: ${path.value}: ${MISSING}`,
    );
  }
  const value = op.value() ?? null;
  checkDepth(state, found.con, value);
  wrap(op, `error in remove for path: '${path.value}'`, () => {
    set(found.con, found.key, value);
  });
}

function opMove(state: ApplyState, op: Operation): void {
  const from = op.pointer('from');
  if (!from.ok) throw op.fail(`move operation failed to decode from: ${from.error}`);
  const source = findObject(state.root, from.value);
  if (source === undefined) {
    throw op.fail(
      `move operation does not apply: doc is missing from path: ${from.value}: ${MISSING}`,
    );
  }
  let value: JsonValue | undefined;
  wrap(op, `error in move for path: '${source.key}'`, () => {
    value = get(source.con, source.key);
    remove(source.con, source.key);
  });
  const path = op.pointer('path');
  if (!path.ok) throw op.fail(`move operation failed to decode path: ${path.error}`);
  const target = findObject(state.root, path.value);
  if (target === undefined) {
    throw op.fail(
      `move operation does not apply: doc is missing destination path: ${path.value}: ${MISSING}`,
    );
  }
  const moved = value ?? null;
  checkDepth(state, target.con, moved);
  wrap(op, `error in move for path: '${path.value}'`, () => {
    add(target.con, target.key, moved);
  });
}

function opTest(state: ApplyState, op: Operation): void {
  const path = op.pointer('path');
  if (!path.ok) throw op.fail(`test operation failed to decode path: ${path.error}`);
  const expected = op.value();
  if (path.value === '') {
    const self = state.root.kind === 'doc' ? state.root.obj : state.root.arr;
    if (expected !== undefined && jsonEqual(self, expected)) return;
    throw new JsonPatchTestFailedError(path.value, op.index);
  }
  const found = findObject(state.root, path.value);
  if (found === undefined) {
    throw op.fail(`test operation does not apply: is missing path: ${path.value}: ${MISSING}`);
  }
  let actual: JsonValue | undefined;
  wrap(op, `error in test for path: '${path.value}'`, () => {
    actual = get(found.con, found.key);
  });
  if (actual === undefined || actual === null) {
    // upstream's nil node: absent and null both pass against a null or missing value
    if (expected === undefined || expected === null) return;
    throw new JsonPatchTestFailedError(path.value, op.index);
  }
  if (expected !== undefined && jsonEqual(actual, expected)) return;
  throw new JsonPatchTestFailedError(path.value, op.index);
}

function opCopy(state: ApplyState, op: Operation): void {
  const from = op.pointer('from');
  if (!from.ok) throw op.fail(`copy operation failed to decode from: ${from.error}`);
  const source = findObject(state.root, from.value);
  if (source === undefined) {
    throw op.fail(
      `copy operation does not apply: doc is missing from path: ${from.value}: ${MISSING}`,
    );
  }
  let value: JsonValue | undefined;
  wrap(op, `error in copy for from: '${from.value}'`, () => {
    value = get(source.con, source.key);
  });
  const path = op.pointer('path');
  if (!path.ok) throw op.fail(`copy operation failed to decode path: ${MISSING}`);
  const target = findObject(state.root, path.value);
  if (target === undefined) {
    throw op.fail(
      `copy operation does not apply: doc is missing destination path: ${path.value}: ${MISSING}`,
    );
  }
  // An absent source is upstream's nil node: it copies as null and counts 0 bytes.
  const copied = value === undefined ? null : value;
  checkDepth(state, target.con, copied);
  const size = value === undefined ? 0 : goJsonSize(copied);
  state.copiedBytes += size;
  if (state.maxCopyBytes > 0 && state.copiedBytes > state.maxCopyBytes) {
    throw new JsonPatchCopyTooLargeError(state.maxCopyBytes, state.copiedBytes);
  }
  const clone = cloneBounded(copied, state.maxDepth, 'result');
  wrap(op, 'error while adding value during copy', () => {
    add(target.con, target.key, clone);
  });
}

// A Map, not an object literal: an op named "constructor" must not find Object.prototype's.
const OPERATIONS: ReadonlyMap<string, OperationHandler> = new Map([
  ['add', opAdd],
  ['remove', opRemove],
  ['replace', opReplace],
  ['move', opMove],
  ['test', opTest],
  ['copy', opCopy],
]);
