import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GoDurationError, parseGoDurationMs } from './go-duration.ts';

describe('parseGoDurationMs', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1h', 3_600_000],
    ['48h', 172_800_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['-2m', -120_000],
  ];
  for (const [text, ms] of cases) {
    it(`parses ${text}`, () => {
      assert.equal(parseGoDurationMs(text), ms);
    });
  }
  for (const bad of ['', '1', 'h', '1x', '1h ', 'abc', '1h-2m']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseGoDurationMs(bad), GoDurationError);
    });
  }
});
