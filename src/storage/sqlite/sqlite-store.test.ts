/**
 * The shared Store contract on the SQLite backend: every test opens a fresh store on its own
 * temporary file (so WAL, fsync and the exclusive lock are exercised), removed on cleanup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from '../store-contract.ts';
import { SqliteStore } from './sqlite-store.ts';

runStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sqlite-'));
  const store = new SqliteStore({ path: join(dir, 'state.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
