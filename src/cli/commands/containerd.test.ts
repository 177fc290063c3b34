import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/k8ts.js', import.meta.url));

describe('k8ts containerd config', () => {
  it('writes a complete config with the cgroup driver and sandbox image asked for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-ctrd-cfg-'));
    try {
      const out = join(dir, 'etc/containerd/config.toml');
      await run(process.execPath, [
        bin,
        'containerd',
        'config',
        '--cgroup-driver',
        'systemd',
        '--sandbox-image',
        'localhost/p:1',
        '-o',
        out,
      ]);
      const text = readFileSync(out, 'utf8');
      assert.match(text, /^\s*SystemdCgroup = true$/m);
      assert.match(text, /^\s*sandbox_image = "localhost\/p:1"$/m);
      assert.match(text, /^\s*address = "\/run\/containerd\/containerd.sock"$/m);
      assert.match(
        text,
        /\[plugins\."io\.containerd\.gc\.v1\.scheduler"\]/,
        'the rest of the defaults',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown cgroup driver', async () => {
    await assert.rejects(
      run(process.execPath, [bin, 'containerd', 'config', '--cgroup-driver', 'v2']),
      (err: unknown) => {
        assert.match((err as { stderr: string }).stderr, /must be cgroupfs or systemd/);
        return true;
      },
    );
  });
});
