/**
 * CRI v1 over gRPC: each method is one RuntimeService or ImageService RPC on a `CriGrpcChannel`
 * (which guarantees deadlines, typed `CriError`s, fail-fast when the runtime is down, quick
 * reconnects and cancellation by AbortSignal). Deadlines per method: status calls 5 s, PullImage
 * `pullTimeoutMs`, StopContainer and ExecSync `timeoutMs` plus their own timeout, the rest
 * `timeoutMs`; `CallOptions.timeoutMs` overrides each. A missing status is `CriNotFoundError`.
 */
import { cgroupDriverFromStatusInfo } from './cgroup-driver-from-status-info.ts';
import { CriCallError, CriNotFoundError } from './cri-errors.ts';
import { CriGrpcChannel } from './cri-grpc-channel.ts';
import type { CriGrpcChannelOptions } from './cri-grpc-channel.ts';
import type {
  AttachRequest,
  AuthConfig,
  CgroupDriver,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  ExecRequest,
  ExecSyncResult,
  Image,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeStatus,
  VersionResponse,
} from './cri-types.ts';
import type { CallOptions, ContainerRuntime } from './runtime-service.ts';

/**
 * The channel's options (`endpoint`; `timeoutMs`, the deadline of ordinary calls, default
 * 30,000 ms where kubelet's --runtime-request-timeout is 2 min; `protoDir`) and PullImage's own.
 */
export interface GrpcCriClientOptions extends CriGrpcChannelOptions {
  /** Deadline of PullImage. Default: 600,000 ms (kubelet sets none). */
  readonly pullTimeoutMs?: number | undefined;
}

const STATUS_TIMEOUT_MS = 5_000;
// gRPC's UNIMPLEMENTED (grpc.status is a TS enum; plain numbers compare without casts).
const GRPC_UNIMPLEMENTED = 12;

export class GrpcCriClient implements ContainerRuntime {
  readonly endpoint: string;
  readonly #channel: CriGrpcChannel;
  readonly #timeoutMs: number;
  readonly #pullTimeoutMs: number;

  constructor(options: GrpcCriClientOptions) {
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#pullTimeoutMs = options.pullTimeoutMs ?? 600_000;
    this.#channel = new CriGrpcChannel({ ...options, timeoutMs: this.#timeoutMs });
    this.endpoint = this.#channel.endpoint;
  }

  close(): void {
    this.#channel.close();
  }

  version(options?: CallOptions): Promise<VersionResponse> {
    return this.#channel.call(
      'RuntimeService',
      'Version',
      { version: 'v1' },
      options,
      STATUS_TIMEOUT_MS,
    );
  }

  async status(options?: CallOptions): Promise<RuntimeStatus> {
    const res = await this.#channel.call<{ status: RuntimeStatus | null }>(
      'RuntimeService',
      'Status',
      { verbose: false },
      options,
      STATUS_TIMEOUT_MS,
    );
    return res.status ?? { conditions: [] };
  }

  async cgroupDriver(options?: CallOptions): Promise<CgroupDriver | undefined> {
    try {
      const res = await this.#channel.call<{ linux: { cgroup_driver: string } | null }>(
        'RuntimeService',
        'RuntimeConfig',
        {},
        options,
        STATUS_TIMEOUT_MS,
      );
      const driver = res.linux?.cgroup_driver;
      if (driver === 'SYSTEMD') return 'systemd';
      if (driver === 'CGROUPFS') return 'cgroupfs';
    } catch (err: unknown) {
      // containerd < 2.0 answers UNIMPLEMENTED: read its config from the verbose Status.
      if (!(err instanceof CriCallError && err.grpcCode === GRPC_UNIMPLEMENTED)) throw err;
    }
    const verbose = await this.#channel.call<{ info: Record<string, string> }>(
      'RuntimeService',
      'Status',
      { verbose: true },
      options,
      STATUS_TIMEOUT_MS,
    );
    return cgroupDriverFromStatusInfo(verbose.info);
  }

  async runPodSandbox(config: PodSandboxConfig, options?: CallOptions): Promise<string> {
    const res = await this.#channel.call<{ pod_sandbox_id: string }>(
      'RuntimeService',
      'RunPodSandbox',
      { config, runtime_handler: '' },
      options,
    );
    return res.pod_sandbox_id;
  }

  async stopPodSandbox(podSandboxId: string, options?: CallOptions): Promise<void> {
    await this.#channel.call(
      'RuntimeService',
      'StopPodSandbox',
      { pod_sandbox_id: podSandboxId },
      options,
    );
  }

  async removePodSandbox(podSandboxId: string, options?: CallOptions): Promise<void> {
    await this.#channel.call(
      'RuntimeService',
      'RemovePodSandbox',
      { pod_sandbox_id: podSandboxId },
      options,
    );
  }

  async podSandboxStatus(podSandboxId: string, options?: CallOptions): Promise<PodSandboxStatus> {
    const res = await this.#channel.call<{ status: PodSandboxStatus | null }>(
      'RuntimeService',
      'PodSandboxStatus',
      { pod_sandbox_id: podSandboxId, verbose: false },
      options,
    );
    if (res.status === null)
      throw new CriNotFoundError('RuntimeService/PodSandboxStatus', `no sandbox ${podSandboxId}`);
    return res.status;
  }

  async listPodSandbox(filter?: PodSandboxFilter, options?: CallOptions): Promise<PodSandbox[]> {
    const res = await this.#channel.call<{ items: PodSandbox[] }>(
      'RuntimeService',
      'ListPodSandbox',
      filter === undefined ? {} : { filter },
      options,
    );
    return res.items;
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
    options?: CallOptions,
  ): Promise<string> {
    const res = await this.#channel.call<{ container_id: string }>(
      'RuntimeService',
      'CreateContainer',
      { pod_sandbox_id: podSandboxId, config, sandbox_config: sandboxConfig },
      options,
    );
    return res.container_id;
  }

  async startContainer(containerId: string, options?: CallOptions): Promise<void> {
    await this.#channel.call(
      'RuntimeService',
      'StartContainer',
      { container_id: containerId },
      options,
    );
  }

  async stopContainer(
    containerId: string,
    timeoutSeconds: number,
    options?: CallOptions,
  ): Promise<void> {
    await this.#channel.call(
      'RuntimeService',
      'StopContainer',
      { container_id: containerId, timeout: Math.max(0, Math.ceil(timeoutSeconds)) },
      options,
      this.#timeoutMs + Math.max(0, timeoutSeconds) * 1000,
    );
  }

  async removeContainer(containerId: string, options?: CallOptions): Promise<void> {
    await this.#channel.call(
      'RuntimeService',
      'RemoveContainer',
      { container_id: containerId },
      options,
    );
  }

  async listContainers(filter?: ContainerFilter, options?: CallOptions): Promise<Container[]> {
    const res = await this.#channel.call<{ containers: Container[] }>(
      'RuntimeService',
      'ListContainers',
      filter === undefined ? {} : { filter },
      options,
    );
    return res.containers;
  }

  async containerStatus(containerId: string, options?: CallOptions): Promise<ContainerStatus> {
    const res = await this.#channel.call<{ status: ContainerStatus | null }>(
      'RuntimeService',
      'ContainerStatus',
      { container_id: containerId, verbose: false },
      options,
    );
    if (res.status === null)
      throw new CriNotFoundError('RuntimeService/ContainerStatus', `no container ${containerId}`);
    return res.status;
  }

  execSync(
    containerId: string,
    cmd: readonly string[],
    timeoutSeconds: number,
    options?: CallOptions,
  ): Promise<ExecSyncResult> {
    return this.#channel.call(
      'RuntimeService',
      'ExecSync',
      { container_id: containerId, cmd: [...cmd], timeout: Math.max(0, Math.ceil(timeoutSeconds)) },
      options,
      this.#timeoutMs + Math.max(0, timeoutSeconds) * 1000,
    );
  }

  async exec(request: ExecRequest, options?: CallOptions): Promise<string> {
    const res = await this.#channel.call<{ url: string }>(
      'RuntimeService',
      'Exec',
      request,
      options,
    );
    return res.url;
  }

  async attach(request: AttachRequest, options?: CallOptions): Promise<string> {
    const res = await this.#channel.call<{ url: string }>(
      'RuntimeService',
      'Attach',
      request,
      options,
    );
    return res.url;
  }

  async portForward(
    podSandboxId: string,
    ports: readonly number[],
    options?: CallOptions,
  ): Promise<string> {
    const res = await this.#channel.call<{ url: string }>(
      'RuntimeService',
      'PortForward',
      { pod_sandbox_id: podSandboxId, port: [...ports] },
      options,
    );
    return res.url;
  }

  async reopenContainerLog(containerId: string, options?: CallOptions): Promise<void> {
    await this.#channel.call(
      'RuntimeService',
      'ReopenContainerLog',
      { container_id: containerId },
      options,
    );
  }

  async listImages(options?: CallOptions): Promise<Image[]> {
    const res = await this.#channel.call<{ images: Image[] }>(
      'ImageService',
      'ListImages',
      {},
      options,
    );
    return res.images;
  }

  async imageStatus(image: string, options?: CallOptions): Promise<Image | undefined> {
    const res = await this.#channel.call<{ image: Image | null }>(
      'ImageService',
      'ImageStatus',
      { image: { image }, verbose: false },
      options,
    );
    return res.image ?? undefined;
  }

  async pullImage(
    image: string,
    auth?: AuthConfig,
    sandboxConfig?: PodSandboxConfig,
    options?: CallOptions,
  ): Promise<string> {
    const res = await this.#channel.call<{ image_ref: string }>(
      'ImageService',
      'PullImage',
      {
        image: { image },
        ...(auth === undefined ? {} : { auth }),
        ...(sandboxConfig === undefined ? {} : { sandbox_config: sandboxConfig }),
      },
      options,
      this.#pullTimeoutMs,
    );
    return res.image_ref;
  }

  async removeImage(image: string, options?: CallOptions): Promise<void> {
    await this.#channel.call('ImageService', 'RemoveImage', { image: { image } }, options);
  }
}
