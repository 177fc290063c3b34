/**
 * Debian's python3-kubernetes (the official Python client) against k8ts over HTTPS with client
 * certificates: list, create, watch from a resourceVersion, delete and a 404 after it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';

/** Debian's interpreter: the package installs the client for /usr/bin/python3 only. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/client_check.py', import.meta.url));

function hasClient(): boolean {
  return existsSync('/usr/lib/python3/dist-packages/kubernetes/__init__.py');
}

describe(
  'python3-kubernetes',
  {
    skip: hasClient()
      ? false
      : 'python3-kubernetes is not installed (scripts/install.sh installs it)',
  },
  () => {
    let fixture: ApiServerFixture;
    before(async () => {
      fixture = await startApiServerFixture(new MemoryStore());
    });
    after(async () => {
      await fixture.stop();
    });

    it('lists, creates, watches and deletes', async () => {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          PYTHON,
          [SCRIPT, fixture.kubeconfigPath, 'py'],
          { timeout: 60_000 },
          (err, stdout, stderr) => {
            if (err !== null) reject(new Error(`${err.message}\n${stderr}`));
            else resolve(stdout);
          },
        );
      });
      const result = JSON.parse(out) as {
        namespaces: string[];
        created: unknown;
        events: string[][];
        read_deleted: unknown;
      };
      assert.ok(result.namespaces.includes('kube-system'));
      assert.deepEqual(result.created, { name: 'py1', uid_set: true });
      assert.deepEqual(result.events, [
        ['ADDED', 'py2'],
        ['DELETED', 'py1'],
      ]);
      assert.equal(result.read_deleted, 404);
    });
  },
);
