/**
 * What the agent's HTTPS server needs from the container runtime: a structural subset of CRI's
 * RuntimeService (the agent's `RuntimeService` in `../cri/` satisfies it as it is), so the server
 * can be tested with a fake and started by the agent with its real CRI client.
 */

export type SandboxStateName = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerStateName =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface SandboxSummary {
  readonly id: string;
  readonly state: SandboxStateName;
  /** Nanoseconds since the epoch, as a decimal string (proto-loader's int64). */
  readonly created_at: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerSummary {
  readonly id: string;
  readonly pod_sandbox_id: string;
  readonly metadata: { readonly name: string; readonly attempt: number };
  readonly state: ContainerStateName;
  readonly created_at: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerStatusSummary {
  readonly id: string;
  readonly state: ContainerStateName;
  /** Absolute path of the CRI log file (the sandbox's log directory joined with the container's). */
  readonly log_path: string;
}

export interface StreamRequest {
  container_id: string;
  cmd?: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface StreamingRuntime {
  listPodSandbox(filter?: {
    label_selector?: Record<string, string>;
  }): Promise<readonly SandboxSummary[]>;
  listContainers(filter?: {
    label_selector?: Record<string, string>;
  }): Promise<readonly ContainerSummary[]>;
  containerStatus(containerId: string): Promise<ContainerStatusSummary>;
  /** The URL of the runtime's streaming server for this session (CRI Exec). */
  exec(request: StreamRequest & { cmd: string[] }): Promise<string>;
  attach(request: StreamRequest): Promise<string>;
  portForward(podSandboxId: string, ports: readonly number[]): Promise<string>;
}
