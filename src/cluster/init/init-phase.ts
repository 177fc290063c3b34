/**
 * One step of `k8ts init`, named as kubeadm names its phases, runnable alone
 * (`k8ts init phase <name>`) or in order by `k8ts init`. A phase is idempotent where kubeadm's is
 * (existing certificates are reused, API objects are created or updated) and writes its progress
 * lines through `out`, never a secret (the bootstrap token is printed only where kubeadm prints
 * it: `[bootstrap-token] Using token` and the join command).
 */
import type { RestClient } from '../../client/index.ts';
import type { ContainerRuntimeChoice } from '../container-runtime.ts';
import type { InitConfig } from './init-config.ts';

/** kubeadm init's phases that k8ts has, in kubeadm's order (run-init.ts holds the phases). */
export const INIT_PHASE_NAMES = [
  'preflight',
  'certs',
  'kubeconfig',
  'etcd',
  'control-plane',
  'kubelet-start',
  'wait-control-plane',
  'upload-config',
  'mark-control-plane',
  'bootstrap-token',
  'show-join-command',
] as const;

export interface InitContext {
  readonly config: InitConfig;
  /** One line of user-facing output. */
  readonly out: (line: string) => void;
  /** The admin.conf client (made on first use, closed by the runner). */
  readonly client: () => Promise<RestClient>;
  /** The agent's container runtime and cgroup driver, and their checks (settled on first use). */
  readonly runtime: () => Promise<ContainerRuntimeChoice>;
  /** Stops waits early (Ctrl-C). */
  readonly signal: AbortSignal;
}

export interface InitPhase {
  readonly name: string;
  readonly description: string;
  run(ctx: InitContext): Promise<void>;
}

/** A failed phase: the message says what went wrong and what to do. */
export class InitPhaseError extends Error {
  readonly code = 'INIT_PHASE_FAILED';
  readonly phase: string;
  constructor(phase: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InitPhaseError';
    this.phase = phase;
  }
}
