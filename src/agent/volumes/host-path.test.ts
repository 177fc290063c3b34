import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostPathTypeError, checkHostPath } from './host-path.ts';
import { tmpfsSizeBytes } from './tmpfs-mounts.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-host-path-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
const file = join(root, 'file');
writeFileSync(file, 'x');

describe('checkHostPath', () => {
  const cases: { type: string; path: string; error?: string }[] = [
    { type: '', path: join(root, 'absent') },
    { type: 'Directory', path: root },
    {
      type: 'Directory',
      path: file,
      error: `hostPath type check failed: ${file} is not a directory`,
    },
    { type: 'Directory', path: join(root, 'absent'), error: 'is not a directory' },
    { type: 'File', path: file },
    { type: 'File', path: root, error: `hostPath type check failed: ${root} is not a file` },
    { type: 'DirectoryOrCreate', path: file, error: 'is not a directory' },
    { type: 'FileOrCreate', path: root, error: 'is not a file' },
    { type: 'Socket', path: file, error: 'is not a socket file' },
    { type: 'CharDevice', path: '/dev/null' },
    { type: 'CharDevice', path: file, error: 'is not a character device' },
    { type: 'BlockDevice', path: '/dev/null', error: 'is not a block device' },
    { type: 'Sideways', path: root, error: 'Sideways is an invalid volume type' },
  ];
  for (const c of cases)
    it(`${c.type || '(unset)'} on ${c.path.replace(root, '<tmp>')}`, () => {
      if (c.error === undefined) assert.equal(checkHostPath(c.path, c.type), c.path);
      else
        assert.throws(
          () => checkHostPath(c.path, c.type),
          (err: unknown) => err instanceof HostPathTypeError && err.message.includes(c.error ?? ''),
        );
    });

  it('DirectoryOrCreate makes the directory and its parents (0755)', () => {
    const dir = join(root, 'a/b/c');
    checkHostPath(dir, 'DirectoryOrCreate');
    assert.equal(statSync(dir).mode & 0o777, 0o755);
  });

  it('FileOrCreate makes an empty 0644 file, keeps an existing one, needs the parent', () => {
    const made = join(root, 'made');
    checkHostPath(made, 'FileOrCreate');
    assert.equal(statSync(made).size, 0);
    assert.equal(statSync(made).mode & 0o777, 0o644);
    checkHostPath(file, 'FileOrCreate');
    assert.equal(statSync(file).size, 1);
    assert.throws(() => checkHostPath(join(root, 'no/parent'), 'FileOrCreate'), /ENOENT/);
  });
});

describe('tmpfsSizeBytes', () => {
  const cases: [string | undefined, bigint | undefined][] = [
    [undefined, undefined],
    ['64Mi', 64n << 20n],
    ['1G', 1_000_000_000n],
    ['1.5Ki', 1536n],
    ['100', 100n],
    ['0', undefined],
    ['junk', undefined],
  ];
  for (const [input, want] of cases)
    it(String(input), () => {
      assert.equal(tmpfsSizeBytes(input), want);
    });
});
