/**
 * A node's process specs: k8ts's analog of kubeadm's static pod manifests. `init` (and later
 * `join`) writes one JSON file per component to `<rootfs>/etc/kubernetes/manifests/<name>.json`;
 * the node supervisor reads them and runs each as a child process. Reading validates every field
 * and names the offending file; a spec carries no secrets (keys are referenced by path only).
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessSpec {
  /** Component name (`etcd`, `kube-apiserver`, ...): names the log and pid files. */
  readonly name: string;
  /** Executable: an absolute path. */
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment on top of the supervisor's own. Default: none. */
  readonly env: Readonly<Record<string, string>>;
}

export class ProcessSpecError extends Error {
  readonly code = 'NODE_INVALID_PROCESS_SPEC';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProcessSpecError';
  }
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates an untrusted value (a parsed manifest) into a ProcessSpec. */
export function parseProcessSpec(value: unknown, source: string): ProcessSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProcessSpecError(`${source}: not a JSON object`);
  const o = value as Record<string, unknown>;
  const name = o['name'];
  const command = o['command'];
  const args = o['args'] ?? [];
  const env = o['env'] ?? {};
  if (typeof name !== 'string' || !NAME_PATTERN.test(name))
    throw new ProcessSpecError(`${source}: "name" must be a DNS label`);
  if (typeof command !== 'string' || command === '')
    throw new ProcessSpecError(`${source}: "command" must be a non-empty string`);
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string'))
    throw new ProcessSpecError(`${source}: "args" must be an array of strings`);
  if (typeof env !== 'object' || Array.isArray(env))
    throw new ProcessSpecError(`${source}: "env" must be an object of strings`);
  const envEntries = Object.entries(env as Record<string, unknown>);
  if (!envEntries.every(([, v]) => typeof v === 'string'))
    throw new ProcessSpecError(`${source}: "env" must be an object of strings`);
  return { name, command, args, env: Object.fromEntries(envEntries) as Record<string, string> };
}

/** Every `*.json` spec in `dir`, sorted by file name; a missing dir is an empty list. */
export function readProcessSpecs(dir: string): ProcessSpec[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const specs = files.sort().map((f) => {
    const path = join(dir, f);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err: unknown) {
      throw new ProcessSpecError(`${path}: not valid JSON`, { cause: err });
    }
    return parseProcessSpec(parsed, path);
  });
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new ProcessSpecError(`${dir}: two specs are named ${s.name}`);
    seen.add(s.name);
  }
  return specs;
}

/** Writes `<dir>/<name>.json` atomically (a reader never sees half a file). */
export function writeProcessSpec(dir: string, spec: ProcessSpec): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, `${spec.name}.json`);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

/** True if two specs would run the same process (a changed spec means a restart). */
export function sameProcessSpec(a: ProcessSpec, b: ProcessSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
