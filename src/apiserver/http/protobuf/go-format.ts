/**
 * The JSON forms Go gives the apimachinery value types that protobuf carries as numbers: int64
 * (protobufjs hands out `Long`s), `metav1.Time` (RFC 3339, whole seconds), `metav1.MicroTime`
 * (RFC 3339, 6 fraction digits) and `metav1.Duration` (Go's `time.Duration.String()`). Values a
 * JSON number or a JavaScript Date cannot hold exactly are a 400, never a silently rounded value.
 */
import { badRequest } from '../../../api/status.ts';

/** Seconds from 0001-01-01T00:00:00Z to the Unix epoch: Go's zero `time.Time`. */
const GO_ZERO_TIME_UNIX_SECONDS = -62135596800n;
/** The largest |seconds| a JavaScript Date can hold (8.64e15 ms). */
const MAX_DATE_SECONDS = 8_640_000_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;

/** An int64 as protobufjs decodes it (a `Long` when long.js is present, else a number). */
export function int64ToBigInt(value: unknown): bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'object' && value !== null) {
    const { low, high, unsigned } = value as { low?: unknown; high?: unknown; unsigned?: unknown };
    if (typeof low === 'number' && typeof high === 'number') {
      const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
      return unsigned === true ? bits : BigInt.asIntN(64, bits);
    }
  }
  throw new TypeError(`not a protobuf int64: ${typeof value}`);
}

/** An int64 as a JSON number; beyond 2^53 a JSON number would not round-trip, so it is a 400. */
export function int64ToNumber(value: unknown, field: string): number {
  const n = int64ToBigInt(value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw badRequest(`${field}: integer ${n.toString()} is out of the supported range`);
  }
  return Number(n);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Go's `t.UTC().Format(layout)` for the RFC 3339 layouts, years padded to 4 digits. */
function formatRfc3339(seconds: bigint, nanos: number, withMicros: boolean, field: string): string {
  if (seconds > MAX_DATE_SECONDS || seconds < -MAX_DATE_SECONDS) {
    throw badRequest(`${field}: time is out of the supported range`);
  }
  const d = new Date(Number(seconds) * 1000);
  const year = d.getUTCFullYear();
  const yyyy = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  const date = `${yyyy}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  const fraction = withMicros ? `.${pad(Math.trunc(nanos / 1000), 6)}` : '';
  return `${date}T${time}${fraction}Z`;
}

/**
 * `metav1.Time` from a non-empty protobuf `Timestamp` (an empty one is the zero time, null):
 * upstream's Unmarshal drops `nanos`, as JSON only carries seconds; Go's zero time is null too.
 */
export function formatGoTime(seconds: bigint, field: string): string | null {
  if (seconds === GO_ZERO_TIME_UNIX_SECONDS) return null;
  return formatRfc3339(seconds, 0, false, field);
}

/**
 * `metav1.MicroTime` from a non-empty `Timestamp`: nanos truncated toward zero to microseconds,
 * then normalized as `time.Unix(sec, nsec)` does; Go's zero time is null.
 */
export function formatGoMicroTime(seconds: bigint, nanos: number, field: string): string | null {
  const truncated = BigInt(Math.trunc(nanos / 1000) * 1000);
  let sec = seconds + truncated / NANOS_PER_SECOND;
  let nsec = truncated % NANOS_PER_SECOND;
  if (nsec < 0n) {
    nsec += NANOS_PER_SECOND;
    sec -= 1n;
  }
  if (sec === GO_ZERO_TIME_UNIX_SECONDS && nsec === 0n) return null;
  return formatRfc3339(sec, Number(nsec), true, field);
}

/** Go's fmtFrac: the last `precision` digits of v as ".ddd" without trailing zeros. */
function fraction(v: bigint, precision: number): [string, bigint] {
  let digits = '';
  let rest = v;
  let printing = false;
  for (let i = 0; i < precision; i++) {
    const digit = rest % 10n;
    printing ||= digit !== 0n;
    if (printing) digits = `${digit.toString()}${digits}`;
    rest /= 10n;
  }
  return [printing ? `.${digits}` : '', rest];
}

/** Go's `time.Duration(nanoseconds).String()`: "1h2m3.5s", "1.5ms", "0s". */
export function formatGoDuration(nanoseconds: bigint): string {
  const negative = nanoseconds < 0n;
  const u = negative ? -nanoseconds : nanoseconds;
  let text: string;
  if (u === 0n) {
    text = '0s';
  } else if (u < NANOS_PER_SECOND) {
    const [precision, unit] = u < 1_000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    const [frac, whole] = fraction(u, precision);
    text = `${whole.toString()}${frac}${unit}`;
  } else {
    const [frac, totalSeconds] = fraction(u, 9);
    text = `${(totalSeconds % 60n).toString()}${frac}s`;
    const totalMinutes = totalSeconds / 60n;
    if (totalMinutes > 0n) {
      text = `${(totalMinutes % 60n).toString()}m${text}`;
      const hours = totalMinutes / 60n;
      if (hours > 0n) text = `${hours.toString()}h${text}`;
    }
  }
  return negative ? `-${text}` : text;
}
