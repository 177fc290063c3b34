/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and answers where the time went:
 * self time per function (name, file:line), summed over the profile's nodes, largest first,
 * with `(idle)`, `(program)` and `(garbage collector)` kept as V8 names them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface HotFunction {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the profile's non-idle time. */
  readonly share: number;
}

/** The top `n` functions by self time in every .cpuprofile in `dir`, merged. */
export function hotFunctions(dir: string, n = 15): HotFunction[] {
  const self = new Map<string, number>();
  let busyMs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const samples = p.samples?.length ?? 0;
    if (samples === 0) continue;
    const msPerSample = (p.endTime - p.startTime) / 1000 / samples;
    for (const node of p.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      const f = node.callFrame;
      const where = f.url === '' ? '' : ` ${shortUrl(f.url)}:${String(f.lineNumber + 1)}`;
      const name = `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`;
      const ms = hits * msPerSample;
      self.set(name, (self.get(name) ?? 0) + ms);
      if (f.functionName !== '(idle)') busyMs += ms;
    }
  }
  return [...self]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs === 0 ? 0 : selfMs / busyMs }));
}

function shortUrl(url: string): string {
  const i = url.indexOf('/src/');
  if (i >= 0) return url.slice(i + 1);
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  return url.replace(/^file:\/\//, '');
}
