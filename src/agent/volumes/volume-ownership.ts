/**
 * Upstream's volume ownership management for a pod's fsGroup (pkg/volume/volume_linux.go,
 * VolumeOwnership.ChangePermissions, v1.33): every file and directory of the volume gets the
 * group fsGroup (lchown, the owner kept, symlinks included), and its mode ORed with rw-rw----
 * (0660), or r--r----- (0440) for a read-only volume; directories also get the execute bits
 * (0110) and setgid, so that what containers create there belongs to fsGroup. Symlinks keep
 * their mode (chmod would change their target). Children are changed before their directory,
 * as upstream's walkDeep. With fsGroupChangePolicy OnRootMismatch nothing is changed when the
 * root already has the group, the bits and setgid. A chown or chmod that fails is skipped, as
 * upstream only logs it; a directory that cannot be read fails the call.
 */
import { chmodSync, lchownSync, lstatSync, readdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

export interface VolumeOwnershipOptions {
  /** The plugin's read-only attribute (configMap, secret, downwardAPI, projected). */
  readonly readOnly: boolean;
  /**
   * The pod's fsGroupChangePolicy; only `OnRootMismatch` changes anything. Default: none
   * (always change), which is what upstream passes for emptyDir and the API volumes.
   */
  readonly changePolicy?: string | undefined;
}

/** The mode a file of the volume ends with once ownership is applied (upstream's mask). */
export function ownedFileMode(mode: number, readOnly: boolean): number {
  return mode | (readOnly ? RO_MASK : RW_MASK);
}

/** Gives `dir` and everything in it to `fsGroup`; nothing when fsGroup is undefined. */
export function setVolumeOwnership(
  dir: string,
  fsGroup: number | undefined,
  options: VolumeOwnershipOptions,
): void {
  if (fsGroup === undefined) return;
  if (options.changePolicy === 'OnRootMismatch' && !requiresChange(dir, fsGroup, options.readOnly))
    return;
  walkDeep(dir, lstatSync(dir), (path, st) => {
    changeFile(path, st, fsGroup, options.readOnly);
  });
}

function changeFile(path: string, st: Stats, fsGroup: number, readOnly: boolean): void {
  try {
    lchownSync(path, -1, fsGroup);
  } catch {
    // Upstream logs a failed Lchown and goes on.
  }
  if (st.isSymbolicLink()) return;
  let mask = readOnly ? RO_MASK : RW_MASK;
  if (st.isDirectory()) mask |= SETGID | EXEC_MASK;
  try {
    chmodSync(path, (st.mode & 0o7777) | mask);
  } catch {
    // Likewise for chmod.
  }
}

/** Upstream's walkDeep: children first (unsorted), then the directory itself. */
function walkDeep(path: string, st: Stats, visit: (path: string, st: Stats) => void): void {
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      walkDeep(child, lstatSync(child), visit);
    }
  }
  visit(path, st);
}

/** Upstream's requiresPermissionChange: the root's group, bits and setgid (following links). */
function requiresChange(root: string, fsGroup: number, readOnly: boolean): boolean {
  let st: Stats;
  try {
    st = statSync(root);
  } catch {
    return true;
  }
  if (st.gid !== fsGroup || !st.isDirectory()) return true;
  const wanted = (readOnly ? RO_MASK : RW_MASK) | EXEC_MASK;
  return (st.mode & wanted) !== wanted || (st.mode & SETGID) === 0;
}
