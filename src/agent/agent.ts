/**
 * The node agent (k8ts's kubelet): registers this node and keeps its status and Lease current,
 * writes the node's pod network config, and runs the pods bound to it on the container runtime.
 * `run(signal)` starts every part and settles once all of them stopped after `signal` aborted;
 * pods keep running across an agent restart (the runtime holds them, the agent adopts them).
 */
import { mkdirSync } from 'node:fs';
import type { NodeStatus, Taint } from 'kubernetes-types/core/v1.d.ts';
import { realClock } from '../client/index.ts';
import type { Clock, RestClient } from '../client/index.ts';
import type { JsonLineLogFn } from '../util/json-line-log.ts';
import { versionInfo } from '../version.ts';
import type { AgentPaths } from './agent-paths.ts';
import type { CgroupDriver } from './cri/cri-types.ts';
import { CriUnavailableError } from './cri/cri-errors.ts';
import type { ContainerRuntime } from './cri/runtime-service.ts';
import { PodNetwork } from './network/pod-network.ts';
import { readHostInfo } from './nodestatus/host-info.ts';
import type { HostInfo } from './nodestatus/host-info.ts';
import { NodeLease } from './nodestatus/node-lease.ts';
import { buildNodeStatus } from './nodestatus/node-status.ts';
import { NodeStatusReporter } from './nodestatus/node-status-reporter.ts';
import { RuntimeHealthTracker } from './nodestatus/runtime-health.ts';

export interface AgentOptions {
  readonly client: RestClient;
  readonly runtime: ContainerRuntime;
  readonly paths: AgentPaths;
  readonly nodeName: string;
  /** The Hostname address and `kubernetes.io/hostname` label. Default: the node name. */
  readonly hostname?: string | undefined;
  readonly nodeIp: string;
  readonly cgroupDriver: CgroupDriver;
  /** Holds `kubepods` (kubelet's --cgroup-root). */
  readonly cgroupRoot: string;
  readonly bridge: string;
  /** Used while Node.spec.podCIDR is empty. */
  readonly podCidr?: string | undefined;
  readonly nodeLabels?: Readonly<Record<string, string>> | undefined;
  readonly registerWithTaints?: readonly Taint[] | undefined;
  /** The agent's HTTPS port, reported in daemonEndpoints. Default: 10250. */
  readonly port?: number | undefined;
  /** Default: 110 (kubelet's maxPods). */
  readonly maxPods?: number | undefined;
  /** Default: 40 (kubelet's). */
  readonly nodeLeaseDurationSeconds?: number | undefined;
  /** Default: 10,000 ms (kubelet's nodeStatusUpdateFrequency). */
  readonly nodeStatusUpdateMs?: number | undefined;
  /** Masquerade pod egress (iptables). Default: false. */
  readonly ipMasq?: boolean | undefined;
  readonly log: JsonLineLogFn;
  readonly clock?: Clock | undefined;
}

export class AgentConfigError extends Error {
  readonly code = 'AGENT_MISCONFIGURED';
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

export class Agent {
  readonly #o: AgentOptions;
  readonly #clock: Clock;
  readonly #health: RuntimeHealthTracker;
  readonly #reporter: NodeStatusReporter;
  readonly #lease: NodeLease;
  readonly #network: PodNetwork;
  #host: HostInfo | undefined;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#health = new RuntimeHealthTracker(options.runtime, { clock: this.#clock });
    const hostname = options.hostname ?? options.nodeName;
    const arch = readHostInfo('/').architecture;
    const defaultLabels = {
      'kubernetes.io/hostname': hostname,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': arch,
    };
    this.#reporter = new NodeStatusReporter({
      client: options.client,
      nodeName: options.nodeName,
      labels: { ...defaultLabels, ...options.nodeLabels },
      defaultLabels,
      taints: options.registerWithTaints ?? [],
      buildStatus: (previous) => this.#buildStatus(previous),
      onNode: (node) => {
        this.#network.sync(node);
      },
      statusUpdateMs: options.nodeStatusUpdateMs,
      log: options.log,
      clock: this.#clock,
    });
    this.#lease = new NodeLease({
      client: options.client,
      nodeName: options.nodeName,
      nodeUid: () => this.#reporter.node?.metadata?.uid,
      leaseDurationSeconds: options.nodeLeaseDurationSeconds,
      log: options.log,
      clock: this.#clock,
    });
    this.#network = new PodNetwork({
      cniConfDir: options.paths.cniConfDir,
      ipamDataDir: options.paths.ipamDataDir,
      bridge: options.bridge,
      fallbackPodCidr: options.podCidr,
      ipMasq: options.ipMasq,
      log: options.log,
      onChange: () => {
        this.#reporter.nudge();
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { paths, log } = this.#o;
    for (const dir of [paths.kubeletDir, paths.podsDir, paths.podLogsDir])
      mkdirSync(dir, { recursive: true, mode: 0o750 });
    this.#host = readHostInfo(paths.kubeletDir);
    await this.#checkCgroupDriver(signal);
    log('info', 'starting the node agent', {
      node: this.#o.nodeName,
      runtime: this.#o.runtime.endpoint,
      cgroupDriver: this.#o.cgroupDriver,
      cgroupRoot: this.#o.cgroupRoot,
      bridge: this.#o.bridge,
    });
    await Promise.all([this.#reporter.run(signal), this.#lease.run(signal)]);
    log('info', 'node agent stopped', { node: this.#o.nodeName });
  }

  async #checkCgroupDriver(signal: AbortSignal): Promise<void> {
    let driver: CgroupDriver | undefined;
    try {
      driver = await this.#o.runtime.cgroupDriver({ signal, timeoutMs: 5_000 });
    } catch (err: unknown) {
      if (!(err instanceof CriUnavailableError)) throw err;
      this.#o.log(
        'warn',
        'container runtime unavailable; the node stays NotReady until it answers',
        {
          runtime: this.#o.runtime.endpoint,
        },
      );
      return;
    }
    if (driver !== undefined && driver !== this.#o.cgroupDriver)
      throw new AgentConfigError(
        `misconfiguration: the agent's cgroup driver "${this.#o.cgroupDriver}" is different from the container runtime's "${driver}": ` +
          `pass --cgroup-driver ${driver}, or write a matching containerd config (k8ts containerd config --cgroup-driver ${this.#o.cgroupDriver}) and restart containerd`,
      );
  }

  async #buildStatus(previous: NodeStatus | undefined): Promise<NodeStatus> {
    const runtime = await this.#health.check();
    const images = await this.#o.runtime.listImages({ timeoutMs: 2_000 }).catch(() => []);
    const host = this.#host ?? readHostInfo(this.#o.paths.kubeletDir);
    return buildNodeStatus({
      nodeIp: this.#o.nodeIp,
      hostname: this.#o.hostname ?? this.#o.nodeName,
      host,
      runtimeVersion: this.#health.version,
      runtime,
      kubeletVersion: versionInfo().gitVersion,
      daemonPort: this.#o.port ?? 10250,
      images,
      maxPods: this.#o.maxPods ?? 110,
      previous,
      now: new Date(this.#clock.now()),
    });
  }
}
