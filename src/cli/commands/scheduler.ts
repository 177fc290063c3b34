/**
 * `k8ts scheduler`: runs the scheduler in the foreground with kube-scheduler's flag names
 * (--kubeconfig, --leader-elect, --leader-elect-lease-duration, ...). With leader election on
 * (the default, as upstream) it schedules only while holding Lease kube-system/kube-scheduler,
 * and, as kube-scheduler does, exits non-zero when it loses the lease. SIGTERM/SIGINT stop it
 * gracefully: bindings in flight finish and the lease is released.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { RestClient } from '../../client/index.ts';
import { LeaderElector, LeaseLock, newIdentity } from '../../client/leader-election/index.ts';
import { Scheduler } from '../../scheduler/index.ts';
import { parseGoDurationMs } from '../../util/go-duration.ts';

interface SchedulerFlags {
  kubeconfig: string;
  leaderElect: boolean;
  leaderElectLeaseDuration?: number;
  leaderElectRenewDeadline?: number;
  leaderElectRetryPeriod?: number;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
}

function duration(value: string): number {
  try {
    return parseGoDurationMs(value);
  } catch (err: unknown) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`invalid boolean ${JSON.stringify(value)}`);
}

const log = (level: string, message: string, fields?: Record<string, unknown>): void => {
  process.stderr.write(
    `${JSON.stringify({ level, component: 'scheduler', message, ...fields })}\n`,
  );
};

async function runScheduler(flags: SchedulerFlags): Promise<void> {
  const client = RestClient.fromKubeconfig(readFileSync(flags.kubeconfig, 'utf8'), {
    component: 'kube-scheduler',
  });
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    if (!flags.leaderElect) {
      await new Scheduler({ client, log }).run(stop.signal);
      return;
    }
    const elector = new LeaderElector({
      lock: new LeaseLock({
        client,
        namespace: flags.leaderElectResourceNamespace,
        name: flags.leaderElectResourceName,
        identity: newIdentity(hostname()),
      }),
      ...(flags.leaderElectLeaseDuration === undefined
        ? {}
        : { leaseDurationMs: flags.leaderElectLeaseDuration }),
      ...(flags.leaderElectRenewDeadline === undefined
        ? {}
        : { renewDeadlineMs: flags.leaderElectRenewDeadline }),
      ...(flags.leaderElectRetryPeriod === undefined
        ? {}
        : { retryPeriodMs: flags.leaderElectRetryPeriod }),
      log,
      callbacks: {
        onStartedLeading: (signal) => new Scheduler({ client, log }).run(signal),
        onNewLeader: (identity) => {
          log('info', 'new leader elected', { identity });
        },
      },
    });
    await elector.run(stop.signal);
    if (!stop.signal.aborted) {
      log('error', 'leader election lost');
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    client.close();
  }
}

export function schedulerCommand(): Command {
  return new Command('scheduler')
    .description('Run the Kubernetes scheduler (foreground)')
    .requiredOption('--kubeconfig <file>', 'kubeconfig with the API server(s) and credentials')
    .addOption(
      new Option('--leader-elect [bool]', 'schedule only while holding the leader Lease')
        .default(true)
        .argParser(parseGoBool),
    )
    .option('--no-leader-elect', 'run without leader election (a single scheduler only)')
    .option('--leader-elect-lease-duration <duration>', 'default 4s (upstream 15s)', duration)
    .option('--leader-elect-renew-deadline <duration>', 'default 2.5s (upstream 10s)', duration)
    .option('--leader-elect-retry-period <duration>', 'default 500ms (upstream 2s)', duration)
    .option('--leader-elect-resource-namespace <ns>', 'namespace of the Lease', 'kube-system')
    .option('--leader-elect-resource-name <name>', 'name of the Lease', 'kube-scheduler')
    .action(async (flags: SchedulerFlags) => {
      await runScheduler(flags);
    });
}
