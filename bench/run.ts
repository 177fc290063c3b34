/**
 * `npm run bench -- NAME`: runs one benchmark (bench/NAME.ts, which exports `run()`), prints its
 * table and writes bench/results/NAME.json. Benchmarks are not tests and never run in CI.
 * It builds dist/ first, and the k8ts processes a benchmark starts run the compiled output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const name = process.argv[2];
if (name === undefined || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: npm run bench -- NAME   (e.g. store)\n');
  process.exit(2);
}
const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
if (!existsSync(file)) {
  process.stderr.write(`no benchmark named ${name} (looked for bench/${name}.ts)\n`);
  process.exit(2);
}
// The processes a benchmark starts through bin/k8ts.js run what an installed k8ts runs: the
// compiled dist/ (scripts/install.sh builds it), not the sources through tsx, whose loader hooks
// and keepNames wrappers cost the API server about 10 % more CPU per request (measured).
// `--from-source` runs them through tsx instead (K8TS_DIST=0), as a checkout with edits does.
const fromSource = process.argv.includes('--from-source');
if (!fromSource) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('npm run build failed: the benchmark needs the compiled dist/\n');
    process.exit(1);
  }
}
process.env['K8TS_DIST'] = fromSource ? '0' : '1';
const mod = (await import(file)) as { run: (args: readonly string[]) => Promise<void> };
await mod.run(process.argv.slice(3));
