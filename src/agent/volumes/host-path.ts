/**
 * hostPath volumes: the path is used as it is, after upstream's type check (pkg/volume/hostpath
 * checkTypeInternal, with its messages): DirectoryOrCreate and FileOrCreate create what is
 * missing (a 0755 directory with its parents; a 0644 empty file, whose parent must exist, as
 * upstream), Directory, File, Socket, CharDevice and BlockDevice must already be that. An unset
 * type checks nothing. Symlinks are followed, as upstream's stat does.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';

export class HostPathTypeError extends Error {
  readonly code = 'AGENT_HOST_PATH_TYPE';
  constructor(message: string) {
    super(message);
    this.name = 'HostPathTypeError';
  }
}

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Checks (and for the *OrCreate types, creates) `path`; answers the path to mount. */
export function checkHostPath(path: string, type: string): string {
  const st = stat(path);
  const fail = (what: string): never => {
    throw new HostPathTypeError(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type) {
    case '':
      return path;
    case 'DirectoryOrCreate':
      if (st === undefined) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) fail('directory');
      return path;
    case 'Directory':
      if (st?.isDirectory() !== true) fail('directory');
      return path;
    case 'FileOrCreate':
      if (st === undefined) writeFileSync(path, '', { mode: 0o644, flag: 'a' });
      else if (!st.isFile()) fail('file');
      return path;
    case 'File':
      if (st?.isFile() !== true) fail('file');
      return path;
    case 'Socket':
      if (st?.isSocket() !== true) fail('socket file');
      return path;
    case 'CharDevice':
      if (st?.isCharacterDevice() !== true) fail('character device');
      return path;
    case 'BlockDevice':
      if (st?.isBlockDevice() !== true) fail('block device');
      return path;
    default:
      throw new HostPathTypeError(`${type} is an invalid volume type`);
  }
}
