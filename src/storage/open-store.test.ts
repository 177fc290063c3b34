import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreInvalidArgumentError } from './errors.ts';
import { openStore } from './open-store.ts';

describe('openStore', () => {
  it('picks the backend by scheme', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-open-'));
    try {
      const cases: [string, string][] = [
        ['memory:', 'memory'],
        [`sqlite://${join(dir, 'a.db')}`, 'sqlite'],
        [`sqlite:${join(dir, 'b.db')}`, 'sqlite'],
        ['http://127.0.0.1:1,http://127.0.0.1:2', 'etcd'],
      ];
      for (const [endpoint, backend] of cases) {
        const s = openStore(endpoint);
        assert.equal(s.backend, backend, endpoint);
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown or malformed endpoints with a message naming the accepted forms', () => {
    for (const bad of ['mysql://x', 'etcd', 'sqlite:', 'http://a:1/path']) {
      assert.throws(() => openStore(bad), StoreInvalidArgumentError, bad);
    }
    assert.throws(() => openStore('redis://x'), /use memory:, sqlite:<path> or http\(s\):\/\//);
  });
});
