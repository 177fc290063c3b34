/**
 * Writes a set of files into a volume directory atomically, as kubelet's AtomicWriter
 * (pkg/volume/util/atomic_writer.go): the files go into a fresh timestamped directory
 * `..2006_01_02_15_04_05.<random>`, a `..data_tmp` symlink to it is renamed over `..data`, and
 * each top-level name is a symlink `name -> ..data/name`. A reader inside the container sees
 * the old set or the new set, never a mix; a write that fails removes its own directory and
 * leaves the old set in place. Nothing is written when the content is unchanged; names that
 * disappeared lose their symlinks; the old data directory is removed. Not safe for concurrent
 * writers to one directory (the pod worker runs one sync of a pod at a time).
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';

export interface FileProjection {
  readonly data: Buffer;
  /** File mode, e.g. 0o644. */
  readonly mode: number;
}

const DATA = '..data';
const DATA_TMP = '..data_tmp';
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

export class AtomicWriteError extends Error {
  readonly code = 'AGENT_VOLUME_WRITE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AtomicWriteError';
  }
}

/**
 * upstream's validatePath: a path must be relative, at most 4096 characters, without a `..`
 * element or a name over 255 characters, and must not start with `..` (those names are the
 * writer's own). k8ts also rejects a path that names the volume root itself (`.`, `./`), which
 * upstream only fails on later, when writing.
 */
export function validatePath(path: string): void {
  const quoted = JSON.stringify(path);
  if (path === '') throw new AtomicWriteError(`invalid path: must not be empty: ${quoted}`);
  if (path.startsWith('/'))
    throw new AtomicWriteError(`invalid path: must be relative path: ${quoted}`);
  if (path.length > MAX_PATH)
    throw new AtomicWriteError(
      `invalid path: must be less than or equal to ${String(MAX_PATH)} characters`,
    );
  const items = path.split('/');
  for (const item of items) {
    if (item === '..') throw new AtomicWriteError(`invalid path: must not contain '..': ${quoted}`);
    if (item.length > MAX_FILE_NAME)
      throw new AtomicWriteError(
        `invalid path: filenames must be less than or equal to ${String(MAX_FILE_NAME)} characters`,
      );
  }
  if ((items[0] ?? '').startsWith('..'))
    throw new AtomicWriteError(`invalid path: must not start with '..': ${quoted}`);
  if (posix.normalize(path).replace(/\/$/, '') === '.')
    throw new AtomicWriteError(`invalid path: must name a file: ${quoted}`);
}

/** Validated payload with clean paths (`a//b/` → `a/b`), as upstream's validatePayload. */
function cleanPayload(files: ReadonlyMap<string, FileProjection>): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  for (const [path, f] of files) {
    validatePath(path);
    out.set(posix.normalize(path).replace(/\/$/, ''), f);
  }
  return out;
}

/** The regular files under `dir` by relative path (symlinks are not followed). */
function currentFiles(dir: string, prefix = ''): Map<string, { data: Buffer; mode: number }> {
  const out = new Map<string, { data: Buffer; mode: number }>();
  let entries: string[];
  try {
    entries = readdirSync(join(dir, prefix));
  } catch {
    return out;
  }
  for (const name of entries) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = lstatSync(join(dir, rel));
    if (st.isDirectory()) for (const [k, v] of currentFiles(dir, rel)) out.set(k, v);
    else if (st.isFile())
      out.set(rel, { data: readFileSync(join(dir, rel)), mode: st.mode & 0o7777 });
  }
  return out;
}

/**
 * Whether the data on disk already is `files`. Upstream compares the bytes only, so a changed
 * `mode` alone never reaches the files; k8ts compares the mode too, so that editing `defaultMode`
 * or an item's `mode` of a pod's volume is honoured like a content change.
 */
function sameContent(
  current: Map<string, { data: Buffer; mode: number }>,
  files: ReadonlyMap<string, FileProjection>,
): boolean {
  if (current.size !== files.size) return false;
  for (const [k, v] of files) {
    const old = current.get(k);
    if (old === undefined || old.mode !== (v.mode & 0o7777) || !old.data.equals(v.data))
      return false;
  }
  return true;
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Go's time.Format("..2006_01_02_15_04_05.") in UTC, the prefix of a data directory. */
function timestampPrefix(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `..${String(now.getUTCFullYear())}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

/**
 * Writes `files` into `dir`; answers true when anything changed. `setPerms` runs once the new
 * data directory is written, before it is swapped in (upstream's hook for volume ownership); a
 * throw fails the write as any other error.
 */
export function writeAtomically(
  dir: string,
  payload: ReadonlyMap<string, FileProjection>,
  now = new Date(),
  setPerms?: () => void,
): boolean {
  const files = cleanPayload(payload);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const dataLink = join(dir, DATA);
  const oldTsDir = readLink(dataLink);
  // A link that is not a plain `..name` of this directory is not ours to follow.
  if (
    oldTsDir !== undefined &&
    /^\.\.[^/]+$/.test(oldTsDir) &&
    sameContent(currentFiles(join(dir, oldTsDir)), files)
  )
    return false;

  const tsDir = mkdtempSync(join(dir, timestampPrefix(now)));
  const tsName = tsDir.slice(dir.length + 1);
  try {
    // 0755 whatever the umask, so that any container user can walk the tree.
    chmodSync(tsDir, 0o755);
    for (const [path, f] of files) {
      const target = join(tsDir, path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      writeFileSync(target, f.data, { mode: f.mode });
      chmodSync(target, f.mode);
    }
    setPerms?.();
    const tmpLink = join(dir, DATA_TMP);
    rmSync(tmpLink, { force: true });
    symlinkSync(tsName, tmpLink);
    renameSync(tmpLink, dataLink);
  } catch (err: unknown) {
    // Nothing half-written stays: the readers keep the old `..data`.
    rmSync(tsDir, { recursive: true, force: true });
    rmSync(join(dir, DATA_TMP), { force: true });
    throw new AtomicWriteError(
      `cannot write volume files in ${dir}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  // Top-level names point into ..data (created after the swap, as upstream since v1.11).
  const topLevel = new Set([...files.keys()].map((p) => p.split('/')[0] ?? p));
  for (const name of topLevel) {
    const link = join(dir, name);
    if (readLink(link) === undefined) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(join(DATA, name), link);
    }
  }
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.startsWith('..')) {
      // The previous data directory, and any a crashed write left behind (upstream keeps those).
      if (name !== DATA && name !== DATA_TMP && name !== tsName && lstatSync(path).isDirectory())
        rmSync(path, { recursive: true, force: true });
    } else if (!topLevel.has(name) && readLink(path) !== undefined) unlinkSync(path);
  }
  return true;
}
