#!/usr/bin/env node
// The k8ts executable. Runs the compiled output in dist/ when it is up to date with src/ (built
// by `npm run build` after the last change of any source file), else the TypeScript sources
// through tsx. K8TS_DIST=1 forces dist/, K8TS_DIST=0 forces the sources. The compiled output
// starts in about half the time, which matters for the processes `k8ts init` starts.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time (ms) of the .ts files under `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  try {
    return statSync(`${root}dist/cli/main.js`).mtimeMs > newestSource(`${root}src`);
  } catch {
    return false;
  }
}

const mode = process.env.K8TS_DIST;
if (mode === '1' || (mode !== '0' && distIsFresh())) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
