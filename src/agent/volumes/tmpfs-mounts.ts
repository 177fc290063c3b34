/**
 * The mounts the volume manager makes: tmpfs for emptyDir `medium: Memory` (sized by its
 * `sizeLimit`) and for the secret, projected and downwardAPI volumes (upstream keeps those off
 * the disk the same way, by wrapping them in a memory-backed emptyDir). Mount points are read
 * from /proc/self/mountinfo, so a mount survives an agent restart and is found again.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseQuantity } from '../../api/strategies/quantity.ts';

const run = promisify(execFile);

export class MountError extends Error {
  readonly code = 'AGENT_VOLUME_MOUNT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MountError';
  }
}

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = text
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** A sizeLimit quantity as whole bytes (rounded up), or undefined when unset or unparsable. */
export function tmpfsSizeBytes(sizeLimit: string | undefined): bigint | undefined {
  if (sizeLimit === undefined) return undefined;
  const q = parseQuantity(sizeLimit);
  if (q === undefined || q.num <= 0n) return undefined;
  return (q.num + q.den - 1n) / q.den;
}

/** Mounts a tmpfs on `dir` unless one is there already (idempotent); true when it mounted. */
export async function ensureTmpfs(dir: string, sizeLimit?: string): Promise<boolean> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (mountsUnder(dir).includes(dir)) return false;
  const size = tmpfsSizeBytes(sizeLimit);
  const options = size === undefined ? [] : ['-o', `size=${String(size)}`];
  try {
    await run('mount', ['-t', 'tmpfs', ...options, 'tmpfs', dir]);
  } catch (err: unknown) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new MountError(`mount of a tmpfs on ${dir} failed: ${stderr.trim()}`, { cause: err });
  }
  return true;
}

/**
 * Unmounts every mount at or under `dir`, deepest first (a busy one lazily). Answers the mount
 * points still there afterwards (none when all went).
 */
export async function unmountAll(dir: string): Promise<string[]> {
  for (const m of mountsUnder(dir))
    await run('umount', [m]).catch(() => run('umount', ['-l', m]).catch(() => undefined));
  return mountsUnder(dir);
}
