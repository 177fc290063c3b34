/**
 * klog's `--v` for the control-plane commands: a non-negative integer, where 6 and up log every
 * API request the command's RestClient sends (method, path, status, when it was sent; never
 * headers or bodies, so no credentials). Below 6 nothing per request is logged.
 */
import { InvalidArgumentError } from 'commander';
import type { RequestLogEntry } from '../client/index.ts';
import type { JsonLineLogFn } from '../util/json-line-log.ts';

/** klog's `--v`: a non-negative integer. */
export function verbosity(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

/** The RestClient request log `--v` asks for: every request at 6 and up, else none. */
export function requestLogFor(
  level: number,
  log: JsonLineLogFn,
): ((entry: RequestLogEntry) => void) | undefined {
  if (level < 6) return undefined;
  return (entry) => {
    log(entry.error === undefined ? 'info' : 'warn', 'request', { ...entry });
  };
}
