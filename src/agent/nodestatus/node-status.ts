/**
 * The Node's status as kubelet's node status setters build it (pkg/kubelet/nodestatus, v1.33),
 * as a pure function of what the agent observed: capacity and allocatable (kubelet's default
 * hard eviction thresholds, memory.available<100Mi and nodefs.available<10%, are held back from
 * allocatable), addresses, nodeInfo, the runtime's images, and the four conditions with
 * upstream's reasons and messages. A condition keeps its lastTransitionTime while its status
 * stays; every condition's lastHeartbeatTime is the time of this report.
 */
import type { ContainerImage, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.d.ts';
import type { Image, RuntimeCondition, VersionResponse } from '../cri/cri-types.ts';
import type { HostInfo } from './host-info.ts';

/** What the runtime said the last time it was asked. */
export type RuntimeHealth =
  /** No answer yet since the agent started. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'answered'; readonly conditions: readonly RuntimeCondition[] }
  /** Unreachable for longer than the agent tolerates (kubelet: 30 s). */
  | { readonly kind: 'down' };

export interface NodeStatusInput {
  readonly nodeIp: string;
  readonly hostname: string;
  readonly host: HostInfo;
  readonly runtimeVersion: VersionResponse | undefined;
  readonly runtime: RuntimeHealth;
  readonly kubeletVersion: string;
  readonly daemonPort: number;
  readonly images: readonly Image[];
  readonly maxPods: number;
  /** The status the API has now (for lastTransitionTime). */
  readonly previous: NodeStatus | undefined;
  readonly now: Date;
}

const MEMORY_EVICTION_BYTES = 100 * 1024 * 1024;
const NODEFS_EVICTION_FRACTION = 0.1;
/** kubelet's nodeStatusMaxImages. */
const MAX_IMAGES = 50;

export const metaTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const ki = (bytes: number): string => `${String(Math.floor(bytes / 1024))}Ki`;

/** kubecontainer.RuntimeCondition's String(). */
function conditionText(c: RuntimeCondition | undefined, type: string): string {
  if (c === undefined) return '<nil>';
  return `${type}=${String(c.status)} reason:${c.reason} message:${c.message}`;
}

/** kubelet's runtimeState errors: what keeps the node NotReady, in upstream's words. */
export function runtimeErrors(runtime: RuntimeHealth): string[] {
  switch (runtime.kind) {
    case 'unknown':
      return ['container runtime status check may not have completed yet'];
    case 'down':
      return ['container runtime is down'];
    case 'answered': {
      const errs: string[] = [];
      const runtimeReady = runtime.conditions.find((c) => c.type === 'RuntimeReady');
      if (runtimeReady?.status !== true)
        errs.push(`container runtime not ready: ${conditionText(runtimeReady, 'RuntimeReady')}`);
      const networkReady = runtime.conditions.find((c) => c.type === 'NetworkReady');
      if (networkReady?.status !== true)
        errs.push(
          `container runtime network not ready: ${conditionText(networkReady, 'NetworkReady')}`,
        );
      return errs;
    }
  }
}

function condition(
  previous: readonly NodeCondition[],
  now: string,
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
): NodeCondition {
  const old = previous.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime:
      old?.status === status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now,
  };
}

function nodeImages(images: readonly Image[]): ContainerImage[] {
  return [...images]
    .sort((a, b) => Number(b.size) - Number(a.size))
    .slice(0, MAX_IMAGES)
    .map((i) => ({ names: [...i.repo_digests, ...i.repo_tags], sizeBytes: Number(i.size) }))
    .filter((i) => i.names.length > 0);
}

export function buildNodeStatus(input: NodeStatusInput): NodeStatus {
  const { host } = input;
  const now = metaTime(input.now);
  const previousConditions = input.previous?.conditions ?? [];
  const errs = runtimeErrors(input.runtime);
  const ready =
    errs.length === 0
      ? condition(
          previousConditions,
          now,
          'Ready',
          'True',
          'KubeletReady',
          'kubelet is posting ready status',
        )
      : condition(previousConditions, now, 'Ready', 'False', 'KubeletNotReady', errs.join(','));
  // Conditions the agent does not own (NetworkUnavailable, ...) keep their place.
  const owned = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
  const conditions = [
    ...previousConditions.filter((c) => !owned.has(c.type)),
    condition(
      previousConditions,
      now,
      'MemoryPressure',
      'False',
      'KubeletHasSufficientMemory',
      'kubelet has sufficient memory available',
    ),
    condition(
      previousConditions,
      now,
      'DiskPressure',
      'False',
      'KubeletHasNoDiskPressure',
      'kubelet has no disk pressure',
    ),
    condition(
      previousConditions,
      now,
      'PIDPressure',
      'False',
      'KubeletHasSufficientPID',
      'kubelet has sufficient PID available',
    ),
    ready,
  ];
  const version = input.runtimeVersion;
  return {
    capacity: {
      cpu: String(host.cpuCount),
      memory: ki(host.memoryBytes),
      'ephemeral-storage': ki(host.ephemeralStorageBytes),
      pods: String(input.maxPods),
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
    },
    allocatable: {
      cpu: String(host.cpuCount),
      memory: ki(Math.max(0, host.memoryBytes - MEMORY_EVICTION_BYTES)),
      'ephemeral-storage': String(
        Math.floor(host.ephemeralStorageBytes * (1 - NODEFS_EVICTION_FRACTION)),
      ),
      pods: String(input.maxPods),
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
    },
    conditions,
    addresses: [
      { type: 'InternalIP', address: input.nodeIp },
      { type: 'Hostname', address: input.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: input.daemonPort } },
    nodeInfo: {
      machineID: host.machineID,
      systemUUID: host.systemUUID,
      bootID: host.bootID,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion:
        version === undefined ? '' : `${version.runtime_name}://${version.runtime_version}`,
      kubeletVersion: input.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: host.architecture,
    },
    images: nodeImages(input.images),
  };
}

/** True when two statuses differ in more than their heartbeat times. */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined): string =>
    JSON.stringify({
      ...s,
      conditions: (s?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined })),
    });
  return strip(a) !== strip(b);
}

export function isReady(status: NodeStatus | undefined): boolean {
  return status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}
