import { runStoreContract } from '../store-contract.ts';
import { MemoryStore } from './memory-store.ts';

runStoreContract('memory', () => {
  const store = new MemoryStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
});
