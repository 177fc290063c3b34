/**
 * What `k8ts controller-manager` passes through to controllers beyond `ControllerContext`
 * (kube-controller-manager's component config): file paths as given on the command line,
 * read by the controllers that need them (csrsigning reads the cluster CA). A context built by
 * `ControllerManager` carries it as `config`; `controllerManagerConfig(ctx)` reads it.
 */
import type { ControllerContext } from './controller.ts';
import type { NodeLifecycleOptions } from './nodelifecycle/node-lifecycle-options.ts';
import type { NodeIpamOptions } from './nodeipam/node-ipam-controller.ts';

export interface ControllerManagerConfig {
  /** `--cluster-signing-cert-file`: PEM cluster CA certificate csrsigning signs with. Default: unset. */
  readonly clusterSigningCertFile?: string | undefined;
  /** `--cluster-signing-key-file`: its PEM private key (a secret: never log it). Default: unset. */
  readonly clusterSigningKeyFile?: string | undefined;
  /** `--cluster-signing-duration`: longest certificate validity, ms. Default: unset (1 year). */
  readonly clusterSigningDurationMs?: number | undefined;
  /** `--root-ca-file`: PEM bundle root-ca-cert-publisher puts in every namespace. Default: unset (`clientCaPem`). */
  readonly rootCaFile?: string | undefined;
  /** The CA of the manager's kubeconfig: what root-ca-cert-publisher publishes without `rootCaFile`. Default: unset. */
  readonly clientCaPem?: string | undefined;
  /** `--node-name`: the node this manager runs on. Default: the host name. */
  readonly nodeName?: string | undefined;
  /** nodelifecycle's options (`--node-monitor-grace-period`, ...). Default: its defaults. */
  readonly nodeLifecycle?: Partial<NodeLifecycleOptions> | undefined;
  /** nodeipam's options (`--allocate-node-cidrs`, `--cluster-cidr`, ...). Default: off. */
  readonly nodeIpam?: NodeIpamOptions | undefined;
}

/** A ControllerContext as the manager builds it. */
export interface ManagedControllerContext extends ControllerContext {
  readonly config: ControllerManagerConfig;
}

/** The manager's config if `ctx` came from `ControllerManager`, else an empty one. */
export function controllerManagerConfig(ctx: ControllerContext): ControllerManagerConfig {
  return 'config' in ctx ? (ctx as ManagedControllerContext).config : {};
}
