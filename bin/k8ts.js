#!/usr/bin/env node
// The k8ts executable. Runs the TypeScript sources through tsx (compiled output in dist/ is used
// instead when K8TS_DIST=1 and `npm run build` has run).
import { register } from 'tsx/esm/api';

if (process.env.K8TS_DIST === '1') {
  await import('../dist/cli/main.js');
} else {
  register();
  await import('../src/cli/main.ts');
}
