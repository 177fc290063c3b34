/**
 * The node agent (k8ts's kubelet): registers this node and keeps its status and Lease current,
 * writes the node's pod network config, and runs the pods bound to it on the container runtime.
 * `run(signal)` starts every part and settles once all of them stopped after `signal` aborted;
 * pods keep running across an agent restart (the runtime holds them, the agent adopts them).
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import type { NodeStatus, Service, Taint } from 'kubernetes-types/core/v1.d.ts';
import { ApiEventRecorder, SharedInformer, realClock } from '../client/index.ts';
import type { Clock, RestClient } from '../client/index.ts';
import type { JsonLineLogFn } from '../util/json-line-log.ts';
import { versionInfo } from '../version.ts';
import type { AgentPaths } from './agent-paths.ts';
import type { CgroupDriver } from './cri/cri-types.ts';
import { CriUnavailableError } from './cri/cri-errors.ts';
import type { ContainerRuntime } from './cri/runtime-service.ts';
import { PodNetwork } from './network/pod-network.ts';
import { ContainerRunner } from './pods/container-runner.ts';
import { ImagePuller } from './pods/image-puller.ts';
import { PodCgroups } from './pods/pod-cgroups.ts';
import { PodManager } from './pods/pod-manager.ts';
import { PodStatusWriter } from './pods/pod-status-writer.ts';
import { PodSyncer } from './pods/pod-syncer.ts';
import { RestartBackoff } from './pods/restart-backoff.ts';
import { RuntimeState } from './pods/runtime-state.ts';
import { ProbeManager } from './probes/probe-manager.ts';
import { Prober } from './probes/prober.ts';
import { probeSuccess } from './probes/probe-result.ts';
import { probeTargetPolicy } from './probes/probe-target-policy.ts';
import { TokenRequestTokens } from './volumes/service-account-tokens.ts';
import { VolumeManager, podObjectReferences } from './volumes/volume-manager.ts';
import type { TmpfsMounter } from './volumes/volume-manager.ts';
import { WatchedObjects } from './volumes/watched-objects.ts';
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
  /** kubelet's --cluster-dns. Default: none (pods get the host's resolv.conf). */
  readonly clusterDns?: readonly string[] | undefined;
  /** kubelet's --cluster-domain. Default: cluster.local. */
  readonly clusterDomain?: string | undefined;
  /** kubelet's --resolv-conf. Default: /etc/resolv.conf. */
  readonly resolvConf?: string | undefined;
  /** kubelet's --sync-frequency: every pod is synced at least this often. Default: 60,000 ms. */
  readonly syncFrequencyMs?: number | undefined;
  /** Crash-loop backoff start and cap. Default: 10,000 and 300,000 ms (upstream's). */
  readonly crashLoopBackoffMs?: { readonly initial: number; readonly max: number } | undefined;
  /**
   * httpGet and tcpSocket probes succeed without sending anything, as exec probes do on the
   * simulated runtime (nothing listens on its pod IPs, which no route reaches). Default false.
   */
  readonly simulatedNetworkProbes?: boolean | undefined;
  /** How secret, projected and downwardAPI volumes are mounted. Default: real tmpfs mounts. */
  readonly volumeMounter?: TmpfsMounter | undefined;
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
  readonly #pods: PodManager;
  readonly #objects: WatchedObjects;
  readonly #probes: ProbeManager;
  readonly #services: SharedInformer<Service>;
  #host: HostInfo;
  #allocatable: Readonly<Record<string, string>> = {};

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
    this.#host = readHostInfo('/');
    this.#services = SharedInformer.forResource<Service>(options.client, {
      group: '',
      version: 'v1',
      plural: 'services',
    });
    const events = new ApiEventRecorder({
      client: options.client,
      component: 'kubelet',
      host: options.nodeName,
      clock: this.#clock,
      log: (message, fields) => {
        options.log('warn', message, fields);
      },
    });
    const state = new RuntimeState(options.runtime);
    this.#objects = new WatchedObjects(options.client, (ref) => {
      for (const uid of this.#objects.users(ref)) this.#pods.enqueue(uid);
    });
    const allocatable = (): Readonly<Record<string, string>> => this.#allocatable;
    const volumes = new VolumeManager({
      podsDir: options.paths.podsDir,
      objects: this.#objects,
      tokens: new TokenRequestTokens(options.client),
      hostIp: options.nodeIp,
      allocatable,
      mounter: options.volumeMounter,
    });
    const cgroups = new PodCgroups({ driver: options.cgroupDriver, root: options.cgroupRoot });
    const backoff = options.crashLoopBackoffMs;
    const crashBackoff = new RestartBackoff({
      initialMs: backoff?.initial,
      maxMs: backoff?.max,
      clock: this.#clock,
    });
    const puller = new ImagePuller(
      options.runtime,
      new RestartBackoff({ clock: this.#clock }),
      () => this.#clock.now(),
    );
    const prober = new Prober({
      runtime: options.runtime,
      allowedTarget: probeTargetPolicy({
        nodeIp: options.nodeIp,
        podCidr: () => this.#network.podCidr,
        bridge: options.bridge,
      }),
      // Simulated: nothing is sent, so any target will do.
      ...(options.simulatedNetworkProbes === true
        ? {
            allowedTarget: () => true,
            http: () => Promise.resolve(probeSuccess()),
            tcp: () => Promise.resolve(probeSuccess()),
          }
        : {}),
    });
    this.#probes = new ProbeManager({
      runner: prober,
      events,
      onChange: (uid) => {
        this.#pods.enqueue(uid);
      },
      hostIp: options.nodeIp,
      clock: this.#clock,
    });
    const runner = new ContainerRunner({
      runtime: options.runtime,
      puller,
      objects: this.#objects,
      services: () => this.#services.indexer.list(),
      events,
      prober,
      hostIp: options.nodeIp,
      allocatable,
      nodeMemoryBytes: this.#host.memoryBytes,
      podsDir: options.paths.podsDir,
    });
    const syncer = new PodSyncer({
      runtime: options.runtime,
      state,
      runner,
      volumes,
      cgroups,
      probes: this.#probes,
      puller,
      crashBackoff,
      statusWriter: new PodStatusWriter(options.client),
      events,
      paths: options.paths,
      dns: {
        servers: options.clusterDns ?? [],
        domain: options.clusterDomain ?? 'cluster.local',
        hostResolvConf: readText(options.resolvConf ?? '/etc/resolv.conf'),
      },
      hostIp: options.nodeIp,
      networkReady: () => {
        const h = this.#health.health();
        return (
          h.kind === 'answered' && h.conditions.some((c) => c.type === 'NetworkReady' && c.status)
        );
      },
      log: options.log,
      now: () => this.#clock.now(),
    });
    this.#pods = new PodManager({
      client: options.client,
      nodeName: options.nodeName,
      syncer,
      state,
      cgroups,
      podsDir: options.paths.podsDir,
      resyncPeriodMs: options.syncFrequencyMs,
      onPodSeen: (pod) => {
        this.#objects.setReferences(pod.metadata?.uid ?? '', podObjectReferences(pod));
      },
      onPodGone: (uid) => {
        this.#objects.setReferences(uid, []);
      },
      log: options.log,
      clock: this.#clock,
    });
  }

  /** The node's pod CIDR: Node.spec.podCIDR once assigned, else the `podCidr` option. */
  get podCidr(): string | undefined {
    return this.#network.podCidr;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { paths, log } = this.#o;
    // Every in-flight CRI and API call of every pod worker listens on this signal.
    setMaxListeners(1024, signal);
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
    try {
      await Promise.all([
        this.#reporter.run(signal),
        this.#lease.run(signal),
        this.#services.run(signal),
        this.#pods.run(signal),
      ]);
    } finally {
      this.#probes.stopAll();
      await this.#objects.close();
    }
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
    const status = buildNodeStatus({
      nodeIp: this.#o.nodeIp,
      hostname: this.#o.hostname ?? this.#o.nodeName,
      host: this.#host,
      runtimeVersion: this.#health.version,
      runtime,
      kubeletVersion: versionInfo().gitVersion,
      daemonPort: this.#o.port ?? 10250,
      images,
      maxPods: this.#o.maxPods ?? 110,
      previous,
      now: new Date(this.#clock.now()),
    });
    this.#allocatable = status.allocatable ?? {};
    return status;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
