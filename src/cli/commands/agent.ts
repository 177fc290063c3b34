/**
 * `k8ts agent`: the node agent in the foreground, with kubelet's flag names where they exist.
 * Node state lives under `--rootfs` (/var/lib/kubelet, /var/log/pods, /etc/cni/net.d); under a
 * rootfs other than `/` the bridge and cgroup root get names unique to it, so several nodes
 * share a machine. SIGTERM/SIGINT stop it gracefully (pods keep running in the runtime). Logs
 * are JSON lines on stderr and never carry credentials.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isIP, isIPv4 } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { agentPaths, hostScopedNames } from '../../agent/agent-paths.ts';
import type { CgroupDriver } from '../../agent/cri/cri-types.ts';
import { parsePodCidr } from '../../agent/network/cni-bridge-config.ts';
import { defaultNodeIp } from '../../agent/nodestatus/host-info.ts';
import { parseNodeLabels, parseTaints } from '../../agent/nodestatus/node-flags.ts';
import { isDNS1123Subdomain } from '../../api/validation/names.ts';
import { parseGoDurationMs } from '../../util/go-duration.ts';
import { jsonLineLog } from '../../util/json-line-log.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';
import { cgroupDriverFlag, listFlag, positiveDurationMs } from '../flag-parsers.ts';

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
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir?: string;
  clientCaFile?: string;
  authorizationMode: 'Webhook' | 'AlwaysAllow';
  runtime: 'containerd' | 'simulated';
  simulatedNodes: number;
  maxPods: number;
  nodeLeaseDurationSeconds: number;
  nodeStatusUpdateFrequency: number;
  cniIpMasq: boolean;
  clusterDns: string[];
  clusterDomain: string;
  resolvConf: string;
  syncFrequency: number;
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
        .argParser(cgroupDriverFlag)
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
      new Option('--port <port>', 'port of the HTTPS endpoint (0: any free port)')
        .argParser((v) => (v === '0' ? 0 : positiveInt(65535)(v)))
        .default(10250),
    )
    .option('--tls-cert-file <file>', "the HTTPS endpoint's certificate (default: self-signed)")
    .option('--tls-private-key-file <file>', 'key of --tls-cert-file')
    .option(
      '--cert-dir <dir>',
      'where the self-signed certificate is kept (default: <rootfs>/var/lib/kubelet/pki)',
    )
    .option(
      '--client-ca-file <file>',
      "CA that callers' client certificates must chain to (default: the kubeconfig's CA)",
    )
    .addOption(
      new Option(
        '--authorization-mode <mode>',
        'who may call the HTTPS endpoint: Webhook (SubjectAccessReview on nodes/proxy) or AlwaysAllow',
      )
        .choices(['Webhook', 'AlwaysAllow'])
        .default('Webhook'),
    )
    .addOption(
      new Option('--runtime <kind>', 'container runtime')
        .choices(['containerd', 'simulated'])
        .default('containerd'),
    )
    .addOption(
      new Option(
        '--simulated-nodes <n>',
        'with --runtime simulated: nodes this process runs (<name>-0, <name>-1, ... when more than 1)',
      )
        .argParser(positiveInt(5000))
        .default(1),
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
    .addOption(
      new Option(
        '--cluster-dns <ip,...>',
        "DNS servers written into pods' resolv.conf (repeatable); none: the host's resolv.conf",
      )
        .argParser((v: string, previous: string[] | undefined) =>
          listFlag(v, previous).map((ip) => {
            if (isIP(ip) === 0) throw new InvalidArgumentError(`${ip} is not an IP address`);
            return ip;
          }),
        )
        .default([], 'none'),
    )
    .addOption(
      new Option('--cluster-domain <domain>', "the cluster's DNS domain (pods' search path)")
        .argParser(
          wrap((v) => {
            const errs = isDNS1123Subdomain(v);
            if (errs.length > 0) throw new Error(`${v} is not a DNS subdomain: ${errs.join('; ')}`);
            return v;
          }),
        )
        .default('cluster.local'),
    )
    .option(
      '--resolv-conf <file>',
      "resolver file pods inherit when --cluster-dns is not set (kubelet's default)",
      '/etc/resolv.conf',
    )
    .addOption(
      new Option('--sync-frequency <duration>', 'every pod is synced at least this often')
        .argParser(positiveDurationMs)
        .default(60_000, '1m'),
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
  // Loaded here, not at the top: every `k8ts` command shares this module tree, and only this one
  // needs the agent and gRPC (process start time matters to `k8ts init` and `join`).
  const { Agent } = await import('../../agent/agent.ts');
  const { GrpcCriClient } = await import('../../agent/cri/grpc-cri-client.ts');
  const { RestClient, parseKubeconfig } = await import('../../client/index.ts');
  const { AlwaysAllowAgentAuthorizer, WebhookAgentAuthorizer, reviewThrough } =
    await import('../../agent/server/agent-authorizer.ts');
  const { AgentServer } = await import('../../agent/server/agent-server.ts');
  const { RuntimeContainerLocator } = await import('../../agent/server/container-locator.ts');
  const { loadServingCertificate } = await import('../../agent/server/serving-certificate.ts');
  if (flags.runtime !== 'simulated' && flags.simulatedNodes !== 1)
    throw new Error('--simulated-nodes needs --runtime simulated');
  const nodeName = (flags.hostnameOverride ?? hostname()).toLowerCase();
  const nameErrs = isDNS1123Subdomain(nodeName);
  if (nameErrs.length > 0) throw new Error(`node name "${nodeName}": ${nameErrs.join('; ')}`);
  if (flags.nodeIp !== undefined && !isIPv4(flags.nodeIp))
    throw new Error(`--node-ip ${flags.nodeIp}: not an IPv4 address`);
  const scoped = hostScopedNames(flags.rootfs);
  const log = jsonLineLog('agent');
  const kubeconfig = parseKubeconfig(readFileSync(flags.kubeconfig, 'utf8'));
  const clientCaPem =
    flags.clientCaFile === undefined ? kubeconfig.caPem : readFileSync(flags.clientCaFile, 'utf8');
  if (clientCaPem === undefined)
    throw new Error('set --client-ca-file: the kubeconfig names no CA for client certificates');
  const nodeIp = flags.nodeIp ?? defaultNodeIp();
  if (flags.runtime === 'simulated') {
    await runSimulatedAgents(flags, nodeName, nodeIp, log);
    return;
  }
  const paths = agentPaths(flags.rootfs);
  const serving = await loadServingCertificate({
    certFile: flags.tlsCertFile,
    keyFile: flags.tlsPrivateKeyFile,
    certDir: flags.certDir ?? join(paths.kubeletDir, 'pki'),
    hostname: nodeName,
    nodeIp,
  });
  const client = RestClient.fromKubeconfig(kubeconfig, { component: 'kubelet' });
  const runtime = new GrpcCriClient({ endpoint: flags.containerRuntimeEndpoint });
  // The HTTPS endpoint the API server reaches for logs, exec, attach and port-forward.
  const server = new AgentServer({
    nodeName,
    tls: serving,
    clientCaPem,
    authorizer:
      flags.authorizationMode === 'Webhook'
        ? new WebhookAgentAuthorizer({ review: reviewThrough(client) })
        : new AlwaysAllowAgentAuthorizer(),
    runtime,
    locator: new RuntimeContainerLocator(runtime),
    host: flags.address,
    port: flags.port,
    onError: (message, err) => {
      log('error', message, { err: err instanceof Error ? err.message : String(err) });
    },
  });
  const { port } = await server.start();
  log('info', 'serving the agent endpoint (logs, exec, attach, port-forward)', {
    address: flags.address,
    port,
    authorizationMode: flags.authorizationMode,
  });
  const agent = new Agent({
    client,
    runtime,
    paths,
    nodeName,
    nodeIp,
    cgroupDriver: flags.cgroupDriver,
    cgroupRoot: flags.cgroupRoot ?? scoped.cgroupRoot,
    bridge: flags.cniBridge ?? scoped.bridge,
    podCidr: flags.podCidr,
    nodeLabels: flags.nodeLabels,
    registerWithTaints: flags.registerWithTaints,
    port,
    maxPods: flags.maxPods,
    nodeLeaseDurationSeconds: flags.nodeLeaseDurationSeconds,
    nodeStatusUpdateMs: flags.nodeStatusUpdateFrequency,
    ipMasq: flags.cniIpMasq,
    clusterDns: flags.clusterDns,
    clusterDomain: flags.clusterDomain,
    resolvConf: flags.resolvConf,
    syncFrequencyMs: flags.syncFrequency,
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
    await server.stop();
    runtime.close();
    client.close();
  }
}

/**
 * `--runtime simulated`: `--simulated-nodes` agents in this process, each on its own in-memory
 * runtime (kwok's idea, for scale benchmarks: nothing runs). They share one API connection, so
 * the kubeconfig must be allowed to act for every node (an admin's, not one node's), and they
 * serve no HTTPS endpoint (no logs or exec). The systemd cgroup driver is used so that no
 * cgroup is touched; each node's files (volumes, a CNI conflist nobody reads) live under
 * `<rootfs>/var/lib/k8ts-simulated/<node>`.
 */
async function runSimulatedAgents(
  flags: AgentFlags,
  baseName: string,
  nodeIp: string,
  log: JsonLineLogFn,
): Promise<void> {
  const { Agent } = await import('../../agent/agent.ts');
  type SimAgent = InstanceType<typeof Agent>;
  const { SimulatedRuntime } = await import('../../agent/runtime/simulated-runtime.ts');
  const { PLAIN_DIRECTORY_MOUNTER } = await import('../../agent/volumes/volume-manager.ts');
  const { RestClient } = await import('../../client/index.ts');
  const client = RestClient.fromKubeconfig(readFileSync(flags.kubeconfig, 'utf8'), {
    component: 'kubelet',
  });
  const names =
    flags.simulatedNodes === 1
      ? [baseName]
      : Array.from({ length: flags.simulatedNodes }, (_, i) => `${baseName}-${String(i)}`);
  for (const name of names) {
    const errs = isDNS1123Subdomain(name);
    if (errs.length > 0) throw new Error(`node name "${name}": ${errs.join('; ')}`);
  }
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  log('info', 'running simulated nodes (nothing executes)', { nodes: names.length });
  try {
    await Promise.all(
      names.map((name) => {
        const rootfs = join(flags.rootfs, 'var/lib/k8ts-simulated', name);
        // The runtime hands out IPs from the agent's pod CIDR, known once the agent runs.
        const node: { agent?: SimAgent } = {};
        const runtime = new SimulatedRuntime({
          name,
          cgroupDriver: 'systemd',
          podCidr: () => node.agent?.podCidr,
        });
        const agent = new Agent({
          client,
          runtime,
          paths: agentPaths(rootfs),
          nodeName: name,
          nodeIp,
          cgroupDriver: 'systemd',
          cgroupRoot: '/',
          bridge: hostScopedNames(rootfs).bridge,
          podCidr: flags.podCidr,
          nodeLabels: { ...flags.nodeLabels, 'k8ts.io/simulated': 'true' },
          simulatedNetworkProbes: true,
          volumeMounter: PLAIN_DIRECTORY_MOUNTER,
          registerWithTaints: flags.registerWithTaints,
          port: flags.port,
          maxPods: flags.maxPods,
          nodeLeaseDurationSeconds: flags.nodeLeaseDurationSeconds,
          nodeStatusUpdateMs: flags.nodeStatusUpdateFrequency,
          log: (level, message, fields) => {
            log(level, message, { node: name, ...fields });
          },
        });
        node.agent = agent;
        return agent.run(stop.signal);
      }),
    );
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    client.close();
  }
}
