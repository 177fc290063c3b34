#!/usr/bin/env node
// Runs the test files of one suite through node:test with tsx.
//   unit: every src/**/*.test.ts (the Store contract on memory, sqlite and a real 3-member etcd)
//   e2e:  every test/e2e/**/*.test.ts (real processes, real kubectl)
// Node 20 has no glob in --test, so the files are found here. Extra arguments are passed on
// (e.g. a file filter: `npm test -- src/storage`).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const suite = process.argv[2] ?? 'unit';
const filters = process.argv.slice(3).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(3).filter((a) => a.startsWith('-'));
const roots = { unit: ['src'], e2e: ['test/e2e'] }[suite];
if (roots === undefined) {
  console.error(`unknown suite ${suite}: use unit or e2e`);
  process.exit(2);
}

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative('.', p));
  }
  return out;
}

const files = roots
  .flatMap((r) => walk(r, []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.log(`# no ${suite} test files`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}
const concurrency = suite === 'e2e' ? '1' : '2';
// A test that hangs (a lost event on a loaded machine) fails after this long instead of stalling
// the whole run: 5 min for a unit test, 10 min for an e2e suite. `--test-timeout=N` overrides.
if (!flags.some((f) => f.startsWith('--test-timeout'))) {
  flags.push(`--test-timeout=${suite === 'e2e' ? 600_000 : 300_000}`);
}
// A test file whose tests all finished but that leaves a handle open (a socket, a timer) would
// keep its process, and so the run, alive for ever: --test-force-exit ends it (Node >= 20.14).
if (!flags.includes('--test-force-exit')) flags.push('--test-force-exit');
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
