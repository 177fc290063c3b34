/**
 * What a pod asks of a node, as upstream's resource helpers compute it
 * (k8s.io/component-helpers/resource PodRequests): the larger of the app containers' sum and
 * each init container's request (restartable sidecars add up and run beside later init
 * containers), plus the pod overhead. `nonZero` is the scoring variant (schedutil
 * GetNonzeroRequests): a container without a cpu/memory request counts as 100m / 200Mi.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { parseMilliValue, parseValue } from './quantity.ts';

export interface Resources {
  /** Millicores. */
  milliCpu: number;
  /** Bytes. */
  memory: number;
  /** Bytes. */
  ephemeralStorage: number;
}

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function zeroResources(): Resources {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
}

type RequestMap = Readonly<Record<string, string | number>> | undefined;

function fromRequests(requests: RequestMap, nonZero: boolean): Resources {
  const cpu = requests?.['cpu'];
  const memory = requests?.['memory'];
  return {
    milliCpu: nonZero && cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : parseMilliValue(cpu),
    memory: nonZero && memory === undefined ? DEFAULT_MEMORY_REQUEST : parseValue(memory),
    ephemeralStorage: parseValue(requests?.['ephemeral-storage']),
  };
}

function add(a: Resources, b: Resources): Resources {
  return {
    milliCpu: a.milliCpu + b.milliCpu,
    memory: a.memory + b.memory,
    ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage,
  };
}

function max(a: Resources, b: Resources): Resources {
  return {
    milliCpu: Math.max(a.milliCpu, b.milliCpu),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
  };
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  return fromRequests(c.resources?.requests, nonZero);
}

/** The pod's effective requests (`nonZero`: with the scoring defaults for unset cpu/memory). */
export function podRequests(pod: Pod, nonZero = false): Resources {
  let reqs = zeroResources();
  for (const c of pod.spec?.containers ?? []) reqs = add(reqs, containerRequests(c, nonZero));
  let sidecars = zeroResources();
  let initMax = zeroResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      reqs = add(reqs, r);
      sidecars = add(sidecars, r);
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(r, sidecars));
    }
  }
  reqs = max(reqs, initMax);
  const overhead = pod.spec?.overhead as RequestMap;
  if (overhead !== undefined) reqs = add(reqs, fromRequests(overhead, false));
  return reqs;
}
