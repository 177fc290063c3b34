/**
 * What a pod asks of a node, as upstream's resource helpers compute it
 * (k8s.io/component-helpers/resource PodRequests): the larger of the app containers' sum and
 * each init container's request (restartable sidecars add up and run beside later init
 * containers), plus the pod overhead. `nonZero` is the scoring variant (schedutil
 * GetNonzeroRequests): a container without a cpu/memory request counts as 100m / 200Mi. Every
 * other resource (extended `example.com/gpu`, `hugepages-2Mi`, ...) is a scalar, in whole units.
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
  /** Every other resource by name (extended resources, hugepages), whole units; absent = 0. */
  readonly scalar: Map<string, number>;
}

/** The resources with fields of their own; `pods` is a node's count, never requested. */
const NATIVE = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function zeroResources(): Resources {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

/** The scalar resources of a ResourceList (everything but cpu, memory, storage and pods). */
export function scalarResources(list: RequestMap): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, q] of Object.entries(list ?? {})) {
    if (!NATIVE.has(name)) out.set(name, parseValue(q));
  }
  return out;
}

function mergeScalar(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  op: (x: number, y: number) => number,
): Map<string, number> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, op(out.get(k) ?? 0, v));
  return out;
}

type RequestMap = Readonly<Record<string, string | number>> | undefined;

function fromRequests(requests: RequestMap, nonZero: boolean): Resources {
  const cpu = requests?.['cpu'];
  const memory = requests?.['memory'];
  return {
    milliCpu: nonZero && cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : parseMilliValue(cpu),
    memory: nonZero && memory === undefined ? DEFAULT_MEMORY_REQUEST : parseValue(memory),
    ephemeralStorage: parseValue(requests?.['ephemeral-storage']),
    scalar: scalarResources(requests),
  };
}

function add(a: Resources, b: Resources): Resources {
  return {
    milliCpu: a.milliCpu + b.milliCpu,
    memory: a.memory + b.memory,
    ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage,
    scalar: mergeScalar(a.scalar, b.scalar, (x, y) => x + y),
  };
}

function max(a: Resources, b: Resources): Resources {
  return {
    milliCpu: Math.max(a.milliCpu, b.milliCpu),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
    scalar: mergeScalar(a.scalar, b.scalar, Math.max),
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
