/**
 * Runs `k8ts init`: kubeadm's phases in kubeadm's order (or one of them, for `k8ts init phase
 * <name>`), each followed by its duration, then closes the admin client. `--skip-phases` leaves
 * phases out. A failure stops the run with the phase's message (what to do next included).
 */
import type { RestClient } from '../../client/index.ts';
import { versionInfo } from '../../version.ts';
import { adminClient } from '../admin-client.ts';
import { chooseContainerRuntime } from '../container-runtime.ts';
import type { ContainerRuntimeChoice } from '../container-runtime.ts';
import type { InitConfig } from './init-config.ts';
import { InitPhaseError } from './init-phase.ts';
import type { InitContext, InitPhase } from './init-phase.ts';
import { bootstrapTokenPhase } from './phases/bootstrap-token.ts';
import { certsPhase } from './phases/certs.ts';
import { controlPlanePhase } from './phases/control-plane.ts';
import { etcdPhase } from './phases/etcd.ts';
import { kubeconfigPhase } from './phases/kubeconfig.ts';
import { kubeletStartPhase } from './phases/kubelet-start.ts';
import { markControlPlanePhase } from './phases/mark-control-plane.ts';
import { preflightPhase } from './phases/preflight.ts';
import { showJoinCommandPhase } from './phases/show-join-command.ts';
import { uploadConfigPhase } from './phases/upload-config.ts';
import { waitControlPlanePhase } from './phases/wait-control-plane.ts';

/** kubeadm init's phases that k8ts has, in kubeadm's order. */
export const INIT_PHASES: readonly InitPhase[] = [
  preflightPhase,
  certsPhase,
  kubeconfigPhase,
  etcdPhase,
  controlPlanePhase,
  kubeletStartPhase,
  waitControlPlanePhase,
  uploadConfigPhase,
  markControlPlanePhase,
  bootstrapTokenPhase,
  showJoinCommandPhase,
];

export function findInitPhase(name: string): InitPhase {
  const phase = INIT_PHASES.find((p) => p.name === name);
  if (phase === undefined)
    throw new InitPhaseError(
      name,
      `unknown phase ${JSON.stringify(name)}; the phases are: ${INIT_PHASES.map((p) => p.name).join(', ')}`,
    );
  return phase;
}

export interface RunInitOptions {
  readonly config: InitConfig;
  readonly out: (line: string) => void;
  /** Default: every phase not in config.skipPhases. */
  readonly phases?: readonly InitPhase[];
  readonly signal?: AbortSignal;
  /** Milliseconds per phase, for benchmarks. Default: none. */
  readonly onPhaseDone?: (name: string, ms: number) => void;
}

export async function runInit(options: RunInitOptions): Promise<void> {
  const { config, out } = options;
  for (const s of config.skipPhases) findInitPhase(s);
  const phases = options.phases ?? INIT_PHASES.filter((p) => !config.skipPhases.includes(p.name));
  let client: RestClient | undefined;
  let runtime: Promise<ContainerRuntimeChoice> | undefined;
  const ctx: InitContext = {
    config,
    out,
    signal: options.signal ?? new AbortController().signal,
    client: async () => {
      client ??= await adminClient(config.paths);
      return client;
    },
    runtime: () => {
      runtime ??= chooseContainerRuntime({
        rootfs: config.rootfs,
        criSocket: config.criSocketFlag,
        cgroupDriver: config.node.cgroupDriver,
      });
      return runtime;
    },
  };
  if (options.phases === undefined)
    out(`[init] Using Kubernetes version: ${versionInfo().gitVersion}`);
  try {
    for (const phase of phases) {
      const started = performance.now();
      await phase.run(ctx);
      const ms = performance.now() - started;
      options.onPhaseDone?.(phase.name, ms);
      if (phase.name !== 'show-join-command')
        out(`[${phase.name}] Completed in ${(ms / 1000).toFixed(3)}s`);
    }
  } finally {
    client?.close();
  }
}
