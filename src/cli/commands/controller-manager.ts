/**
 * `k8ts controller-manager`: runs the controller manager in the foreground with
 * kube-controller-manager's flag names. Several run at once (one per control-plane node); one
 * leads through the Lease kube-system/kube-controller-manager. SIGTERM/SIGINT stop it
 * gracefully: controllers stop, then the lease is released so another takes over at once.
 * Logs are JSON lines on stderr.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { LEADER_ELECTION_DEFAULTS } from '../../client/leader-election/index.ts';
import { jsonLineLog } from '../../util/json-line-log.ts';
import { parseGoBool, positiveDurationMs, seconds } from '../flag-parsers.ts';
import { requestLogFor, verbosity } from '../verbosity-flag.ts';
import { addNodeControllerFlags, nodeControllerConfig } from './node-controller-flags.ts';
import type { NodeControllerFlags } from './node-controller-flags.ts';

interface ControllerManagerFlags extends NodeControllerFlags {
  kubeconfig?: string;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
  controllers: string[];
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  clusterSigningDuration?: number;
  rootCaFile?: string;
  nodeName: string;
  identity?: string;
  useServiceAccountCredentials: boolean;
  v: number;
}

export function controllerManagerCommand(): Command {
  const d = LEADER_ELECTION_DEFAULTS;
  const cmd = new Command('controller-manager')
    .description('Run the controller manager (foreground; leader-elected)')
    .requiredOption('--kubeconfig <file>', 'kubeconfig to reach the API server')
    .addOption(
      new Option('--leader-elect [bool]', 'elect a leader before running controllers')
        .argParser(parseGoBool)
        .default(true),
    )
    .addOption(
      new Option(
        '--leader-elect-lease-duration <duration>',
        `how long followers wait before taking an unrenewed lease (upstream: 15s)`,
      )
        .argParser(positiveDurationMs)
        .default(d.leaseDurationMs, seconds(d.leaseDurationMs)),
    )
    .addOption(
      new Option(
        '--leader-elect-renew-deadline <duration>',
        'how long the leader acts without a successful renew (upstream: 10s)',
      )
        .argParser(positiveDurationMs)
        .default(d.renewDeadlineMs, seconds(d.renewDeadlineMs)),
    )
    .addOption(
      new Option(
        '--leader-elect-retry-period <duration>',
        'pause between acquire and renew tries (upstream: 2s)',
      )
        .argParser(positiveDurationMs)
        .default(d.retryPeriodMs, seconds(d.retryPeriodMs)),
    )
    .option('--leader-elect-resource-namespace <ns>', 'namespace of the Lease', 'kube-system')
    .option('--leader-elect-resource-name <name>', 'name of the Lease', 'kube-controller-manager')
    .addOption(
      new Option(
        '--controllers <list>',
        "controllers to run: '*' (all on by default), 'name', '-name'",
      )
        .argParser((value: string) => value.split(','))
        .default(['*'], '*'),
    )
    .option('--cluster-signing-cert-file <file>', 'PEM cluster CA that signs approved CSRs')
    .option('--cluster-signing-key-file <file>', 'PEM key of the cluster signing CA')
    .addOption(
      new Option(
        '--cluster-signing-duration <duration>',
        'longest validity of signed certificates',
      ).argParser(positiveDurationMs),
    )
    .option(
      '--root-ca-file <file>',
      "PEM CA bundle published as kube-root-ca.crt in every namespace (default: the kubeconfig's CA)",
    )
    .option('--node-name <name>', 'this node, for the identity', hostname())
    .option('--identity <id>', 'leader election identity (default: <node-name>_<uuid>)')
    .addOption(
      new Option(
        '--use-service-account-credentials [bool]',
        'run each controller as its own service account in kube-system (kubeadm sets it)',
      )
        .argParser(parseGoBool)
        .default(false),
    )
    .addOption(
      new Option('--v <level>', 'log verbosity; 6 and up log every API request')
        .argParser(verbosity)
        .default(0),
    );
  return addNodeControllerFlags(cmd).action(async (flags: ControllerManagerFlags) => {
    await runControllerManager(flags);
  });
}

async function runControllerManager(flags: ControllerManagerFlags): Promise<void> {
  // Loaded on use: all `k8ts` commands share one module tree (process start time matters).
  const { RestClient } = await import('../../client/index.ts');
  const { newIdentity } = await import('../../client/leader-election/index.ts');
  const { ControllerManager } = await import('../../controllers/controller-manager.ts');
  const { ServiceAccountClients } = await import('../../controllers/service-account-clients.ts');
  const { parseKubeconfig } = await import('../../client/index.ts');
  if (flags.kubeconfig === undefined) throw new Error('set --kubeconfig');
  const nodeControllers = nodeControllerConfig(flags);
  const kubeconfig = parseKubeconfig(readFileSync(flags.kubeconfig, 'utf8'));
  const log = jsonLineLog('controller-manager');
  const client = RestClient.fromKubeconfig(kubeconfig, {
    component: 'kube-controller-manager',
    requestLog: requestLogFor(flags.v, log),
  });
  const saClients = flags.useServiceAccountCredentials
    ? new ServiceAccountClients({
        root: client,
        servers: client.servers,
        caPem: kubeconfig.caPem,
        onError: (serviceAccount, err) => {
          log('warn', 'service account token renewal failed; retrying', {
            serviceAccount,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      })
    : undefined;
  const manager = new ControllerManager({
    client,
    identity: flags.identity ?? newIdentity(flags.nodeName),
    enabled: flags.controllers,
    leaderElect: flags.leaderElect,
    leaderElection: {
      leaseDurationMs: flags.leaderElectLeaseDuration,
      renewDeadlineMs: flags.leaderElectRenewDeadline,
      retryPeriodMs: flags.leaderElectRetryPeriod,
    },
    leaseNamespace: flags.leaderElectResourceNamespace,
    leaseName: flags.leaderElectResourceName,
    config: {
      clusterSigningCertFile: flags.clusterSigningCertFile,
      clusterSigningKeyFile: flags.clusterSigningKeyFile,
      clusterSigningDurationMs: flags.clusterSigningDuration,
      rootCaFile: flags.rootCaFile,
      clientCaPem: kubeconfig.caPem,
      nodeName: flags.nodeName,
      ...nodeControllers,
    },
    log,
    ...(saClients === undefined
      ? {}
      : { serviceAccountClient: (sa: string) => saClients.clientFor(sa) }),
  });
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await manager.run(stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await saClients?.close();
    client.close();
  }
}
