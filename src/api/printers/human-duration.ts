/**
 * `humanDuration`: apimachinery's `duration.HumanDuration` (release-1.33), the "5m30s"-style age
 * strings of `kubectl get`. It keeps upstream's truncation and thresholds exactly, including the
 * 2-second tolerance for clock skew ("0s" down to -1.999s, "<invalid>" below that).
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** Go's time.Duration is int64 nanoseconds: Sub/Since saturate at about ±292 years. */
const MAX_DURATION_MS = 9_223_372_036_854.775;

/** Go's `int(x)` conversion of a quotient: truncation toward zero. */
function whole(ms: number, unitMs: number): number {
  return Math.trunc(ms / unitMs);
}

/** Clamps a millisecond difference the way Go's `time.Time.Sub` saturates. */
export function saturatingDurationMs(ms: number): number {
  return Math.max(-MAX_DURATION_MS, Math.min(MAX_DURATION_MS, ms));
}

/** A succinct duration with ~2-3 significant figures; `ms` may be negative. */
export function humanDuration(ms: number): string {
  const d = saturatingDurationMs(ms);
  const seconds = whole(d, SECOND_MS);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = whole(d, MINUTE_MS);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = whole(d, HOUR_MS);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${whole(hours, 24)}d` : `${whole(hours, 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${whole(hours, 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = whole(hours, 24) % 365;
    const years = whole(hours, 24 * 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${whole(hours, 24 * 365)}y`;
}

/** apimachinery's `duration.ShortHumanDuration` (kubeadm's token TTL column): one unit only. */
export function shortHumanDuration(ms: number): string {
  const d = saturatingDurationMs(ms);
  const seconds = whole(d, SECOND_MS);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${String(seconds)}s`;
  const minutes = whole(d, MINUTE_MS);
  if (minutes < 60) return `${String(minutes)}m`;
  const hours = whole(d, HOUR_MS);
  if (hours < 24) return `${String(hours)}h`;
  if (hours < 24 * 365) return `${String(whole(hours, 24))}d`;
  return `${String(whole(hours, 24 * 365))}y`;
}
