/**
 * How to run `k8ts` itself as a child process: this Node binary plus the package's `bin/k8ts.js`
 * (found by walking up from this module, so it works from src/ through tsx and from dist/).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface K8tsExecutable {
  /** The Node binary: process.execPath. */
  readonly command: string;
  /** Leading arguments: the bin script. */
  readonly args: readonly string[];
}

export function k8tsExecutable(): K8tsExecutable {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'bin', 'k8ts.js');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) {
      return { command: process.execPath, args: [candidate] };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find bin/k8ts.js above ' + import.meta.url);
    dir = parent;
  }
}
