/**
 * The object and array containers of evanphx/json-patch v4 (gopkg.in/evanphx/json-patch.v4, the
 * version kube-apiserver 1.33 links), with its exact rules and error texts: `findObject` walks
 * every path segment but the last, array indexes go through Go's strconv.Atoi (so `+1`, `01`
 * and negative indexes counting from the end are accepted), and a JSON null is "missing".
 * Containers are mutated in place; json-patch.ts works on its own copy of the document.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { getOwn, hasOwn, isObject, setOwn } from './json-values.ts';

/** A failure inside a container; json-patch.ts wraps it into upstream's message. */
export class ContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerError';
  }
}

export type Container =
  | { readonly kind: 'doc'; readonly obj: JsonObject; readonly depth: number }
  | { readonly kind: 'ary'; readonly arr: JsonValue[]; readonly depth: number };

const INVALID_INDEX = 'invalid index referenced';
const MISSING = 'missing value';

export function containerOf(value: JsonValue, depth: number): Container | undefined {
  if (Array.isArray(value)) return { kind: 'ary', arr: value, depth };
  if (isObject(value)) return { kind: 'doc', obj: value, depth };
  return undefined;
}

/** RFC 6901 unescaping, `~1` before `~0` as the RFC requires (and strings.NewReplacer does). */
export function decodePatchKey(segment: string): string {
  return segment.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** Go's strconv.Atoi on a 64-bit platform, with its error texts. */
export function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) {
    throw new ContainerError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    throw new ContainerError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  }
  // Indexes beyond 2^53 lose precision here, but every such index is out of range anyway.
  return Number(n);
}

function invalidIndex(idx: number): ContainerError {
  return new ContainerError(`Unable to access invalid index: ${String(idx)}: ${INVALID_INDEX}`);
}

/** `findObject`: the container holding the last segment of `path`, and that segment decoded. */
export function findObject(
  root: Container,
  path: string,
): { readonly con: Container; readonly key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con = root;
  // Upstream ignores whatever precedes the first '/', so "a/b" addresses "/b".
  for (let i = 1; i < split.length - 1; i++) {
    let next: JsonValue | undefined;
    try {
      next = get(con, decodePatchKey(split[i] ?? ''));
    } catch (err: unknown) {
      if (err instanceof ContainerError) return undefined;
      throw err;
    }
    if (next === undefined || next === null) return undefined;
    const c = containerOf(next, con.depth + 1);
    if (c === undefined) return undefined;
    con = c;
  }
  return { con, key: decodePatchKey(split[split.length - 1] ?? '') };
}

/** The value at `key`; undefined for an absent object key (upstream's nil, not an error). */
export function get(con: Container, key: string): JsonValue | undefined {
  if (con.kind === 'doc') return getOwn(con.obj, key);
  const arr = con.arr;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -arr.length) throw invalidIndex(idx);
    idx += arr.length;
  }
  if (idx >= arr.length) throw invalidIndex(idx);
  return arr[idx];
}

/** `add`: objects set the key; arrays insert before `key`, or append for `-`. */
export function add(con: Container, key: string, value: JsonValue): void {
  if (con.kind === 'doc') {
    setOwn(con.obj, key, value);
    return;
  }
  const arr = con.arr;
  if (key === '-') {
    arr.push(value);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (err: unknown) {
    if (!(err instanceof ContainerError)) throw err;
    throw new ContainerError(`value was not a proper array index: '${key}': ${err.message}`);
  }
  const size = arr.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  arr.splice(idx, 0, value);
}

/** `set`, used only by `replace` after `get` found the key. */
export function set(con: Container, key: string, value: JsonValue): void {
  if (con.kind === 'doc') {
    setOwn(con.obj, key, value);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -con.arr.length) throw invalidIndex(idx);
    idx += con.arr.length;
  }
  con.arr[idx] = value;
}

export function remove(con: Container, key: string): void {
  if (con.kind === 'doc') {
    if (!hasOwn(con.obj, key)) {
      throw new ContainerError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    }
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- JSON objects are maps
    delete con.obj[key];
    return;
  }
  const arr = con.arr;
  let idx = atoi(key);
  if (idx >= arr.length) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -arr.length) throw invalidIndex(idx);
    idx += arr.length;
  }
  arr.splice(idx, 1);
}
