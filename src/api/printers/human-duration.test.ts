import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration, shortHumanDuration } from './human-duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

// Transcribed from apimachinery pkg/util/duration/duration_test.go (release-1.33); Go's
// nanosecond offsets become the nearest sub-millisecond offsets here.
const cases: [ms: number, want: string][] = [
  // TestHumanDuration
  [S, '1s'],
  [70 * S, '70s'],
  [190 * S, '3m10s'],
  [70 * M, '70m'],
  [47 * H, '47h'],
  [49 * H, '2d1h'],
  [(8 * 24 + 2) * H, '8d'],
  [367 * D, '367d'],
  [(365 * 2 * 24 + 25) * H, '2y1d'],
  [(365 * 8 * 24 + 2) * H, '8y'],
  // TestHumanDurationBoundaries
  [-2 * S, '<invalid>'],
  [-2 * S + 0.001, '0s'],
  [0, '0s'],
  [S - 1, '0s'],
  [2 * M - 1, '119s'],
  [2 * M, '2m'],
  [2 * M + S, '2m1s'],
  [10 * M - 1, '9m59s'],
  [10 * M, '10m'],
  [10 * M + S, '10m'],
  [3 * H - 1, '179m'],
  [3 * H, '3h'],
  [3 * H + M, '3h1m'],
  [8 * H - 1, '7h59m'],
  [8 * H, '8h'],
  [8 * H + 59 * M, '8h'],
  [2 * D - 1, '47h'],
  [2 * D, '2d'],
  [2 * D + H, '2d1h'],
  [8 * D - 1, '7d23h'],
  [8 * D, '8d'],
  [8 * D + 23 * H, '8d'],
  [2 * Y - 1, '729d'],
  [2 * Y, '2y'],
  [2 * Y + 23 * H, '2y'],
  [2 * Y + 23 * H + 59 * M, '2y'],
  [2 * Y + D - 1, '2y'],
  [2 * Y + D, '2y1d'],
  [3 * Y, '3y'],
  [4 * Y, '4y'],
  [5 * Y, '5y'],
  [6 * Y, '6y'],
  [7 * Y, '7y'],
  [8 * Y - 1, '7y364d'],
  [8 * Y, '8y'],
  [8 * Y + 364 * D, '8y'],
  [9 * Y, '9y'],
  // Extra: the 5m30s shape, and Go's int64-nanosecond saturation (~292 years).
  [5 * M + 30 * S, '5m30s'],
  [-1500, '0s'],
  [3000 * Y, '292y'],
];

for (const [ms, want] of cases) {
  test(`humanDuration(${ms}ms) = ${want}`, () => {
    assert.equal(humanDuration(ms), want);
  });
}

// apimachinery's TestShortHumanDuration, plus the clock-skew tolerance.
const SHORT_CASES: [number, string][] = [
  [-2_000, '<invalid>'],
  [-1_999, '0s'],
  [0, '0s'],
  [59_999, '59s'],
  [60_000, '1m'],
  [59 * 60_000 + 59_000, '59m'],
  [3_600_000, '1h'],
  [23 * 3_600_000 + 59 * 60_000, '23h'],
  [24 * 3_600_000, '1d'],
  [364 * 24 * 3_600_000, '364d'],
  [365 * 24 * 3_600_000, '1y'],
  [3 * 365 * 24 * 3_600_000, '3y'],
];
for (const [ms, want] of SHORT_CASES) {
  test(`shortHumanDuration(${String(ms)}ms) = ${want}`, () => {
    assert.equal(shortHumanDuration(ms), want);
  });
}
