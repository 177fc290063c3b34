import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import { newFixture, newPod } from './volume-manager-fixture.test-support.ts';

describe(
  'VolumeManager: fsGroup ownership (upstream SetVolumeOwnership)',
  {
    skip: process.getuid?.() !== 0,
  },
  () => {
    const GID = 3456;
    const fsGroupPod = (volumes: Volume[], policy?: string): Pod => {
      const pod = newPod(volumes);
      pod.spec = {
        ...pod.spec!,
        securityContext: {
          fsGroup: GID,
          ...(policy === undefined ? {} : { fsGroupChangePolicy: policy }),
        },
      };
      return pod;
    };
    const owner = (path: string): [number, string] => {
      const st = statSync(path);
      return [st.gid, (st.mode & 0o7777).toString(8)];
    };

    it('API volumes: group fsGroup, group-readable files, r-x setgid dirs; the token 0640', async () => {
      const f = newFixture();
      f.configMaps.set('ns/cfg', { data: { a: 'A', b: 'B' } });
      const pod = fsGroupPod([
        {
          name: 'cfg',
          configMap: {
            name: 'cfg',
            defaultMode: 0o600,
            items: [
              { key: 'a', path: 'd/a' },
              { key: 'b', path: 'b' },
            ],
          },
        },
        {
          name: 'tok',
          projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token' } }] },
        },
      ]);
      await f.vm.setUp(pod, []);
      const cfg = join(f.podsDir, 'uid-1/volumes/kubernetes.io~configmap/cfg');
      const tok = join(f.podsDir, 'uid-1/volumes/kubernetes.io~projected/tok');
      assert.deepEqual(owner(cfg), [GID, '2777']);
      assert.deepEqual(owner(join(cfg, 'd')), [GID, '2755']);
      assert.deepEqual(owner(join(cfg, 'd/a')), [GID, '640']);
      assert.deepEqual(owner(join(cfg, 'b')), [GID, '640']);
      assert.deepEqual(owner(join(cfg, '..data')), [GID, '2755']);
      // The token is not world-readable when the pod has an fsGroup (0600 | the group's r).
      assert.deepEqual(owner(join(tok, 'token')), [GID, '640']);

      // An unchanged payload is not written again (its modes already are the owned ones).
      const data = readlinkSync(join(cfg, '..data'));
      await f.vm.setUp(pod, []);
      assert.equal(readlinkSync(join(cfg, '..data')), data);
      // A changed one is, and owned the same way.
      f.configMaps.set('ns/cfg', { data: { a: 'A2', b: 'B' } });
      await f.vm.setUp(pod, []);
      assert.notEqual(readlinkSync(join(cfg, '..data')), data);
      assert.deepEqual(owner(join(cfg, 'd/a')), [GID, '640']);
      assert.deepEqual(owner(join(cfg, '..data')), [GID, '2755']);
    });

    it('emptyDir: 2777 and fsGroup once created, whatever the policy; hostPath untouched', async () => {
      const f = newFixture();
      const host = join(f.podsDir, 'host');
      mkdirSync(host, { recursive: true });
      chmodSync(host, 0o755);
      const pod = fsGroupPod(
        [
          { name: 'scratch', emptyDir: {} },
          { name: 'h', hostPath: { path: host, type: 'Directory' } },
        ],
        'OnRootMismatch',
      );
      await f.vm.setUp(pod, []);
      const scratch = join(f.podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/scratch');
      assert.deepEqual(owner(scratch), [GID, '2777']);
      assert.deepEqual(owner(host), [0, '755']);
    });
  },
);
