import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { ApiError } from '../../../api/status.ts';
import {
  formatGoDuration,
  formatGoMicroTime,
  formatGoTime,
  int64ToBigInt,
  int64ToNumber,
} from './go-format.ts';

describe('formatGoDuration (Go time.Duration.String)', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [999n, '999ns'],
    [1_500n, '1.5µs'],
    [1_000_000n, '1ms'],
    [1_500_000n, '1.5ms'],
    [1_000_000_000n, '1s'],
    [1_500_000_000n, '1.5s'],
    [60_000_000_000n, '1m0s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_661_000_000_001n, '1h1m1.000000001s'],
    [-1_500_000_000n, '-1.5s'],
    [-(2n ** 63n), '-2562047h47m16.854775808s'],
    [2n ** 63n - 1n, '2562047h47m16.854775807s'],
  ];
  for (const [ns, want] of cases)
    it(`${ns.toString()}ns → ${want}`, () => {
      assert.equal(formatGoDuration(ns), want);
    });
});

describe('formatGoTime (metav1.Time)', () => {
  it('formats RFC 3339 in UTC with whole seconds', () => {
    assert.equal(formatGoTime(1767225600n, 't'), '2026-01-01T00:00:00Z');
    assert.equal(formatGoTime(0n, 't'), '1970-01-01T00:00:00Z');
    assert.equal(formatGoTime(-1n, 't'), '1969-12-31T23:59:59Z');
  });
  it("is null for Go's zero time (0001-01-01T00:00:00Z)", () => {
    assert.equal(formatGoTime(-62135596800n, 't'), null);
    assert.equal(formatGoTime(-62135596799n, 't'), '0001-01-01T00:00:01Z');
  });
  it('pads years to four digits and rejects times a Date cannot hold', () => {
    assert.equal(formatGoTime(-62135596801n, 't'), '0000-12-31T23:59:59Z');
    assert.throws(
      () => formatGoTime(2n ** 62n, 'metadata.creationTimestamp'),
      (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 400);
        assert.match(err.message, /^metadata\.creationTimestamp: /);
        return true;
      },
    );
  });
});

describe('formatGoMicroTime (metav1.MicroTime)', () => {
  it('writes six fraction digits, truncating nanoseconds', () => {
    assert.equal(formatGoMicroTime(1767225600n, 0, 't'), '2026-01-01T00:00:00.000000Z');
    assert.equal(formatGoMicroTime(1767225600n, 123_456_789, 't'), '2026-01-01T00:00:00.123456Z');
    assert.equal(formatGoMicroTime(1767225600n, 999, 't'), '2026-01-01T00:00:00.000000Z');
  });
  it('normalizes out-of-range nanos as time.Unix does', () => {
    assert.equal(formatGoMicroTime(10n, -1_000, 't'), '1970-01-01T00:00:09.999999Z');
    assert.equal(formatGoMicroTime(10n, 1_500_000_000, 't'), '1970-01-01T00:00:11.500000Z');
  });
  it('is null for the zero time', () => {
    assert.equal(formatGoMicroTime(-62135596800n, 0, 't'), null);
    assert.equal(formatGoMicroTime(-62135596800n, 1_000, 't'), '0001-01-01T00:00:00.000001Z');
  });
});

describe('int64 values', () => {
  /** A Long as protobufjs decodes int64 fields. */
  const long = (value: string, unsigned = false): unknown =>
    protobuf.util.LongBits.from(value).toLong(unsigned);

  it('reads Longs, signed and unsigned, and plain numbers', () => {
    assert.equal(int64ToBigInt(long('-5')), -5n);
    assert.equal(int64ToBigInt(long('-1', true)), 2n ** 64n - 1n);
    assert.equal(int64ToBigInt(long('9223372036854775807')), 2n ** 63n - 1n);
    assert.equal(int64ToBigInt(long('-9223372036854775808')), -(2n ** 63n));
    assert.equal(int64ToBigInt(42), 42n);
    assert.throws(() => int64ToBigInt('42'), TypeError);
  });
  it('converts to a number only within the safe range', () => {
    assert.equal(int64ToNumber(long('9007199254740991'), 'x'), 2 ** 53 - 1);
    assert.equal(int64ToNumber(long('-9007199254740991'), 'x'), -(2 ** 53 - 1));
    assert.throws(
      () => int64ToNumber(long('9007199254740992'), 'spec.x'),
      (err: unknown) => err instanceof ApiError && err.code === 400 && /spec\.x/.test(err.message),
    );
  });
});
