/**
 * A container runtime that only pretends (`--runtime simulated`, kwok's idea): sandboxes get a
 * free IP from the node's pod CIDR (NetworkReady once that CIDR is known), containers run from
 * StartContainer until stopped (exit code 0 for a graceful stop, 137 when the stop had no
 * grace), images are always present. No process, mount, network or cgroup is touched, so one
 * machine hosts many nodes for scale benchmarks of the control plane and the agent's own logic.
 * `exit()` ends a container as a crash would. Not for real workloads: nothing executes.
 */
import { randomBytes } from 'node:crypto';
import { CriCallError, CriNotFoundError } from '../cri/cri-errors.ts';
import type {
  CgroupDriver,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStatus,
  ExecSyncResult,
  Image,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeStatus,
  VersionResponse,
} from '../cri/cri-types.ts';
import type { ContainerRuntime } from '../cri/runtime-service.ts';

interface SimSandbox {
  readonly id: string;
  readonly config: PodSandboxConfig;
  ready: boolean;
  readonly createdNs: bigint;
  readonly ip: string;
}

interface SimContainer {
  readonly id: string;
  readonly sandboxId: string;
  readonly config: ContainerConfig;
  readonly logDir: string;
  state: ContainerState;
  readonly createdNs: bigint;
  startedNs: bigint;
  finishedNs: bigint;
  exitCode: number;
  reason: string;
}

export interface SimulatedRuntimeOptions {
  /**
   * Pod IPs are handed out from this IPv4 CIDR, read at each RunPodSandbox (a function follows
   * the node's Node.spec.podCIDR once it is assigned). Default: 10.244.0.0/16.
   */
  readonly podCidr?: string | (() => string | undefined) | undefined;
  readonly cgroupDriver?: CgroupDriver | undefined;
  /** Name for `endpoint`. Default: `simulated`. */
  readonly name?: string | undefined;
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
const newId = (): string => randomBytes(32).toString('hex');

/** Hands out free addresses of a CIDR (never .0, .1 or the last), taking back released ones. */
class IpPool {
  readonly #used = new Set<string>();

  allocate(cidr: string): string {
    const [net = '10.244.0.0', bits = '16'] = cidr.split('/');
    const base = net.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
    const size = 2 ** (32 - Number(bits));
    for (let i = 2; i < size - 1; i++) {
      const n = (base + i) >>> 0;
      const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      if (this.#used.has(ip)) continue;
      this.#used.add(ip);
      return ip;
    }
    throw new Error(`no free IP in ${cidr}`);
  }

  release(ip: string): void {
    this.#used.delete(ip);
  }
}

function matches(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

export class SimulatedRuntime implements ContainerRuntime {
  readonly endpoint: string;
  readonly #sandboxes = new Map<string, SimSandbox>();
  readonly #containers = new Map<string, SimContainer>();
  readonly #ips = new IpPool();
  readonly #podCidr: () => string | undefined;
  readonly #driver: CgroupDriver;

  constructor(options: SimulatedRuntimeOptions = {}) {
    this.endpoint = `simulated://${options.name ?? 'simulated'}`;
    const cidr = options.podCidr;
    this.#podCidr = typeof cidr === 'function' ? cidr : () => cidr ?? '10.244.0.0/16';
    this.#driver = options.cgroupDriver ?? 'cgroupfs';
  }

  close(): void {
    // nothing to release
  }

  /** Ends a running container as a crash would (tests and fault simulation). */
  exit(
    containerId: string,
    exitCode: number,
    reason = exitCode === 0 ? 'Completed' : 'Error',
  ): void {
    const c = this.#container(containerId, 'exit');
    if (c.state !== 'CONTAINER_RUNNING') return;
    c.state = 'CONTAINER_EXITED';
    c.exitCode = exitCode;
    c.reason = reason;
    c.finishedNs = nowNs();
  }

  version(): Promise<VersionResponse> {
    return Promise.resolve({
      version: '0.1.0',
      runtime_name: 'simulated',
      runtime_version: '1.0.0',
      runtime_api_version: 'v1',
    });
  }

  status(): Promise<RuntimeStatus> {
    return Promise.resolve({
      conditions: [
        { type: 'RuntimeReady', status: true, reason: '', message: '' },
        this.#podCidr() === undefined
          ? {
              type: 'NetworkReady',
              status: false,
              reason: 'NetworkPluginNotReady',
              message: 'Network plugin returns error: no pod CIDR yet',
            }
          : { type: 'NetworkReady', status: true, reason: '', message: '' },
      ],
    });
  }

  cgroupDriver(): Promise<CgroupDriver | undefined> {
    return Promise.resolve(this.#driver);
  }

  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return guard(() => {
      const id = newId();
      const hostNetwork = config.linux?.security_context?.namespace_options?.network === 'NODE';
      this.#sandboxes.set(id, {
        id,
        config,
        ready: true,
        createdNs: nowNs(),
        ip: hostNetwork ? '' : this.#ips.allocate(this.#podCidr() ?? '10.244.0.0/16'),
      });
      return id;
    });
  }

  stopPodSandbox(podSandboxId: string): Promise<void> {
    const s = this.#sandboxes.get(podSandboxId);
    if (s !== undefined) {
      s.ready = false;
      for (const c of this.#containers.values()) if (c.sandboxId === s.id) this.#stop(c, 0);
    }
    return Promise.resolve();
  }

  removePodSandbox(podSandboxId: string): Promise<void> {
    const s = this.#sandboxes.get(podSandboxId);
    if (s !== undefined && s.ip !== '') this.#ips.release(s.ip);
    this.#sandboxes.delete(podSandboxId);
    for (const [id, c] of this.#containers)
      if (c.sandboxId === podSandboxId) this.#containers.delete(id);
    return Promise.resolve();
  }

  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const s = this.#sandboxes.get(podSandboxId);
    if (s === undefined)
      return Promise.reject(
        new CriNotFoundError(
          'RuntimeService/PodSandboxStatus',
          `sandbox ${podSandboxId} not found`,
        ),
      );
    return Promise.resolve({ ...this.#summary(s), network: { ip: s.ip, additional_ips: [] } });
  }

  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    return Promise.resolve(
      [...this.#sandboxes.values()]
        .filter(
          (s) =>
            (filter?.id === undefined || filter.id === '' || s.id === filter.id) &&
            matches(s.config.labels ?? {}, filter?.label_selector),
        )
        .map((s) => this.#summary(s)),
    );
  }

  createContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    const s = this.#sandboxes.get(podSandboxId);
    if (s === undefined)
      return Promise.reject(
        new CriNotFoundError('RuntimeService/CreateContainer', `sandbox ${podSandboxId} not found`),
      );
    const id = newId();
    this.#containers.set(id, {
      id,
      sandboxId: podSandboxId,
      config,
      logDir: s.config.log_directory ?? '',
      state: 'CONTAINER_CREATED',
      createdNs: nowNs(),
      startedNs: 0n,
      finishedNs: 0n,
      exitCode: 0,
      reason: '',
    });
    return Promise.resolve(id);
  }

  startContainer(containerId: string): Promise<void> {
    return guard(() => {
      const c = this.#container(containerId, 'StartContainer');
      c.state = 'CONTAINER_RUNNING';
      c.startedNs = nowNs();
    });
  }

  stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    return guard(() => {
      this.#stop(this.#container(containerId, 'StopContainer'), timeoutSeconds);
    });
  }

  removeContainer(containerId: string): Promise<void> {
    this.#containers.delete(containerId);
    return Promise.resolve();
  }

  listContainers(filter?: ContainerFilter): Promise<Container[]> {
    return Promise.resolve(
      [...this.#containers.values()]
        .filter(
          (c) =>
            (filter?.id === undefined || filter.id === '' || c.id === filter.id) &&
            (filter?.pod_sandbox_id === undefined ||
              filter.pod_sandbox_id === '' ||
              c.sandboxId === filter.pod_sandbox_id) &&
            (filter?.state === undefined || c.state === filter.state.state) &&
            matches(c.config.labels ?? {}, filter?.label_selector),
        )
        .map((c) => ({
          id: c.id,
          pod_sandbox_id: c.sandboxId,
          metadata: c.config.metadata,
          image: c.config.image,
          image_ref: c.config.image.image,
          state: c.state,
          created_at: String(c.createdNs),
          labels: { ...c.config.labels },
          annotations: { ...c.config.annotations },
        })),
    );
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    return guard(() => this.#status(this.#container(containerId, 'ContainerStatus')));
  }

  #status(c: SimContainer): ContainerStatus {
    return {
      id: c.id,
      metadata: c.config.metadata,
      state: c.state,
      created_at: String(c.createdNs),
      started_at: String(c.startedNs),
      finished_at: String(c.finishedNs),
      exit_code: c.exitCode,
      image: c.config.image,
      image_ref: c.config.image.image,
      reason: c.reason,
      message: '',
      labels: { ...c.config.labels },
      annotations: { ...c.config.annotations },
      log_path: c.logDir === '' ? '' : `${c.logDir}/${c.config.log_path ?? ''}`,
    };
  }

  /** Exec probes pass while the container runs (nothing executes). */
  execSync(containerId: string): Promise<ExecSyncResult> {
    return guard(() => {
      const c = this.#container(containerId, 'ExecSync');
      return {
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
        exit_code: c.state === 'CONTAINER_RUNNING' ? 0 : 1,
      };
    });
  }

  exec(): Promise<string> {
    return Promise.reject(noStreaming('Exec'));
  }

  attach(): Promise<string> {
    return Promise.reject(noStreaming('Attach'));
  }

  portForward(): Promise<string> {
    return Promise.reject(noStreaming('PortForward'));
  }

  reopenContainerLog(): Promise<void> {
    return Promise.resolve();
  }

  listImages(): Promise<Image[]> {
    return Promise.resolve([]);
  }

  imageStatus(image: string): Promise<Image | undefined> {
    return Promise.resolve({
      id: `sha256:simulated-${image}`,
      repo_tags: [image],
      repo_digests: [],
      size: '0',
      uid: null,
      username: '',
    });
  }

  pullImage(image: string): Promise<string> {
    return Promise.resolve(`sha256:simulated-${image}`);
  }

  removeImage(): Promise<void> {
    return Promise.resolve();
  }

  #stop(c: SimContainer, timeoutSeconds: number): void {
    if (c.state !== 'CONTAINER_RUNNING' && c.state !== 'CONTAINER_CREATED') return;
    const graceful = timeoutSeconds > 0;
    c.state = 'CONTAINER_EXITED';
    c.exitCode = graceful ? 0 : 137;
    c.reason = graceful ? 'Completed' : 'Error';
    c.finishedNs = nowNs();
  }

  #container(id: string, method: string): SimContainer {
    const c = this.#containers.get(id);
    if (c === undefined)
      throw new CriNotFoundError(`RuntimeService/${method}`, `container ${id} not found`);
    return c;
  }

  #summary(s: SimSandbox): PodSandbox {
    return {
      id: s.id,
      metadata: s.config.metadata,
      state: s.ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      created_at: String(s.createdNs),
      labels: { ...s.config.labels },
      annotations: { ...s.config.annotations },
      runtime_handler: '',
    };
  }
}

const GRPC_UNIMPLEMENTED = 12;

function noStreaming(method: string): CriCallError {
  return new CriCallError(
    `RuntimeService/${method}`,
    GRPC_UNIMPLEMENTED,
    'the simulated runtime runs nothing: no exec, attach or port-forward',
  );
}

/** Runs `fn`, turning a throw into a rejection (CRI calls never throw synchronously). */
function guard<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err: unknown) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
