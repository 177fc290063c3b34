/**
 * Timestamps as printers.go reads them: `metav1.Time`/`MicroTime` JSON strings, where null, absent,
 * unparsable and Go's zero time ("0001-01-01T00:00:00Z") all mean "zero", and
 * `translateTimestampSince` turns one into an age relative to an injected `now`.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { valueAt } from './fields.ts';
import { humanDuration, saturatingDurationMs } from './human-duration.ts';

/** Go's zero `time.Time` (January 1, year 1, UTC) in Unix milliseconds. */
export const ZERO_TIME_MS = -62_135_596_800_000;

/**
 * Unix milliseconds of an RFC 3339 timestamp, or `ZERO_TIME_MS` when the value is not one. Go would
 * refuse to decode an unparsable timestamp at all; treating it as zero keeps listing working.
 */
export function timestampMs(value: JsonValue | undefined): number {
  if (typeof value !== 'string' || value === '') return ZERO_TIME_MS;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? ZERO_TIME_MS : ms;
}

export function isZeroTime(ms: number): boolean {
  return ms === ZERO_TIME_MS;
}

/** Upstream's `translateTimestampSince`: "<unknown>" for a zero time, else the human age. */
export function translateTimestampSince(ms: number, now: Date): string {
  if (isZeroTime(ms)) return '<unknown>';
  return humanDuration(saturatingDurationMs(now.getTime() - ms));
}

/** Go's `time.Time.UTC().Format(time.RFC3339)`: second precision, "Z" suffix. */
export function formatRFC3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Age cell of every printer: `translateTimestampSince(obj.CreationTimestamp)`. */
export function ageCell(obj: JsonObject, now: Date): string {
  return translateTimestampSince(timestampMs(valueAt(obj, 'metadata', 'creationTimestamp')), now);
}
