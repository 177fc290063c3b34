/**
 * Opens a Store from a datastore endpoint, picking the backend by URL scheme (as k3s's
 * --datastore-endpoint): `memory:` (tests), `sqlite:<path>` (embedded single server),
 * `http(s)://host:port[,http(s)://host:port...]` (an etcd cluster). Anything else is a clear
 * StoreInvalidArgumentError that names the accepted forms.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EtcdStore } from './etcd/etcd-store.ts';
import type { EtcdTlsOptions } from './etcd/etcd-options.ts';
import { StoreInvalidArgumentError } from './errors.ts';
import { MemoryStore } from './memory/memory-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /** Client TLS for https:// etcd endpoints. */
  readonly etcdTls?: EtcdTlsOptions;
  /** Key prefix inside etcd. Default: none (keys start with /registry/). */
  readonly etcdPrefix?: string;
}

export function openStore(endpoint: string, options: OpenStoreOptions = {}): Store {
  const scheme = /^([a-z0-9+]+):/.exec(endpoint)?.[1];
  switch (scheme) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite': {
      const path = endpoint.replace(/^sqlite:(\/\/)?/, '');
      if (path === '')
        throw new StoreInvalidArgumentError(
          'sqlite endpoint needs a path: sqlite:///var/lib/k8ts/state.db',
        );
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      return new SqliteStore({ path });
    }
    case 'http':
    case 'https': {
      const endpoints = endpoint
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      for (const e of endpoints) {
        if (!/^https?:\/\/[^/,]+$/.test(e.replace(/\/$/, ''))) {
          throw new StoreInvalidArgumentError(
            `not an etcd endpoint: ${e} (expected http(s)://host:port)`,
          );
        }
      }
      return new EtcdStore({
        endpoints,
        ...(options.etcdTls === undefined ? {} : { tls: options.etcdTls }),
        ...(options.etcdPrefix === undefined ? {} : { keyPrefix: options.etcdPrefix }),
      });
    }
    case undefined:
    default:
      throw new StoreInvalidArgumentError(
        `unknown datastore endpoint ${JSON.stringify(endpoint)}: use memory:, sqlite:<path> or http(s)://<etcd host:port>[,...]`,
      );
  }
}
