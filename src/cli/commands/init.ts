/**
 * `k8ts init` and `k8ts init phase <name>`: kubeadm init's flags (plus k8ts's datastore, etcd
 * port and external-etcd flags, so that several nodes fit on one machine), resolved into one
 * InitConfig and run phase by phase. Output goes to stdout; a failure is one message on stderr
 * and exit code 1. Ctrl-C stops the waits.
 */
import { Command, Option } from 'commander';
import { resolveInitConfig } from '../../cluster/init/init-config.ts';
import { INIT_PHASE_NAMES } from '../../cluster/init/init-phase.ts';
import type { InitFlags } from '../../cluster/init/init-config.ts';
import { addNodeFlags, durationFlag, listFlag, portFlag } from '../flag-parsers.ts';
import type { NodeCliFlags } from '../flag-parsers.ts';

interface InitCliFlags extends NodeCliFlags {
  rootfs: string;
  apiserverAdvertiseAddress?: string;
  advertiseAddress?: string;
  apiserverBindPort: number;
  apiserverCertExtraSans?: string[];
  nodeName?: string;
  controlPlaneEndpoint?: string;
  podNetworkCidr?: string;
  serviceCidr: string;
  serviceDnsDomain: string;
  token?: string;
  tokenTtl: number;
  skipPhases?: string[];
  datastore: 'etcd' | 'sqlite';
  etcdClientPort: number;
  etcdPeerPort: number;
  externalEtcdEndpoints?: string[];
  externalEtcdCafile?: string;
  externalEtcdCertfile?: string;
  externalEtcdKeyfile?: string;
  controlPlaneTimeout: number;
}

function addInitFlags(cmd: Command): Command {
  return addNodeFlags(cmd, 'what the container runtime uses')
    .option('--rootfs <dir>', "the node's root: every file path is under it", '/')
    .option(
      '--apiserver-advertise-address <ip>',
      'the IP the API server advertises (default: the first non-loopback IPv4 address)',
    )
    .option('--advertise-address <ip>', 'alias of --apiserver-advertise-address')
    .option('--apiserver-bind-port <port>', 'port the API server binds to', portFlag, 6443)
    .option(
      '--apiserver-cert-extra-sans <sans>',
      'extra Subject Alternative Names (IPs or DNS names) of the API server certificate',
      listFlag,
    )
    .option('--node-name <name>', "this node's name (default: the host name)")
    .option(
      '--control-plane-endpoint <host[:port]>',
      'a stable address for the control plane (a load balancer); default: the advertise address',
    )
    .option(
      '--pod-network-cidr <cidr>',
      'the pod network; the controller manager gives each node a range of it',
    )
    .option('--service-cidr <cidr>', 'the Service IP range', '10.96.0.0/12')
    .option('--service-dns-domain <domain>', "the Services' DNS domain", 'cluster.local')
    .option(
      '--token <token>',
      'the bootstrap token to create, [a-z0-9]{6}.[a-z0-9]{16} (default: random)',
    )
    .addOption(
      new Option('--token-ttl <duration>', 'time before the token expires; 0 = never')
        .argParser(durationFlag)
        .default(24 * 3600 * 1000, '24h0m0s'),
    )
    .option('--skip-phases <phases>', 'phases to skip', listFlag)
    .addOption(
      new Option('--datastore <kind>', 'etcd (a local member) or sqlite (one server, no HA)')
        .choices(['etcd', 'sqlite'])
        .default('etcd'),
    )
    .option('--etcd-client-port <port>', "the local etcd member's client port", portFlag, 2379)
    .option('--etcd-peer-port <port>', "the local etcd member's peer port", portFlag, 2380)
    .option(
      '--external-etcd-endpoints <urls>',
      "use this etcd cluster instead of a local member (kubeadm's etcd.external.endpoints)",
      listFlag,
    )
    .option('--external-etcd-cafile <file>', 'CA of the external etcd')
    .option('--external-etcd-certfile <file>', 'client certificate for the external etcd')
    .option('--external-etcd-keyfile <file>', 'client key for the external etcd')
    .addOption(
      new Option(
        '--control-plane-timeout <duration>',
        'how long to wait for the API server to become ready',
      )
        .argParser(durationFlag)
        .default(240_000, '4m0s'),
    );
}

export function initFlagsFrom(f: InitCliFlags): InitFlags {
  const external =
    f.externalEtcdEndpoints === undefined
      ? undefined
      : {
          endpoints: f.externalEtcdEndpoints,
          ...(f.externalEtcdCafile === undefined ? {} : { caFile: f.externalEtcdCafile }),
          ...(f.externalEtcdCertfile === undefined ? {} : { certFile: f.externalEtcdCertfile }),
          ...(f.externalEtcdKeyfile === undefined ? {} : { keyFile: f.externalEtcdKeyfile }),
        };
  const advertise = f.apiserverAdvertiseAddress ?? f.advertiseAddress;
  return {
    rootfs: f.rootfs,
    ...(advertise === undefined ? {} : { advertiseAddress: advertise }),
    bindPort: f.apiserverBindPort,
    ...(f.apiserverCertExtraSans === undefined
      ? {}
      : { apiServerCertExtraSans: f.apiserverCertExtraSans }),
    ...(f.nodeName === undefined ? {} : { nodeName: f.nodeName }),
    ...(f.controlPlaneEndpoint === undefined
      ? {}
      : { controlPlaneEndpoint: f.controlPlaneEndpoint }),
    ...(f.podNetworkCidr === undefined ? {} : { podNetworkCidr: f.podNetworkCidr }),
    serviceCidr: f.serviceCidr,
    serviceDnsDomain: f.serviceDnsDomain,
    ...(f.token === undefined ? {} : { token: f.token }),
    tokenTtlMs: f.tokenTtl,
    ignorePreflightErrors: f.ignorePreflightErrors ?? [],
    skipPhases: f.skipPhases ?? [],
    ...(f.criSocket === undefined ? {} : { criSocket: f.criSocket }),
    ...(f.cgroupDriver === undefined ? {} : { cgroupDriver: f.cgroupDriver }),
    datastore: f.datastore,
    ...(external === undefined ? {} : { externalEtcd: external }),
    etcdClientPort: f.etcdClientPort,
    etcdPeerPort: f.etcdPeerPort,
    kubeletPort: f.kubeletPort,
    ...(f.podCidr === undefined ? {} : { podCidr: f.podCidr }),
    apiReadyTimeoutMs: f.controlPlaneTimeout,
  };
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** An AbortSignal that fires on SIGINT/SIGTERM while `run` runs. */
async function withInterrupt(run: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await run(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function initCommand(): Command {
  const init = addInitFlags(
    new Command('init').description(
      'Run this command in order to set up the Kubernetes control plane (kubeadm init)',
    ),
  )
    .enablePositionalOptions()
    .action(async (flags: InitCliFlags) => {
      const config = resolveInitConfig(initFlagsFrom(flags));
      const { runInit } = await import('../../cluster/init/run-init.ts');
      await withInterrupt((signal) => runInit({ config, out, signal }));
    });
  const phase = addInitFlags(
    new Command('phase')
      .description(`Run one phase of init: ${INIT_PHASE_NAMES.join(', ')}`)
      .argument('<name>', 'the phase'),
  ).action(async (name: string, flags: InitCliFlags) => {
    const { findInitPhase, runInit } = await import('../../cluster/init/run-init.ts');
    const selected = findInitPhase(name);
    const config = resolveInitConfig(initFlagsFrom(flags));
    await withInterrupt((signal) => runInit({ config, out, signal, phases: [selected] }));
  });
  init.addCommand(phase);
  return init;
}
