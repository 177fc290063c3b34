/**
 * Go's time.ParseDuration for flags that take durations (`--service-account-max-token-expiration
 * 48h`): a sequence of decimal numbers with units ns, us (µs), ms, s, m, h, optionally signed;
 * "0" alone is zero. Returns milliseconds; throws GoDurationError on anything else.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class GoDurationError extends Error {
  readonly code = 'K8TS_INVALID_DURATION';
  constructor(text: string) {
    super(`time: invalid duration ${JSON.stringify(text)}`);
    this.name = 'GoDurationError';
  }
}

export function parseGoDurationMs(text: string): number {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new GoDurationError(text);
  let total = 0;
  // A sticky regex keeps its position, so each call gets its own.
  const TERM = /(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/gy;
  let consumed = 0;
  for (let m = TERM.exec(rest); m !== null; m = TERM.exec(rest)) {
    const [whole, value = '', unit = ''] = m;
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) throw new GoDurationError(text);
    total += Number(value) * perUnit;
    consumed += whole.length;
  }
  if (consumed !== rest.length) throw new GoDurationError(text);
  return sign * total;
}
