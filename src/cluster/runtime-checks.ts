/**
 * The container-runtime part of pre-flight, for init and join: the CRI endpoint answers
 * (`Version` and `Status`, kubeadm's `CRI` check) and its cgroup driver matches the agent's
 * (`CgroupDriver`; with none given, the agent adopts the runtime's, as kubelet's
 * KubeletCgroupDriverFromCRI). Uses the agent's CRI client; bounded by a short deadline.
 */
import type { CgroupDriver } from './node-registration.ts';
import type { CheckResult } from './preflight-checks.ts';

export interface RuntimeCheck {
  readonly results: CheckResult[];
  /** The driver the agent should use: the one asked for, else the runtime's (if it told). */
  readonly cgroupDriver: CgroupDriver | undefined;
}

export async function checkContainerRuntime(
  criSocket: string,
  wanted: CgroupDriver | undefined,
  timeoutMs = 3000,
): Promise<RuntimeCheck> {
  const { GrpcCriClient } = await import('../agent/cri/grpc-cri-client.ts');
  let client;
  try {
    client = new GrpcCriClient({ endpoint: criSocket, timeoutMs });
  } catch (err: unknown) {
    return {
      results: [
        {
          name: 'CRI',
          severity: 'error',
          message: `${err instanceof Error ? err.message : String(err)} (--cri-socket)`,
        },
      ],
      cgroupDriver: wanted,
    };
  }
  try {
    const version = await client.version({ timeoutMs });
    const status = await client.status({ timeoutMs });
    const results: CheckResult[] = [];
    const notReady = status.conditions.find((c) => c.type === 'RuntimeReady' && !c.status);
    if (notReady !== undefined)
      results.push({
        name: 'CRI',
        severity: 'error',
        message:
          `container runtime ${version.runtime_name} at ${criSocket} is not ready: ${notReady.reason} ${notReady.message}`.trim(),
      });
    const driver = await client.cgroupDriver({ timeoutMs });
    if (wanted !== undefined && driver !== undefined && driver !== wanted)
      results.push({
        name: 'CgroupDriver',
        severity: 'error',
        message: `the agent's cgroup driver "${wanted}" is not the container runtime's "${driver}": pass --cgroup-driver ${driver}, or configure containerd for ${wanted} ("k8ts containerd config --cgroup-driver ${wanted}") and restart it`,
      });
    return { results, cgroupDriver: wanted ?? driver };
  } catch (err: unknown) {
    return {
      results: [
        {
          name: 'CRI',
          severity: 'error',
          message: `container runtime is not running at ${criSocket}: ${err instanceof Error ? err.message : String(err)}. Start containerd (a config: "k8ts containerd config") or pass --cri-socket`,
        },
      ],
      cgroupDriver: wanted,
    };
  } finally {
    client.close();
  }
}
