/**
 * What reset removes besides files: the node's pods from the container runtime (every sandbox,
 * stopped then removed, as kubeadm's `crictl rmp -af`), and the network and cgroup state its
 * agent created — the CNI bridge and conflist k8ts wrote (`10-k8ts.conflist`), that network's
 * IPAM and result files, and the (empty) kubepods cgroups under the agent's cgroup root. A
 * bridge k8ts did not configure (no k8ts conflist) is left alone, as kubeadm leaves CNI state.
 * Each step reports what it did and never throws: reset goes on.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostScopedNames, agentPaths } from '../../agent/agent-paths.ts';
import { CNI_CONFLIST_NAME } from '../../agent/network/cni-bridge-config.ts';
import { readProcessSpecs } from '../../node/process-spec.ts';
import { clusterPaths } from '../cluster-paths.ts';
import { AGENT_PROCESS_NAME, DEFAULT_CRI_SOCKET } from '../node-registration.ts';
import type { ResetStep } from './run-reset.ts';

const run = promisify(execFile);
const CNI_RESULTS = '/var/lib/cni/results';

/** The CRI endpoint the node's agent was started with, from its process spec. */
export function agentCriSocket(rootfs: string): string | undefined {
  try {
    const spec = readProcessSpecs(clusterPaths(rootfs).manifestsDir).find(
      (s) => s.name === AGENT_PROCESS_NAME,
    );
    const arg = spec?.args.find((a) => a.startsWith('--container-runtime-endpoint='));
    return arg?.slice('--container-runtime-endpoint='.length);
  } catch {
    return undefined;
  }
}

export function removePodsStep(criSocket: string, out: (line: string) => void): ResetStep {
  return {
    line: `[reset] Removing all pods from the container runtime at ${criSocket}`,
    run: async () => {
      const { GrpcCriClient } = await import('../../agent/cri/grpc-cri-client.ts');
      let client;
      try {
        client = new GrpcCriClient({ endpoint: criSocket, timeoutMs: 10_000 });
        const sandboxes = await client.listPodSandbox();
        for (const s of sandboxes) {
          await client.stopPodSandbox(s.id).catch(() => undefined);
          await client.removePodSandbox(s.id).catch(() => undefined);
        }
        out(`[reset] Removed ${String(sandboxes.length)} pod sandboxes`);
      } catch (err: unknown) {
        out(
          `[reset] WARNING: could not remove pods (${err instanceof Error ? err.message : String(err)}); remove them with "crictl --runtime-endpoint ${criSocket} rmp -af"`,
        );
      } finally {
        client?.close();
      }
    },
  };
}

function cgroupHierarchies(): string[] {
  try {
    return readdirSync('/sys/fs/cgroup')
      .map((h) => join('/sys/fs/cgroup', h))
      .filter((p) => statSync(p).isDirectory());
  } catch {
    return [];
  }
}

function removeEmptyTree(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return;
  }
  for (const e of entries) removeEmptyTree(e);
  try {
    rmdirSync(dir);
  } catch {
    // not empty (a process still inside) or not ours to remove: left alone
  }
}

export function networkCleanupStep(rootfs: string): ResetStep {
  const { bridge, cgroupRoot } = hostScopedNames(rootfs);
  const paths = agentPaths(rootfs);
  return {
    line: `[reset] Removing the pod network (bridge ${bridge}) and cgroups the agent created`,
    run: async () => {
      const conflist = join(paths.cniConfDir, CNI_CONFLIST_NAME);
      if (existsSync(conflist)) {
        let network = bridge;
        try {
          const parsed = JSON.parse(readFileSync(conflist, 'utf8')) as { name?: unknown };
          if (typeof parsed.name === 'string') network = parsed.name;
        } catch {
          // keep the bridge name
        }
        await run('ip', ['link', 'del', bridge], { timeout: 10_000 }).catch(() => undefined);
        rmSync(conflist, { force: true });
        rmSync(join(paths.ipamDataDir, network), { recursive: true, force: true });
        try {
          for (const f of readdirSync(CNI_RESULTS))
            if (f.startsWith(`${network}-`)) rmSync(join(CNI_RESULTS, f), { force: true });
        } catch {
          // no CNI results
        }
      }
      for (const h of cgroupHierarchies()) {
        for (const top of ['kubepods', 'kubepods.slice']) removeEmptyTree(join(h, cgroupRoot, top));
        if (cgroupRoot !== '/') removeEmptyTree(join(h, cgroupRoot));
      }
    },
  };
}

/** Reset's cleanups: pods while the runtime still runs, network once everything stopped. */
export function nodeCleanupSteps(
  rootfs: string,
  criSocket: string | undefined,
  out: (line: string) => void,
): { beforeStop: ResetStep[]; afterStop: ResetStep[] } {
  const socket = criSocket ?? agentCriSocket(rootfs) ?? DEFAULT_CRI_SOCKET;
  return { beforeStop: [removePodsStep(socket, out)], afterStop: [networkCleanupStep(rootfs)] };
}
