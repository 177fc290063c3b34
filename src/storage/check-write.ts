/**
 * The checks every backend runs before a write, so a bad write fails the same typed way on all
 * of them and nothing is sent or half-written: a non-empty key and a value within etcd's limit.
 */
import { StoreTooLargeError } from './errors.ts';
import { assertKey } from './keys.ts';
import { MAX_VALUE_BYTES } from './store.ts';

export function checkWrite(key: string, value: Uint8Array): void {
  assertKey(key);
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw new StoreTooLargeError(key, value.byteLength, MAX_VALUE_BYTES);
  }
}
