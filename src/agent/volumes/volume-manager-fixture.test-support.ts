/**
 * The VolumeManager unit tests' fixture: a manager over a temp pods dir (removed after the test
 * file) with in-memory ConfigMaps and Secrets, a recording tmpfs mounter (mounts are dirs; a
 * mount point in `stuck` will not unmount) and a recording token source; plus small readers.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from 'kubernetes-types/core/v1.d.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';
import { VolumeManager, VolumeSetupError } from './volume-manager.ts';
import type { TmpfsMounter } from './volume-manager.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-volume-manager-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

export interface Fixture {
  readonly vm: VolumeManager;
  readonly configMaps: Map<string, ConfigMap>;
  readonly secrets: Map<string, Secret>;
  readonly tmpfs: Map<string, string | undefined>;
  readonly tokenCalls: { audience: string; expirationSeconds: number; pod: string }[];
  readonly forgotten: string[];
  /** Mount points unmountAll pretends cannot go. */
  readonly stuck: Set<string>;
  readonly podsDir: string;
}

let fixtures = 0;
export function newFixture(): Fixture {
  const podsDir = join(root, String(fixtures++));
  const configMaps = new Map<string, ConfigMap>();
  const secrets = new Map<string, Secret>();
  const tmpfs = new Map<string, string | undefined>();
  const tokenCalls: Fixture['tokenCalls'] = [];
  const forgotten: string[] = [];
  const stuck = new Set<string>();
  const mounter: TmpfsMounter = {
    ensureTmpfs: (dir, sizeLimit) => {
      mkdirSync(dir, { recursive: true });
      if (tmpfs.has(dir)) return Promise.resolve(false);
      tmpfs.set(dir, sizeLimit);
      return Promise.resolve(true);
    },
    unmountAll: (dir) => {
      for (const m of [...tmpfs.keys()])
        if (m.startsWith(`${dir}/`) && !stuck.has(m)) tmpfs.delete(m);
      return Promise.resolve([...tmpfs.keys()].filter((m) => m.startsWith(`${dir}/`)));
    },
  };
  const tokens: ServiceAccountTokens = {
    token: (pod, audience, expirationSeconds) => {
      tokenCalls.push({ audience, expirationSeconds, pod: pod.metadata?.name ?? '' });
      return Promise.resolve(`token-for-${audience || 'api'}`);
    },
    forget: (uid) => {
      forgotten.push(uid);
    },
  };
  const vm = new VolumeManager({
    podsDir,
    objects: {
      configMap: (ns, name) => Promise.resolve(configMaps.get(`${ns}/${name}`)),
      secret: (ns, name) => Promise.resolve(secrets.get(`${ns}/${name}`)),
    },
    tokens,
    hostIp: '10.0.0.5',
    allocatable: () => ({ cpu: '2', memory: '4Gi' }),
    mounter,
  });
  return { vm, configMaps, secrets, tmpfs, tokenCalls, forgotten, stuck, podsDir };
}

export function newPod(volumes: Volume[], uid = 'uid-1'): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid, labels: { app: 'web', tier: 'a"b' } },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'x',
          resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
        },
      ],
      volumes,
    },
  };
}

export const read = (path: string): string => readFileSync(path, 'utf8');
export const mode = (path: string): number => statSync(path).mode & 0o777;
export const visible = (dir: string): string[] =>
  readdirSync(dir)
    .filter((x) => !x.startsWith('..'))
    .sort();

export async function setUpFails(f: Fixture, pod: Pod, message: string): Promise<void> {
  await assert.rejects(f.vm.setUp(pod, []), (err: unknown) => {
    assert.ok(err instanceof VolumeSetupError, String(err));
    assert.equal(err.message, message);
    return true;
  });
}
