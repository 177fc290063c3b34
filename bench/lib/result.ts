/**
 * The one result shape every benchmark writes (`bench/results/<name>.json`) and the table it
 * prints: rows of {system, metric, value, unit}, where `system` names what was measured (k8ts
 * or the reference measured in the same run) and `metric` is snake_case with its condition.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  readonly system: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

export interface BenchResult {
  readonly name: string;
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly node: string; readonly model: string };
  readonly rows: readonly BenchRow[];
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)] ?? Number.NaN;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Writes the JSON result and returns its path. */
export function writeResult(name: string, rows: readonly BenchRow[]): string {
  const result: BenchResult = {
    name,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, model: cpus()[0]?.model ?? 'unknown' },
    rows,
  };
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.json`;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** A metric-per-row, system-per-column table (Markdown, so it pastes into BENCHMARKS.md). */
export function formatTable(
  rows: readonly BenchRow[],
  ratios: readonly { readonly system: string; readonly reference: string }[] = [],
): string {
  const systems = [...new Set(rows.map((r) => r.system))];
  const metrics = [...new Set(rows.map((r) => `${r.metric} (${r.unit})`))];
  const header = ['metric', ...systems, ...ratios.map((r) => `${r.system} / ${r.reference}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const m of metrics) {
    const value = (system: string): number | undefined =>
      rows.find((r) => `${r.metric} (${r.unit})` === m && r.system === system)?.value;
    const cells = systems.map((s) => {
      const v = value(s);
      return v === undefined ? '' : String(round(v));
    });
    for (const ratio of ratios) {
      const a = value(ratio.system);
      const b = value(ratio.reference);
      cells.push(
        a === undefined || b === undefined || b === 0 ? '' : `${String(round(a / b, 2))}x`,
      );
    }
    lines.push(`| ${m} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
