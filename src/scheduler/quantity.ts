/**
 * resource.Quantity parsing as the scheduler needs it (k8s.io/apimachinery resource.Quantity):
 * decimal SI suffixes (m, k, M, G, T, P, E), binary ones (Ki … Ei) and e-notation (`1e3`,
 * `1E-3`), exact (BigInt rationals, so `0.1` is exactly 100m). Rounded up, as upstream's
 * MilliValue()/Value() are. An unparsable quantity reads as 0 (the API server validates them).
 */

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL_EXP: Readonly<Record<string, number>> = {
  '': 0,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)([a-zA-Z]*|[eE][+-]?\d+)$/;

/** A quantity as numerator/denominator, or undefined if it does not parse. */
function parseRational(s: string): { num: bigint; den: bigint } | undefined {
  const m = QUANTITY.exec(s.trim());
  if (m === null) return undefined;
  const [, sign = '', digits = '', suffix = ''] = m;
  const [intPart = '', fracPart = ''] = digits.split('.');
  let num = BigInt(`${intPart}${fracPart}` || '0');
  let den = 10n ** BigInt(fracPart.length);
  let exp10: number;
  if (suffix in BINARY) {
    num *= BINARY[suffix] ?? 1n;
    exp10 = 0;
  } else if (suffix in DECIMAL_EXP) {
    exp10 = DECIMAL_EXP[suffix] ?? 0;
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    exp10 = Number(suffix.slice(1));
  } else {
    return undefined;
  }
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den *= 10n ** BigInt(-exp10);
  if (sign === '-') num = -num;
  return { num, den };
}

function ceilDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return num % den > 0n ? q + 1n : q;
}

/**
 * Parsed quantities by text: a cluster uses a handful of spellings ("100m", "500Mi") millions
 * of times, and the exact BigInt parse is the costly part. Bounded; cleared when full. Module
 * state, but only a memo of a pure function: no caller can tell it from parsing every time.
 */
const MEMO_LIMIT = 4_096;
const memo = new Map<string, { readonly milli: number; readonly value: number }>();

function parsed(s: string | number): { readonly milli: number; readonly value: number } {
  const text = String(s);
  let hit = memo.get(text);
  if (hit === undefined) {
    const r = parseRational(text);
    hit =
      r === undefined
        ? { milli: 0, value: 0 }
        : { milli: Number(ceilDiv(r.num * 1000n, r.den)), value: Number(ceilDiv(r.num, r.den)) };
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, hit);
  }
  return hit;
}

/** Thousandths of the quantity, rounded up (upstream's MilliValue; CPU in millicores). */
export function parseMilliValue(s: string | number | undefined): number {
  return s === undefined ? 0 : parsed(s).milli;
}

/** The quantity in whole units, rounded up (upstream's Value; memory in bytes, pods). */
export function parseValue(s: string | number | undefined): number {
  return s === undefined ? 0 : parsed(s).value;
}

/** True if `s` parses as a quantity. */
export function isQuantity(s: string): boolean {
  return parseRational(s) !== undefined;
}
