/**
 * The seam between the agent and a container runtime: CRI v1's RuntimeService and ImageService,
 * narrowed to what the agent uses. `GrpcCriClient` implements it over containerd's socket; the
 * simulated runtime implements it in memory. Every call has a deadline (never a hang) and takes
 * an optional AbortSignal; failures are the typed errors of `cri-errors.ts`.
 *
 * Streaming (logs, exec, attach, port-forward) stays outside the agent's pod workers: the
 * runtime answers `exec`/`attach`/`portForward` with the URL of its own streaming server, and
 * `containerStatus().log_path` names the CRI log file; a server in front of them
 * (`src/agent/server/`) builds on those.
 */
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

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
  /** Overrides the method's default deadline. */
  readonly timeoutMs?: number | undefined;
}

export interface RuntimeService {
  version(options?: CallOptions): Promise<VersionResponse>;
  /** RuntimeReady and NetworkReady, as the runtime reports them. */
  status(options?: CallOptions): Promise<RuntimeStatus>;
  /**
   * The runtime's cgroup driver: CRI `RuntimeConfig` where implemented (containerd >= 2.0),
   * otherwise the default runc runtime's `SystemdCgroup` from the verbose `Status` config.
   * Undefined when the runtime tells neither.
   */
  cgroupDriver(options?: CallOptions): Promise<CgroupDriver | undefined>;

  runPodSandbox(config: PodSandboxConfig, options?: CallOptions): Promise<string>;
  stopPodSandbox(podSandboxId: string, options?: CallOptions): Promise<void>;
  removePodSandbox(podSandboxId: string, options?: CallOptions): Promise<void>;
  podSandboxStatus(podSandboxId: string, options?: CallOptions): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter, options?: CallOptions): Promise<PodSandbox[]>;

  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
    options?: CallOptions,
  ): Promise<string>;
  startContainer(containerId: string, options?: CallOptions): Promise<void>;
  /** Sends the stop signal, then SIGKILL after `timeoutSeconds` (0: at once). */
  stopContainer(containerId: string, timeoutSeconds: number, options?: CallOptions): Promise<void>;
  removeContainer(containerId: string, options?: CallOptions): Promise<void>;
  listContainers(filter?: ContainerFilter, options?: CallOptions): Promise<Container[]>;
  containerStatus(containerId: string, options?: CallOptions): Promise<ContainerStatus>;
  /** Runs `cmd` in the container; `timeoutSeconds` 0 means none (the call's deadline still holds). */
  execSync(
    containerId: string,
    cmd: readonly string[],
    timeoutSeconds: number,
    options?: CallOptions,
  ): Promise<ExecSyncResult>;
  /** The URL of the runtime's streaming server for this exec session. */
  exec(request: ExecRequest, options?: CallOptions): Promise<string>;
  attach(request: AttachRequest, options?: CallOptions): Promise<string>;
  portForward(
    podSandboxId: string,
    ports: readonly number[],
    options?: CallOptions,
  ): Promise<string>;
  reopenContainerLog(containerId: string, options?: CallOptions): Promise<void>;
}

export interface ImageService {
  listImages(options?: CallOptions): Promise<Image[]>;
  /** Undefined when the image is not present. */
  imageStatus(image: string, options?: CallOptions): Promise<Image | undefined>;
  /** Pulls and answers the image reference (digest) the runtime stored. */
  pullImage(
    image: string,
    auth?: AuthConfig,
    sandboxConfig?: PodSandboxConfig,
    options?: CallOptions,
  ): Promise<string>;
  removeImage(image: string, options?: CallOptions): Promise<void>;
}

/** Both services of one runtime endpoint, closed together. */
export interface ContainerRuntime extends RuntimeService, ImageService {
  /** Where it is reached (`unix:///run/containerd/containerd.sock`, `simulated://node-1`). */
  readonly endpoint: string;
  close(): void;
}
