import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownedFileMode, setVolumeOwnership } from './volume-ownership.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-ownership-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const GID = 4242;
const canChown = process.getuid?.() === 0;
let n = 0;

/** A volume dir: `f` 0644, `sub/` 0755 with `g` 0600, a symlink `l -> f`; group 0. */
function volume(): string {
  const dir = join(root, String(n++));
  mkdirSync(join(dir, 'sub'), { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'sub'), 0o755);
  writeFileSync(join(dir, 'f'), 'f', { mode: 0o644 });
  writeFileSync(join(dir, 'sub', 'g'), 'g', { mode: 0o600 });
  chmodSync(join(dir, 'f'), 0o644);
  chmodSync(join(dir, 'sub', 'g'), 0o600);
  symlinkSync('f', join(dir, 'l'));
  return dir;
}

/** [path, gid, mode as octal] of every entry (lstat: the link itself). */
function listing(dir: string): [string, number, string][] {
  return ['.', 'f', 'sub', 'sub/g', 'l'].map((p) => {
    const st = lstatSync(join(dir, p));
    return [p, st.gid, (st.mode & 0o7777).toString(8)];
  });
}

describe('setVolumeOwnership (upstream SetVolumeOwnership)', { skip: !canChown }, () => {
  it('read-write (emptyDir): group fsGroup, rw for the group, setgid and x on directories', () => {
    const dir = volume();
    setVolumeOwnership(dir, GID, { readOnly: false });
    const link = lstatSync(join(dir, 'l'));
    assert.deepEqual(listing(dir), [
      ['.', GID, '2775'],
      ['f', GID, '664'],
      ['sub', GID, '2775'],
      ['sub/g', GID, '660'],
      // The link itself changes group (lchown), never its mode.
      ['l', GID, (link.mode & 0o7777).toString(8)],
    ]);
    // The owner is kept.
    assert.equal(statSync(join(dir, 'f')).uid, process.getuid?.());
  });

  it('read-only (configMap, secret, projected, downwardAPI): r for the group, r-x on directories', () => {
    const dir = volume();
    setVolumeOwnership(dir, GID, { readOnly: true });
    assert.deepEqual(listing(dir).slice(0, 4), [
      ['.', GID, '2755'],
      ['f', GID, '644'],
      ['sub', GID, '2755'],
      ['sub/g', GID, '640'],
    ]);
  });

  it('no fsGroup: nothing changes', () => {
    const dir = volume();
    const before = listing(dir);
    setVolumeOwnership(dir, undefined, { readOnly: false });
    assert.deepEqual(listing(dir), before);
  });

  it('OnRootMismatch skips a volume whose root already matches, and changes one that does not', () => {
    const dir = volume();
    chownSync(dir, -1, GID);
    chmodSync(dir, 0o2775);
    setVolumeOwnership(dir, GID, { readOnly: false, changePolicy: 'OnRootMismatch' });
    assert.deepEqual(listing(dir)[1], ['f', 0, '644'], 'the files were left alone');
    // Always (or no policy) walks the whole volume anyway.
    setVolumeOwnership(dir, GID, { readOnly: false, changePolicy: 'Always' });
    assert.deepEqual(listing(dir)[1], ['f', GID, '664']);
    for (const [mode, gid] of [
      [0o775, GID], // no setgid
      [0o2755, GID], // no group write
      [0o2775, 0], // another group
    ] as const) {
      const other = volume();
      chownSync(other, -1, gid);
      chmodSync(other, mode);
      setVolumeOwnership(other, GID, { readOnly: false, changePolicy: 'OnRootMismatch' });
      assert.deepEqual(listing(other)[1], ['f', GID, '664'], mode.toString(8));
    }
  });

  it('ownedFileMode is the mode a file ends with', () => {
    assert.equal(ownedFileMode(0o600, true), 0o640);
    assert.equal(ownedFileMode(0o644, true), 0o644);
    assert.equal(ownedFileMode(0o600, false), 0o660);
    assert.equal(ownedFileMode(0o400, true), 0o440);
  });
});
