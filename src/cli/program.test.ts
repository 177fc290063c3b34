import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

describe('k8ts executable', () => {
  it('prints the version in kubeadm form and as json', async () => {
    const { stdout } = await run(process.execPath, [bin, 'version']);
    assert.match(
      stdout,
      /^k8ts version: &version\.Info\{Major:"1", Minor:"33", GitVersion:"v1\.33\.0-k8ts\.1"/,
    );
    const json = await run(process.execPath, [bin, 'version', '-o', 'json']);
    const parsed = JSON.parse(json.stdout) as { clientVersion: { gitVersion: string } };
    assert.equal(parsed.clientVersion.gitVersion, 'v1.33.0-k8ts.1');
    const short = await run(process.execPath, [bin, 'version', '-o', 'short']);
    assert.equal(short.stdout, 'v1.33.0-k8ts.1\n');
  });

  it('lists its commands in --help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    assert.match(stdout, /Usage: k8ts/);
    assert.match(stdout, /version/);
  });

  it('rejects an unknown command with a hint and a non-zero exit', async () => {
    await assert.rejects(run(process.execPath, [bin, 'no-such-command']), (err: unknown) => {
      const e = err as { code: number; stderr: string };
      assert.equal(e.code, 1);
      assert.match(e.stderr, /unknown command 'no-such-command'/);
      assert.match(e.stderr, /k8ts --help/);
      return true;
    });
  });

  it('rejects a bad output format', async () => {
    await assert.rejects(
      run(process.execPath, [bin, 'version', '-o', 'xml']),
      /Allowed choices are short, json, yaml/,
    );
  });
});
