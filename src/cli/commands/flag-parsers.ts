/**
 * Flag value parsers shared by the kubeadm-style commands (init, join, token, reset, certs):
 * Go durations (`24h`, `0`), ports, comma lists, each failing with commander's
 * InvalidArgumentError so the user sees which flag is wrong and why.
 */
import { InvalidArgumentError } from 'commander';
import { parseGoDurationMs } from '../../util/go-duration.ts';

/** A Go duration in ms, 0 allowed (`--ttl 0` = never expires). */
export function durationFlag(value: string): number {
  let ms: number;
  try {
    ms = parseGoDurationMs(value);
  } catch (err: unknown) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  if (ms < 0) throw new InvalidArgumentError('must not be negative');
  return ms;
}

export function portFlag(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535)
    throw new InvalidArgumentError('not a port (1-65535)');
  return port;
}

/** pflag's string slice: repeatable, each value split on commas, empty values dropped. */
export function listFlag(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').filter((v) => v.trim() !== '')];
}
