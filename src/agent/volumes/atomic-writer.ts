/**
 * Writes a set of files into a volume directory atomically, as kubelet's AtomicWriter: the
 * files go into a fresh timestamped directory `..<time>`, the `..data` symlink is swapped to it
 * with a rename, and each top-level name is a symlink into `..data`. A reader inside the
 * container sees the old set or the new set, never a mix. Nothing is written when the content
 * is unchanged; names that disappeared lose their symlinks; the old data directory is removed.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  readonly data: Buffer;
  /** File mode, e.g. 0o644. */
  readonly mode: number;
}

const DATA = '..data';

export class AtomicWriteError extends Error {
  readonly code = 'AGENT_VOLUME_WRITE';
  constructor(message: string) {
    super(message);
    this.name = 'AtomicWriteError';
  }
}

/** Rejects absolute paths, `..` elements and names starting with `..` (as upstream). */
export function validatePath(path: string): void {
  if (path === '' || path.startsWith('/'))
    throw new AtomicWriteError(`invalid path ${JSON.stringify(path)}: must be relative`);
  if (path.length > 4096) throw new AtomicWriteError(`invalid path: longer than 4096 characters`);
  const parts = path.split('/');
  if (parts.some((p) => p === '..'))
    throw new AtomicWriteError(`invalid path ${JSON.stringify(path)}: must not contain '..'`);
  if (path.startsWith('..'))
    throw new AtomicWriteError(`invalid path ${JSON.stringify(path)}: must not start with '..'`);
}

function currentFiles(dataDir: string, prefix = ''): Map<string, { data: Buffer; mode: number }> {
  const out = new Map<string, { data: Buffer; mode: number }>();
  let entries: string[];
  try {
    entries = readdirSync(join(dataDir, prefix));
  } catch {
    return out;
  }
  for (const name of entries) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = lstatSync(join(dataDir, rel));
    if (st.isDirectory()) for (const [k, v] of currentFiles(dataDir, rel)) out.set(k, v);
    else out.set(rel, { data: readFileSync(join(dataDir, rel)), mode: st.mode & 0o777 });
  }
  return out;
}

function sameContent(
  a: Map<string, { data: Buffer; mode: number }>,
  b: ReadonlyMap<string, FileProjection>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old === undefined || old.mode !== v.mode || !old.data.equals(v.data)) return false;
  }
  return true;
}

/** Writes `files` into `dir`; answers true when anything changed. */
export function writeAtomically(
  dir: string,
  files: ReadonlyMap<string, FileProjection>,
  now = new Date(),
): boolean {
  for (const path of files.keys()) validatePath(path);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const dataLink = join(dir, DATA);
  let oldTsDir: string | undefined;
  if (existsSync(dataLink)) {
    oldTsDir = readlinkSync(dataLink);
    if (sameContent(currentFiles(join(dir, oldTsDir)), files)) return false;
  }
  const stamp = now.toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '');
  const tsName = `..${stamp}.${String(process.hrtime.bigint() % 1_000_000_000n)}`;
  const tsDir = join(dir, tsName);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [path, f] of files) {
    const target = join(tsDir, normalize(path));
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, f.data);
    chmodSync(target, f.mode);
  }
  const tmpLink = join(dir, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(tsName, tmpLink);
  renameSync(tmpLink, dataLink);
  // Top-level names point into ..data.
  const topLevel = new Set([...files.keys()].map((p) => p.split('/')[0] ?? p));
  for (const name of topLevel) {
    const link = join(dir, name);
    if (!existsSync(link) && !isSymlink(link)) symlinkSync(join(DATA, name), link);
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || topLevel.has(name)) continue;
    if (isSymlink(join(dir, name))) unlinkSync(join(dir, name));
  }
  if (oldTsDir !== undefined && oldTsDir !== tsName && !oldTsDir.includes(sep))
    rmSync(join(dir, oldTsDir), { recursive: true, force: true });
  return true;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
