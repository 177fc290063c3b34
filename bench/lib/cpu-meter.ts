/**
 * CPU time used by processes between two readings: this process (process.cpuUsage, µs) and
 * other processes by PID (/proc/PID/stat utime+stime, in clock ticks of 10 ms, so a reading
 * over less than a second is coarse). Used to say where a benchmark's CPU went per operation.
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface CpuReading {
  readonly self: number;
  readonly groups: ReadonlyMap<string, number>;
}

/** Reads CPU ms used so far by this process and by each named group of PIDs. */
export class CpuMeter {
  readonly #groups: ReadonlyMap<string, () => readonly number[]>;

  constructor(groups: ReadonlyMap<string, () => readonly number[]>) {
    this.#groups = groups;
  }

  read(): CpuReading {
    const groups = new Map<string, number>();
    for (const [name, pids] of this.#groups)
      groups.set(
        name,
        pids().reduce((sum, pid) => sum + procCpuMs(pid), 0),
      );
    return { self: selfCpuMs(), groups };
  }

  /** CPU ms per group (and `loadgen` for this process) between two readings. */
  static delta(a: CpuReading, b: CpuReading): Map<string, number> {
    const out = new Map<string, number>([['loadgen', b.self - a.self]]);
    for (const [name, v] of b.groups) out.set(name, v - (a.groups.get(name) ?? 0));
    return out;
  }
}
