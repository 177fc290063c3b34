/**
 * `[etcd]`: the spec of this node's stacked etcd member (client and peer TLS, data dir
 * `<rootfs>/var/lib/etcd`), written to the manifests folder for the node supervisor. Skipped
 * with `--datastore sqlite` and with an external etcd.
 */
import { mkdirSync } from 'node:fs';
import { writeProcessSpec } from '../../../node/process-spec.ts';
import { etcdSpec } from '../control-plane-manifests.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export function runEtcdPhase({ config, out }: InitContext): Promise<void> {
  if (config.datastore === 'sqlite') {
    out('[etcd] Skipping: the datastore is the embedded SQLite store (--datastore sqlite)');
    return Promise.resolve();
  }
  if (config.datastore === 'external-etcd') {
    out('[etcd] External etcd mode: Skipping the creation of a local etcd member');
    return Promise.resolve();
  }
  mkdirSync(config.paths.etcdDataDir, { recursive: true, mode: 0o700 });
  out(`[etcd] Creating static Pod manifest for local etcd in "${config.paths.manifestsDir}"`);
  writeProcessSpec(config.paths.manifestsDir, etcdSpec(config));
  return Promise.resolve();
}

export const etcdPhase: InitPhase = {
  name: 'etcd',
  description: 'Generate static Pod manifest file for local etcd',
  run: runEtcdPhase,
};
