/**
 * resource.Quantity values (`100m`, `1.5Gi`, `2e3`) as exact rationals, enough for upstream's
 * comparisons (QoS class, requests against limits). Parsing follows the Quantity grammar:
 * a signed decimal number, then a binary-SI, decimal-SI or `e<exp>` suffix. It does not
 * canonicalize or round to milli-units as the decoder does; an unparsable value is undefined.
 */

/** `num / den`, den > 0. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

const DECIMAL_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY_RE = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Parses a quantity from its JSON form (a string, or a bare number as the decoder accepts). */
export function parseQuantity(value: unknown): Quantity | undefined {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const m = QUANTITY_RE.exec(s.trim());
  if (m === null) return undefined;
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  let num = BigInt(`${whole}${frac}` === '' ? '0' : `${whole}${frac}`);
  let exp10 = -frac.length;
  const binary = BINARY[suffix];
  if (binary !== undefined) num *= binary;
  else if (suffix.startsWith('e') || suffix.startsWith('E')) exp10 += Number(suffix.slice(1));
  else exp10 += DECIMAL_EXPONENT[suffix] ?? 0;
  if (sign === '-') num = -num;
  return exp10 >= 0 ? { num: num * pow10(exp10), den: 1n } : { num, den: pow10(-exp10) };
}

export const ZERO_QUANTITY: Quantity = { num: 0n, den: 1n };

/** -1, 0 or 1, as Quantity.Cmp. */
export function compareQuantity(a: Quantity, b: Quantity): number {
  const x = a.num * b.den;
  const y = b.num * a.den;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}
