/**
 * CPU time this process spends in a call, for tests that bound an algorithm's cost on hostile
 * input (it must stay linear, not merely finish): unlike wall-clock time, it does not grow when
 * other processes load the machine. It counts every thread of the process, GC helpers included.
 */

/** Milliseconds of user + system CPU time spent while `fn` ran. */
export function cpuTimeMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
