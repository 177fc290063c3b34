/**
 * What one probe try answered, in upstream's terms (pkg/probe Result): `success`, `warning`
 * (a success worth an event: an HTTP redirect to another host was not followed), `failure`
 * (counts toward failureThreshold), `unknown` (the probe could not run: a bad port, a runtime
 * error; upstream throws such a result away). `success` is true for success and warning, which
 * is all a lifecycle hook asks.
 */

export type ProbeOutcome = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeResult {
  readonly result: ProbeOutcome;
  /** True for `success` and `warning`. */
  readonly success: boolean;
  /** What the probe said, in upstream's words: the failure text, the exec output. */
  readonly output: string;
  /** Why the probe could not run (only with `unknown`). */
  readonly error?: string | undefined;
}

export const probeSuccess = (output = ''): ProbeResult => ({
  result: 'success',
  success: true,
  output,
});

export const probeWarning = (output: string): ProbeResult => ({
  result: 'warning',
  success: true,
  output,
});

export const probeFailure = (output: string): ProbeResult => ({
  result: 'failure',
  success: false,
  output,
});

export const probeUnknown = (error: string): ProbeResult => ({
  result: 'unknown',
  success: false,
  output: '',
  error,
});
