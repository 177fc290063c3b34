/**
 * Translation between the Store's keys and values and etcd's wire form: the key prefix
 * (`--etcd-prefix`) is added on the way out and stripped on the way back, revisions (int64 as
 * decimal strings in the etcd3 client) become numbers, and values become plain Uint8Arrays.
 */
import type { IKeyValue } from 'etcd3';
import { StoreInvalidArgumentError } from '../errors.ts';
import { prefixEnd } from '../keys.ts';
import type { KeyValue } from '../store.ts';

/** Everything under `prefix` in etcd's range form [key, rangeEnd). */
export interface WireRange {
  readonly key: Buffer;
  readonly rangeEnd: Buffer;
}

export class KeyCodec {
  readonly #prefix: string;
  readonly #prefixBytes: number;

  constructor(keyPrefix: string) {
    this.#prefix = keyPrefix;
    this.#prefixBytes = Buffer.byteLength(keyPrefix, 'utf8');
  }

  /** The etcd key of a Store key. */
  wire(key: string): Buffer {
    return Buffer.from(this.#prefix + key, 'utf8');
  }

  /** The range of every key that starts with `prefix`, from `startKey` on (default: all). */
  range(prefix: string, startKey: string = prefix): WireRange {
    const wirePrefix = this.#prefix + prefix;
    // etcd has no empty key: the range of everything starts at "\0" (and ends at "\0").
    const key = startKey === '' && this.#prefix === '' ? Buffer.from([0]) : this.wire(startKey);
    return { key, rangeEnd: prefixEnd(wirePrefix) };
  }

  /** The Store key of an etcd key under the prefix. */
  unwire(key: Buffer): string {
    return key.subarray(this.#prefixBytes).toString('utf8');
  }

  keyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.unwire(kv.key),
      value: plainBytes(kv.value),
      createRevision: toRevision(kv.create_revision),
      modRevision: toRevision(kv.mod_revision),
    };
  }
}

/** A revision from etcd (decimal string or number) as a number. */
export function toRevision(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`revision out of range: ${String(value)}`);
  return n;
}

/** A revision argument from a caller: a non-negative safe integer. */
export function checkRevision(what: string, revision: number): void {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new StoreInvalidArgumentError(`invalid ${what}: ${String(revision)}`);
  }
}

/** The bytes as a plain Uint8Array (not a Buffer), so values compare equal on every backend. */
export function plainBytes(bytes: Uint8Array | null | undefined): Uint8Array {
  if (bytes === null || bytes === undefined) return new Uint8Array(0);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A Buffer view of a caller's value, for sending (no copy). */
export function wireValue(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
