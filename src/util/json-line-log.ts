/**
 * The control-plane processes' log format: one JSON object per line on stderr, with the epoch
 * milliseconds `ts` (what tests and benchmarks order events by), an ISO `time`, `level`,
 * `component`, `msg` and the caller's fields. Callers never pass secrets in fields.
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type JsonLineLogFn = (
  level: LogLevel,
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** A logger for `component` writing to `write` (default: stderr). */
export function jsonLineLog(
  component: string,
  write: (line: string) => void = (line) => process.stderr.write(line),
): JsonLineLogFn {
  return (level, message, fields = {}) => {
    const now = Date.now();
    write(
      `${JSON.stringify({ ts: now, time: new Date(now).toISOString(), level, component, msg: message, ...fields })}\n`,
    );
  };
}
