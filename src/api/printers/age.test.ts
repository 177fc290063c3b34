import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../json.ts';
import {
  ageCell,
  formatRFC3339,
  isZeroTime,
  timestampMs,
  translateTimestampSince,
  ZERO_TIME_MS,
} from './age.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const offset = (ms: number): number => NOW.getTime() + ms;

// TestTranslateTimestampSince of printers_test.go.
const sinceCases: [name: string, ms: number, want: string][] = [
  ['a while from now', offset(2100), '<invalid>'],
  ['almost now', offset(1900), '0s'],
  ['now', offset(0), '0s'],
  ['unknown', ZERO_TIME_MS, '<unknown>'],
  ['30 seconds ago', offset(-30_000), '30s'],
  ['5 minutes ago', offset(-300_000), '5m'],
  ['an hour ago', offset(-6_000_000), '100m'],
  ['2 days ago', offset(-2 * 86_400_000), '2d'],
  ['months ago', offset(-90 * 86_400_000), '90d'],
  ['10 years ago', offset(-10 * 365 * 86_400_000), '10y'],
];

for (const [name, ms, want] of sinceCases) {
  test(`translateTimestampSince: ${name}`, () => {
    assert.equal(translateTimestampSince(ms, NOW), want);
  });
}

const parseCases: [value: JsonValue | undefined, zero: boolean][] = [
  [undefined, true],
  [null, true],
  ['', true],
  ['not a time', true],
  [42, true],
  ['0001-01-01T00:00:00Z', true],
  ['0001-01-01T00:00:00.000000Z', true],
  ['2024-06-01T11:59:00Z', false],
  ['2024-06-01T11:59:00.123456Z', false],
  ['2024-06-01T13:59:00+02:00', false],
];

for (const [value, zero] of parseCases) {
  test(`timestampMs(${value === undefined ? 'undefined' : JSON.stringify(value)}) is ${zero ? '' : 'not '}zero`, () => {
    assert.equal(isZeroTime(timestampMs(value)), zero);
  });
}

test('MicroTime and offsets parse to the same instant', () => {
  assert.equal(timestampMs('2024-06-01T13:59:00+02:00'), timestampMs('2024-06-01T11:59:00Z'));
  assert.equal(
    timestampMs('2024-06-01T11:59:00.123456Z') - timestampMs('2024-06-01T11:59:00Z'),
    123,
  );
});

test('ageCell reads metadata.creationTimestamp', () => {
  assert.equal(ageCell({ metadata: { creationTimestamp: '2024-06-01T11:54:30Z' } }, NOW), '5m30s');
  assert.equal(ageCell({ metadata: {} }, NOW), '<unknown>');
  assert.equal(ageCell({}, NOW), '<unknown>');
});

test('formatRFC3339 matches Go time.RFC3339 in UTC', () => {
  assert.equal(formatRFC3339(timestampMs('2024-06-01T13:59:00.5+02:00')), '2024-06-01T11:59:00Z');
  assert.equal(formatRFC3339(ZERO_TIME_MS), '0001-01-01T00:00:00Z');
});
