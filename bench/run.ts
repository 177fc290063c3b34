/**
 * `npm run bench -- NAME`: runs one benchmark (bench/NAME.ts, which exports `run()`), prints its
 * table and writes bench/results/NAME.json. Benchmarks are not tests and never run in CI.
 */
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
const mod = (await import(file)) as { run: (args: readonly string[]) => Promise<void> };
await mod.run(process.argv.slice(3));
