/**
 * Parsers for kube-style flag values shared by the k8ts commands: Go's strconv.ParseBool
 * (`--leader-elect=false`) and positive Go durations (`--node-monitor-grace-period=40s`). Each
 * throws commander's InvalidArgumentError, so a bad value is reported with the flag's name.
 */
import { InvalidArgumentError } from 'commander';
import { parseGoDurationMs } from '../util/go-duration.ts';

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`invalid boolean ${JSON.stringify(value)}`);
}

/** A Go duration (`1m30s`, `500ms`) greater than zero, in ms. */
export function positiveDurationMs(value: string): number {
  let ms: number;
  try {
    ms = parseGoDurationMs(value);
  } catch (err: unknown) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  if (ms <= 0) throw new InvalidArgumentError('must be positive');
  return ms;
}
