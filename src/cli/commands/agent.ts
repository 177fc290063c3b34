/**
 * `k8ts agent`: the node agent in the foreground, with kubelet's flag names where they exist.
 * Node state lives under `--rootfs` (/var/lib/kubelet, /var/log/pods, /etc/cni/net.d); under a
 * rootfs other than `/` the bridge and cgroup root get names unique to it, so several nodes
 * share a machine. SIGTERM/SIGINT stop it gracefully (pods keep running in the runtime). Logs
 * are JSON lines on stderr and never carry credentials.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIPv4 } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Agent } from '../../agent/agent.ts';
import { agentPaths, hostScopedNames } from '../../agent/agent-paths.ts';
import { GrpcCriClient } from '../../agent/cri/grpc-cri-client.ts';
import type { CgroupDriver } from '../../agent/cri/cri-types.ts';
import { parsePodCidr } from '../../agent/network/cni-bridge-config.ts';
import { defaultNodeIp } from '../../agent/nodestatus/host-info.ts';
import { parseNodeLabels, parseTaints } from '../../agent/nodestatus/node-flags.ts';
import { isDNS1123Subdomain } from '../../api/validation/names.ts';
import { RestClient } from '../../client/index.ts';
import { parseGoDurationMs } from '../../util/go-duration.ts';
import { jsonLineLog } from '../../util/json-line-log.ts';
import { parseCgroupDriver } from './containerd.ts';

interface AgentFlags {
  kubeconfig: string;
  rootfs: string;
  hostnameOverride?: string;
  nodeIp?: string;
  containerRuntimeEndpoint: string;
  cgroupDriver: CgroupDriver;
  cgroupRoot?: string;
  cniBridge?: string;
  nodeLabels: Record<string, string>;
  registerWithTaints: ReturnType<typeof parseTaints>;
  podCidr?: string;
  address: string;
  port: number;
  runtime: 'containerd' | 'simulated';
  maxPods: number;
  nodeLeaseDurationSeconds: number;
  nodeStatusUpdateFrequency: number;
  cniIpMasq: boolean;
}

function wrap<T>(parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (err: unknown) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

function positiveInt(max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`must be an integer from 1 to ${String(max)}`);
    return n;
  };
}

export function agentCommand(): Command {
  return new Command('agent')
    .description('Run the node agent (kubelet): registers the node and runs its pods via CRI')
    .requiredOption('--kubeconfig <file>', "the node's credentials (kubelet.conf)")
    .option('--rootfs <dir>', 'node root: agent state under <rootfs>/var/lib/kubelet', '/')
    .option('--hostname-override <name>', 'node name (default: the host name, lower-cased)')
    .option('--node-ip <ip>', "the node's InternalIP (default: the default route's address)")
    .option(
      '--container-runtime-endpoint <endpoint>',
      'CRI socket',
      'unix:///run/containerd/containerd.sock',
    )
    .addOption(
      new Option('--cgroup-driver <driver>', 'cgroupfs or systemd; must match the runtime')
        .argParser(parseCgroupDriver)
        .default('cgroupfs'),
    )
    .option(
      '--cgroup-root <path>',
      'cgroup holding kubepods (default: / under rootfs /, else unique)',
    )
    .option('--cni-bridge <name>', 'CNI bridge name (default: cni0 under rootfs /, else unique)')
    .addOption(
      new Option('--node-labels <k=v,...>', 'labels to register the node with')
        .argParser(wrap(parseNodeLabels))
        .default({}, 'none'),
    )
    .addOption(
      new Option(
        '--register-with-taints <key=value:Effect,...>',
        'taints to register the node with',
      )
        .argParser(wrap(parseTaints))
        .default([], 'none'),
    )
    .addOption(
      new Option(
        '--pod-cidr <cidr>',
        'pod CIDR, used only while Node.spec.podCIDR is empty',
      ).argParser(
        wrap((v) => {
          parsePodCidr(v);
          return v;
        }),
      ),
    )
    .option('--address <ip>', 'address of the HTTPS endpoint', '0.0.0.0')
    .addOption(
      new Option('--port <port>', 'port of the HTTPS endpoint')
        .argParser(positiveInt(65535))
        .default(10250),
    )
    .addOption(
      new Option('--runtime <kind>', 'container runtime')
        .choices(['containerd', 'simulated'])
        .default('containerd'),
    )
    .addOption(
      new Option('--max-pods <n>', 'pods this node runs at most')
        .argParser(positiveInt(10000))
        .default(110),
    )
    .addOption(
      new Option(
        '--node-lease-duration-seconds <s>',
        'node Lease duration; renewed every quarter of it',
      )
        .argParser(positiveInt(3600))
        .default(40),
    )
    .addOption(
      new Option(
        '--node-status-update-frequency <duration>',
        'how often the node status is computed',
      )
        .argParser(wrap(parseGoDurationMs))
        .default(10_000, '10s'),
    )
    .option(
      '--cni-ip-masq',
      'masquerade pod traffic leaving the pod CIDR (touches iptables)',
      false,
    )
    .action(async (flags: AgentFlags) => {
      await runAgent(flags);
    });
}

async function runAgent(flags: AgentFlags): Promise<void> {
  if (flags.runtime === 'simulated')
    throw new Error('--runtime simulated is not available in this build: use containerd');
  const nodeName = (flags.hostnameOverride ?? hostname()).toLowerCase();
  const nameErrs = isDNS1123Subdomain(nodeName);
  if (nameErrs.length > 0) throw new Error(`node name "${nodeName}": ${nameErrs.join('; ')}`);
  if (flags.nodeIp !== undefined && !isIPv4(flags.nodeIp))
    throw new Error(`--node-ip ${flags.nodeIp}: not an IPv4 address`);
  const scoped = hostScopedNames(flags.rootfs);
  const log = jsonLineLog('agent');
  const client = RestClient.fromKubeconfig(readFileSync(flags.kubeconfig, 'utf8'), {
    component: 'kubelet',
  });
  const runtime = new GrpcCriClient({ endpoint: flags.containerRuntimeEndpoint });
  const agent = new Agent({
    client,
    runtime,
    paths: agentPaths(flags.rootfs),
    nodeName,
    nodeIp: flags.nodeIp ?? defaultNodeIp(),
    cgroupDriver: flags.cgroupDriver,
    cgroupRoot: flags.cgroupRoot ?? scoped.cgroupRoot,
    bridge: flags.cniBridge ?? scoped.bridge,
    podCidr: flags.podCidr,
    nodeLabels: flags.nodeLabels,
    registerWithTaints: flags.registerWithTaints,
    port: flags.port,
    maxPods: flags.maxPods,
    nodeLeaseDurationSeconds: flags.nodeLeaseDurationSeconds,
    nodeStatusUpdateMs: flags.nodeStatusUpdateFrequency,
    ipMasq: flags.cniIpMasq,
    log,
  });
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await agent.run(stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    runtime.close();
    client.close();
  }
}
