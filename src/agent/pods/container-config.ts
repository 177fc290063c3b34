/**
 * The CRI ContainerConfig of one container (kubelet's generateContainerConfig, v1.33): image,
 * command and args with `$(VAR)` expanded, working dir, environment, mounts, the log path
 * `<name>/<restartCount>.log` under the sandbox's log directory, tty/stdin, resources as cgroup
 * settings (cpu shares from the request, CFS quota from the limit, memory limit, kubelet's
 * oom_score_adj by QoS class) and the security context; labels and annotations let the agent
 * rebuild its view of the pod from the runtime alone. Pure.
 */
import type { Container, EnvVar, Pod } from 'kubernetes-types/core/v1.d.ts';
import { computePodQOS } from '../../api/strategies/pod-qos.ts';
import type { JsonObject } from '../../api/json.ts';
import { parseQuantity } from '../../api/strategies/quantity.ts';
import type { ContainerConfig, LinuxContainerResources, Mount } from '../cri/cri-types.ts';
import { expand } from './container-env.ts';
import { containerHash } from './pod-actions.ts';
import { milliCpuToQuota, milliCpuToShares } from './pod-cgroups.ts';
import {
  ANNOTATION_CONTAINER_HASH,
  ANNOTATION_GRACE_PERIOD,
  ANNOTATION_RESTART_COUNT,
  ANNOTATION_TERMINATION_MESSAGE_PATH,
  ANNOTATION_TERMINATION_MESSAGE_POLICY,
  containerLabels,
} from './runtime-labels.ts';
import type { ContainerKind } from './runtime-labels.ts';
import { namespaceOptions } from './sandbox-config.ts';

export interface ContainerConfigInput {
  readonly pod: Pod;
  readonly container: Container;
  readonly kind: ContainerKind;
  readonly restartCount: number;
  readonly imageRef: string;
  readonly env: readonly EnvVar[];
  readonly mounts: readonly Mount[];
  /** The node's memory capacity in bytes (for a Burstable container's oom_score_adj). */
  readonly nodeMemoryBytes: number;
}

const CPU_PERIOD_US = 100_000;

function milli(value: string | undefined): number | undefined {
  const q = parseQuantity(value ?? '');
  return q === undefined ? undefined : Number((q.num * 1000n + q.den - 1n) / q.den);
}

function bytes(value: string | undefined): number | undefined {
  const q = parseQuantity(value ?? '');
  return q === undefined ? undefined : Number((q.num + q.den - 1n) / q.den);
}

/** kubelet's GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: Pod, container: Container, nodeMemoryBytes: number): number {
  const qos = computePodQOS(pod.spec as JsonObject | undefined);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const request = bytes(container.resources?.requests?.['memory']) ?? 0;
  const adj = 1000 - Math.floor((1000 * request) / Math.max(1, nodeMemoryBytes));
  return Math.min(999, Math.max(2, adj));
}

export function containerResources(input: ContainerConfigInput): LinuxContainerResources {
  const r = input.container.resources;
  const cpuRequest = milli(r?.requests?.['cpu'] ?? r?.limits?.['cpu']) ?? 0;
  const cpuLimit = milli(r?.limits?.['cpu']);
  const memoryLimit = bytes(r?.limits?.['memory']);
  return {
    cpu_period: CPU_PERIOD_US,
    cpu_shares: milliCpuToShares(cpuRequest),
    cpu_quota: cpuLimit === undefined ? 0 : milliCpuToQuota(cpuLimit),
    memory_limit_in_bytes: memoryLimit ?? 0,
    oom_score_adj: oomScoreAdj(input.pod, input.container, input.nodeMemoryBytes),
  };
}

export function buildContainerConfig(input: ContainerConfigInput): ContainerConfig {
  const { pod, container: c } = input;
  const meta = pod.metadata;
  const identity = {
    uid: meta?.uid ?? '',
    name: meta?.name ?? '',
    namespace: meta?.namespace ?? 'default',
  };
  const vars = new Map(input.env.map((e) => [e.name, e.value ?? '']));
  const sc = c.securityContext;
  const podSc = pod.spec?.securityContext;
  const runAsUser = sc?.runAsUser ?? podSc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? podSc?.runAsGroup;
  return {
    metadata: { name: c.name, attempt: input.restartCount },
    image: { image: input.imageRef, user_specified_image: c.image ?? '' },
    command: (c.command ?? []).map((s) => expand(s, vars)),
    args: (c.args ?? []).map((s) => expand(s, vars)),
    working_dir: c.workingDir ?? '',
    envs: input.env.map((e) => ({ key: e.name, value: e.value ?? '' })),
    mounts: [...input.mounts],
    labels: containerLabels(identity, c.name, input.kind),
    annotations: {
      [ANNOTATION_CONTAINER_HASH]: containerHash(c),
      [ANNOTATION_RESTART_COUNT]: String(input.restartCount),
      [ANNOTATION_TERMINATION_MESSAGE_PATH]: c.terminationMessagePath ?? '/dev/termination-log',
      [ANNOTATION_TERMINATION_MESSAGE_POLICY]: c.terminationMessagePolicy ?? 'File',
      [ANNOTATION_GRACE_PERIOD]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    log_path: `${c.name}/${String(input.restartCount)}.log`,
    stdin: c.stdin === true,
    stdin_once: c.stdinOnce === true,
    tty: c.tty === true,
    linux: {
      resources: containerResources(input),
      security_context: {
        privileged: sc?.privileged === true,
        namespace_options: namespaceOptions(pod),
        ...(runAsUser === undefined ? {} : { run_as_user: { value: runAsUser } }),
        ...(runAsGroup === undefined ? {} : { run_as_group: { value: runAsGroup } }),
        readonly_rootfs: sc?.readOnlyRootFilesystem === true,
        ...(podSc?.supplementalGroups === undefined && podSc?.fsGroup === undefined
          ? {}
          : {
              supplemental_groups: [
                ...(podSc.supplementalGroups ?? []),
                ...(podSc.fsGroup === undefined ? [] : [podSc.fsGroup]),
              ],
            }),
        capabilities: {
          add_capabilities: sc?.capabilities?.add ?? [],
          drop_capabilities: sc?.capabilities?.drop ?? [],
        },
        no_new_privs: sc?.allowPrivilegeEscalation === false,
      },
    },
  };
}
