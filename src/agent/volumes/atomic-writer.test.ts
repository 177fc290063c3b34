import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriteError, validatePath, writeAtomically } from './atomic-writer.ts';
import type { FileProjection } from './atomic-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-atomic-writer-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const freshDir = (): string => join(root, String(n++));

const files = (entries: Record<string, string | [string, number]>): Map<string, FileProjection> =>
  new Map(
    Object.entries(entries).map(([k, v]) => [
      k,
      typeof v === 'string'
        ? { data: Buffer.from(v), mode: 0o644 }
        : { data: Buffer.from(v[0]), mode: v[1] },
    ]),
  );

const visible = (dir: string): string[] =>
  readdirSync(dir)
    .filter((x) => !x.startsWith('..'))
    .sort();
const dataDirs = (dir: string): string[] =>
  readdirSync(dir).filter((x) => x.startsWith('..') && x !== '..data');

describe('writeAtomically', () => {
  it('writes into a timestamped dir behind ..data, top-level names are symlinks into it', () => {
    const dir = freshDir();
    const now = new Date(Date.UTC(2024, 1, 3, 4, 5, 6));
    assert.equal(writeAtomically(dir, files({ a: 'A', 'sub/b': 'B' }), now), true);
    const ts = readlinkSync(join(dir, '..data'));
    assert.match(ts, /^\.\.2024_02_03_04_05_06\.\w+$/);
    assert.equal(statSync(join(dir, ts)).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), 'B');
    assert.deepEqual(visible(dir), ['a', 'sub']);
  });

  it('sets the exact file modes whatever the umask', () => {
    const dir = freshDir();
    const old = process.umask(0o077);
    try {
      writeAtomically(dir, files({ a: ['x', 0o644], b: ['y', 0o400], c: ['z', 0o777] }));
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, 'b')).mode & 0o777, 0o400);
    assert.equal(statSync(join(dir, 'c')).mode & 0o777, 0o777);
  });

  it('does nothing when the content is the same, swaps the data dir when it changed', () => {
    const dir = freshDir();
    writeAtomically(dir, files({ a: 'A' }));
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(writeAtomically(dir, files({ a: 'A' })), false);
    assert.equal(readlinkSync(join(dir, '..data')), first);
    assert.equal(writeAtomically(dir, files({ a: 'A2' })), true);
    const second = readlinkSync(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A2');
    // The old data dir is gone; only the new one and ..data remain.
    assert.deepEqual(dataDirs(dir), [second]);
  });

  it('a changed mode alone is written too', () => {
    const dir = freshDir();
    writeAtomically(dir, files({ a: ['A', 0o644] }));
    assert.equal(writeAtomically(dir, files({ a: ['A', 0o600] })), true);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o600);
  });

  it('names that disappeared lose their symlinks and files', () => {
    const dir = freshDir();
    writeAtomically(dir, files({ a: 'A', b: 'B', 'd/x': 'X' }));
    writeAtomically(dir, files({ b: 'B2' }));
    assert.deepEqual(visible(dir), ['b']);
    assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'B2');
    // An empty payload leaves an empty volume.
    writeAtomically(dir, files({}));
    assert.deepEqual(visible(dir), []);
    assert.equal(lstatSync(join(dir, '..data')).isSymbolicLink(), true);
  });

  it('a failed write leaves the old set visible and no partial data dir', () => {
    const dir = freshDir();
    writeAtomically(dir, files({ a: 'A', b: 'B' }));
    const before = readlinkSync(join(dir, '..data'));
    // `a` as a file and `a/x` as a file of a directory `a` cannot both exist.
    assert.throws(() => writeAtomically(dir, files({ a: 'A2', 'a/x': 'X' })), AtomicWriteError);
    assert.equal(readlinkSync(join(dir, '..data')), before);
    assert.deepEqual(dataDirs(dir), [before]);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
    assert.deepEqual(visible(dir), ['a', 'b']);
  });

  it('removes data dirs a crashed write left behind on the next write', () => {
    const dir = freshDir();
    writeAtomically(dir, files({ a: 'A' }));
    mkdirSync(join(dir, '..2020_01_01_00_00_00.stale'));
    writeFileSync(join(dir, '..2020_01_01_00_00_00.stale', 'a'), 'half');
    writeAtomically(dir, files({ a: 'A2' }));
    assert.deepEqual(dataDirs(dir), [readlinkSync(join(dir, '..data'))]);
  });

  it('rejects unsafe paths before writing anything', () => {
    const dir = freshDir();
    for (const path of ['../escape', 'a/../../b', '/etc/passwd', '..data', '..x/y', '', '.']) {
      assert.throws(
        () => writeAtomically(dir, files({ ok: 'fine', [path]: 'bad' })),
        AtomicWriteError,
        path,
      );
    }
    let exists = true;
    try {
      readdirSync(dir);
    } catch {
      exists = false;
    }
    assert.equal(exists, false, 'nothing was created');
  });

  it('cleans paths: a//b and ./a name the same files as a/b and a', () => {
    const dir = freshDir();
    writeAtomically(dir, files({ 'x//y': 'Y', './z': 'Z' }));
    assert.equal(readFileSync(join(dir, 'x/y'), 'utf8'), 'Y');
    assert.equal(readFileSync(join(dir, 'z'), 'utf8'), 'Z');
    assert.deepEqual(visible(dir), ['x', 'z']);
  });
});

describe('validatePath', () => {
  const cases: { path: string; error?: RegExp }[] = [
    { path: 'a' },
    { path: 'a/b/c.txt' },
    { path: '..a', error: /must not start with '\.\.'/ },
    { path: '..', error: /must not contain '\.\.'/ },
    { path: 'a/..', error: /must not contain '\.\.'/ },
    { path: 'a/..b' },
    { path: '/abs', error: /must be relative path/ },
    { path: '', error: /must not be empty/ },
    { path: 'x'.repeat(256), error: /filenames must be less than or equal to 255/ },
    { path: `${'x/'.repeat(2049)}x`, error: /less than or equal to 4096 characters/ },
    { path: './', error: /must name a file/ },
  ];
  for (const c of cases)
    it(`${JSON.stringify(c.path.slice(0, 20))} ${c.error === undefined ? 'is valid' : 'is rejected'}`, () => {
      if (c.error === undefined) {
        validatePath(c.path);
      } else {
        assert.throws(() => {
          validatePath(c.path);
        }, c.error);
      }
    });
});
