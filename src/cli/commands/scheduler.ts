/**
 * `k8ts scheduler`: runs the scheduler in the foreground with kube-scheduler's flag names
 * (--kubeconfig, --leader-elect, --leader-elect-lease-duration, ...). With leader election on
 * (the default, as upstream) it schedules only while holding Lease kube-system/kube-scheduler,
 * through a client scoped to the term (nothing is sent once the term ended), and, as
 * kube-scheduler does, exits non-zero when it loses the lease. SIGTERM/SIGINT stop it
 * gracefully: requests in flight are cancelled, then the lease is released. Logs are JSON lines on
 * stderr.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { LEADER_ELECTION_DEFAULTS } from '../../client/leader-election/index.ts';
import type { LeaderElector } from '../../client/leader-election/index.ts';
import { parseGoBool, positiveDurationMs, seconds } from '../flag-parsers.ts';
import { requestLogFor, verbosity } from '../verbosity-flag.ts';
import { jsonLineLog } from '../../util/json-line-log.ts';

interface SchedulerFlags {
  kubeconfig: string;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
  identity?: string;
  v: number;
}

const log = jsonLineLog('scheduler');

async function runScheduler(flags: SchedulerFlags): Promise<void> {
  // Loaded on use: all `k8ts` commands share one module tree (process start time matters).
  const { RestClient } = await import('../../client/index.ts');
  const leaderElection = await import('../../client/leader-election/index.ts');
  const { LeaseLock, newIdentity } = leaderElection;
  const { Scheduler } = await import('../../scheduler/index.ts');
  const client = RestClient.fromKubeconfig(readFileSync(flags.kubeconfig, 'utf8'), {
    component: 'kube-scheduler',
    requestLog: requestLogFor(flags.v, log),
  });
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const identity = flags.identity ?? newIdentity(hostname());
  log('info', 'starting scheduler', {
    identity,
    leaderElect: flags.leaderElect,
    leaseDurationMs: flags.leaderElectLeaseDuration,
    renewDeadlineMs: flags.leaderElectRenewDeadline,
    retryPeriodMs: flags.leaderElectRetryPeriod,
  });
  try {
    if (!flags.leaderElect) {
      await new Scheduler({ client: client.scoped({ signal: stop.signal }), log }).run(stop.signal);
      return;
    }
    const elector: LeaderElector = new leaderElection.LeaderElector({
      lock: new LeaseLock({
        client,
        namespace: flags.leaderElectResourceNamespace,
        name: flags.leaderElectResourceName,
        identity,
      }),
      leaseDurationMs: flags.leaderElectLeaseDuration,
      renewDeadlineMs: flags.leaderElectRenewDeadline,
      retryPeriodMs: flags.leaderElectRetryPeriod,
      log,
      callbacks: {
        onStartedLeading: async (signal) => {
          log('info', 'started leading', { identity });
          signal.addEventListener(
            'abort',
            () => {
              log('info', 'stopped leading', { identity });
            },
            { once: true },
          );
          const scoped = client.scoped({
            signal,
            admit: () => {
              elector.assertLeading();
            },
          });
          await new Scheduler({ client: scoped, log }).run(signal);
        },
        onNewLeader: (leader) => {
          log('info', 'new leader elected', { leader });
        },
      },
    });
    await elector.run(stop.signal);
    if (!stop.signal.aborted) {
      log('error', 'leaderelection lost');
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    client.close();
  }
}

export function schedulerCommand(): Command {
  const d = LEADER_ELECTION_DEFAULTS;
  return new Command('scheduler')
    .description('Run the Kubernetes scheduler (foreground; leader-elected)')
    .requiredOption('--kubeconfig <file>', 'kubeconfig with the API server(s) and credentials')
    .addOption(
      new Option('--leader-elect [bool]', 'schedule only while holding the leader Lease')
        .default(true)
        .argParser(parseGoBool),
    )
    .addOption(
      new Option(
        '--leader-elect-lease-duration <duration>',
        'how long followers wait before taking an unrenewed lease (upstream: 15s)',
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
    .option('--leader-elect-resource-name <name>', 'name of the Lease', 'kube-scheduler')
    .option('--identity <id>', 'leader election identity (default: <hostname>_<uuid>)')
    .addOption(
      new Option('--v <level>', 'log verbosity; 6 and up log every API request')
        .argParser(verbosity)
        .default(0),
    )
    .action(async (flags: SchedulerFlags) => {
      await runScheduler(flags);
    });
}
