/**
 * Pod cgroups under the node's cgroup root, in kubelet's QoS layout: `kubepods/pod<uid>` for
 * Guaranteed pods, `kubepods/burstable/pod<uid>` and `kubepods/besteffort/pod<uid>` for the
 * others; the runtime puts each container in `<pod cgroup>/<container id>`. With the cgroupfs
 * driver the agent creates the pod cgroup with kubelet's pod-level limits (cpu shares from the
 * summed requests, a CFS quota and a memory limit when every container has one; init containers
 * count by their maximum) and removes it once the pod is gone. With the systemd driver it only
 * names the slice (`kubepods-burstable-pod<uid>.slice`): systemd creates and removes it.
 * cgroup v1 (one hierarchy per controller) and v2 (unified) are both handled.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.d.ts';
import { computePodQOS } from '../../api/strategies/pod-qos.ts';
import type { PodQOSClass } from '../../api/strategies/pod-qos.ts';
import type { JsonObject } from '../../api/json.ts';
import { parseQuantity } from '../../api/strategies/quantity.ts';
import type { CgroupDriver } from '../cri/cri-types.ts';

export interface PodResourceConfig {
  readonly cpuShares: number;
  /** Microseconds per period; undefined: no CPU limit. */
  readonly cpuQuotaUs: number | undefined;
  readonly cpuPeriodUs: number;
  readonly memoryLimitBytes: number | undefined;
}

const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;

function milliCpu(value: string | undefined): number {
  const q = parseQuantity(value ?? '');
  if (q === undefined) return 0;
  return Number((q.num * 1000n + q.den - 1n) / q.den);
}

function bytes(value: string | undefined): number {
  const q = parseQuantity(value ?? '');
  if (q === undefined) return 0;
  return Number((q.num + q.den - 1n) / q.den);
}

/** kubelet's MilliCPUToShares. */
export function milliCpuToShares(milli: number): number {
  if (milli === 0) return MIN_SHARES;
  return Math.max(MIN_SHARES, Math.floor((milli * 1024) / 1000));
}

/** kubelet's MilliCPUToQuota (minimum 1 ms). */
export function milliCpuToQuota(milli: number, periodUs = CPU_PERIOD_US): number {
  if (milli === 0) return 0;
  return Math.max(1000, Math.floor((milli * periodUs) / 1000));
}

interface Sums {
  cpuRequest: number;
  cpuLimit: number;
  memoryLimit: number;
  allCpuLimited: boolean;
  allMemoryLimited: boolean;
}

function sums(containers: readonly Container[]): Sums {
  const s: Sums = {
    cpuRequest: 0,
    cpuLimit: 0,
    memoryLimit: 0,
    allCpuLimited: true,
    allMemoryLimited: true,
  };
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    s.cpuRequest += milliCpu(requests['cpu'] ?? limits['cpu']);
    if (limits['cpu'] === undefined) s.allCpuLimited = false;
    else s.cpuLimit += milliCpu(limits['cpu']);
    if (limits['memory'] === undefined) s.allMemoryLimited = false;
    else s.memoryLimit += bytes(limits['memory']);
  }
  return s;
}

/** kubelet's ResourceConfigForPod: app containers summed, init containers by their maximum. */
export function podResourceConfig(pod: Pod): PodResourceConfig {
  const app = sums(pod.spec?.containers ?? []);
  let cpuRequest = app.cpuRequest;
  let cpuLimit = app.cpuLimit;
  let memoryLimit = app.memoryLimit;
  let allCpu = app.allCpuLimited;
  let allMemory = app.allMemoryLimited;
  for (const c of pod.spec?.initContainers ?? []) {
    const one = sums([c]);
    cpuRequest = Math.max(cpuRequest, one.cpuRequest);
    cpuLimit = Math.max(cpuLimit, one.cpuLimit);
    memoryLimit = Math.max(memoryLimit, one.memoryLimit);
    allCpu &&= one.allCpuLimited;
    allMemory &&= one.allMemoryLimited;
  }
  const qos = computePodQOS(pod.spec as JsonObject | undefined);
  return {
    cpuShares: qos === 'BestEffort' ? MIN_SHARES : milliCpuToShares(cpuRequest),
    cpuQuotaUs: allCpu && cpuLimit > 0 ? milliCpuToQuota(cpuLimit) : undefined,
    cpuPeriodUs: CPU_PERIOD_US,
    memoryLimitBytes: allMemory && memoryLimit > 0 ? memoryLimit : undefined,
  };
}

export interface PodCgroupsOptions {
  readonly driver: CgroupDriver;
  /** kubelet's --cgroup-root: `/` or `/k8ts-<id>`. */
  readonly root: string;
  /** Default: `/sys/fs/cgroup`. */
  readonly mount?: string | undefined;
}

const QOS_DIRS: Readonly<Record<PodQOSClass, string>> = {
  Guaranteed: '',
  Burstable: 'burstable',
  BestEffort: 'besteffort',
};

export class PodCgroups {
  readonly #o: PodCgroupsOptions;
  readonly #mount: string;
  readonly #unified: boolean;

  constructor(options: PodCgroupsOptions) {
    this.#o = options;
    this.#mount = options.mount ?? '/sys/fs/cgroup';
    this.#unified = existsSync(join(this.#mount, 'cgroup.controllers'));
  }

  #kubepods(): string {
    return join(this.#o.root, 'kubepods');
  }

  /** The cgroup parent the runtime gets for this pod's sandbox and containers. */
  cgroupParent(pod: Pod): string {
    const uid = pod.metadata?.uid ?? '';
    const qos = computePodQOS(pod.spec as JsonObject | undefined);
    if (this.#o.driver === 'systemd') {
      const u = uid.replaceAll('-', '_');
      return qos === 'Guaranteed'
        ? `kubepods-pod${u}.slice`
        : `kubepods-${QOS_DIRS[qos]}-pod${u}.slice`;
    }
    return join(this.#kubepods(), QOS_DIRS[qos], `pod${uid}`);
  }

  /** Creates the pod cgroup with its limits (cgroupfs only; idempotent). */
  ensure(pod: Pod): void {
    if (this.#o.driver === 'systemd') return;
    const path = this.cgroupParent(pod);
    const config = podResourceConfig(pod);
    if (this.#unified) {
      this.#ensureUnified(path, config);
      return;
    }
    for (const qos of ['burstable', 'besteffort'])
      mkdirSync(join(this.#mount, 'cpu', this.#kubepods(), qos), { recursive: true });
    this.#write(
      join(this.#mount, 'cpu', this.#kubepods(), 'besteffort', 'cpu.shares'),
      String(MIN_SHARES),
    );
    const cpu = join(this.#mount, 'cpu', path);
    const memory = join(this.#mount, 'memory', path);
    const pids = join(this.#mount, 'pids', path);
    for (const d of [cpu, memory, pids]) mkdirSync(d, { recursive: true });
    this.#write(join(cpu, 'cpu.shares'), String(config.cpuShares));
    this.#write(join(cpu, 'cpu.cfs_period_us'), String(config.cpuPeriodUs));
    this.#write(join(cpu, 'cpu.cfs_quota_us'), String(config.cpuQuotaUs ?? -1));
    if (config.memoryLimitBytes !== undefined)
      this.#write(join(memory, 'memory.limit_in_bytes'), String(config.memoryLimitBytes));
  }

  #ensureUnified(path: string, config: PodResourceConfig): void {
    const segments = path.split('/').filter(Boolean);
    let dir = this.#mount;
    for (const s of segments) {
      this.#write(join(dir, 'cgroup.subtree_control'), '+cpu +memory +pids', true);
      dir = join(dir, s);
      mkdirSync(dir, { recursive: true });
    }
    const weight = 1 + Math.floor(((config.cpuShares - 2) * 9999) / 262142);
    this.#write(join(dir, 'cpu.weight'), String(weight));
    this.#write(
      join(dir, 'cpu.max'),
      `${config.cpuQuotaUs === undefined ? 'max' : String(config.cpuQuotaUs)} ${String(config.cpuPeriodUs)}`,
    );
    this.#write(
      join(dir, 'memory.max'),
      config.memoryLimitBytes === undefined ? 'max' : String(config.memoryLimitBytes),
    );
  }

  #write(path: string, value: string, tolerate = false): void {
    try {
      writeFileSync(path, value);
    } catch (err: unknown) {
      if (!tolerate) throw err;
    }
  }

  #hierarchies(): string[] {
    if (this.#unified) return [this.#mount];
    try {
      return readdirSync(this.#mount)
        .map((h) => join(this.#mount, h))
        .filter((p) => statSync(p).isDirectory());
    } catch {
      return [];
    }
  }

  /** Removes the pod's cgroup in every hierarchy; true when none is left. */
  remove(uid: string): boolean {
    if (this.#o.driver === 'systemd') return true;
    let clean = true;
    for (const h of this.#hierarchies()) {
      for (const qos of Object.values(QOS_DIRS)) {
        const dir = join(h, this.#kubepods(), qos, `pod${uid}`);
        if (!existsSync(dir)) continue;
        // Container cgroups left by the runtime go first (deepest first).
        for (const child of readdirSync(dir, { withFileTypes: true }))
          if (child.isDirectory()) clean = tryRmdir(join(dir, child.name)) && clean;
        clean = tryRmdir(dir) && clean;
      }
    }
    return clean;
  }

  /** Uids of pods that have a cgroup (any hierarchy), for orphan cleanup. */
  podUids(): string[] {
    const uids = new Set<string>();
    const h = this.#unified ? this.#mount : join(this.#mount, 'memory');
    for (const qos of Object.values(QOS_DIRS)) {
      const dir = join(h, this.#kubepods(), qos);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) if (/^pod[0-9a-f-]{36}$/.test(n)) uids.add(n.slice(3));
    }
    return [...uids];
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
