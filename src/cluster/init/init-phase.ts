/**
 * One step of `k8ts init`, named as kubeadm names its phases, runnable alone
 * (`k8ts init phase <name>`) or in order by `k8ts init`. A phase is idempotent where kubeadm's is
 * (existing certificates are reused, API objects are created or updated) and writes its progress
 * lines through `out`, never a secret.
 */
import type { InitConfig } from './init-config.ts';

export interface InitContext {
  readonly config: InitConfig;
  /** One line of user-facing output. */
  readonly out: (line: string) => void;
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
