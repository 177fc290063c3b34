/**
 * `k8ts node run|stop|start|status --rootfs DIR`: the node supervisor in the foreground (what
 * the systemd unit or init's detached process runs), and stopping/starting/inspecting it by its
 * pid file.
 */
import { Command } from 'commander';
import { nodePaths } from '../../node/node-paths.ts';
import { runningChildPids, runningNodePid, startNode, stopNode } from '../../node/node-service.ts';

interface RootfsFlags {
  rootfs: string;
}

export function nodeCommand(): Command {
  const node = new Command('node').description('Run or control the node supervisor');
  node
    .command('run')
    .description('Run the node supervisor in the foreground (SIGTERM stops it, SIGHUP reloads)')
    .option('--rootfs <dir>', 'root of the node file system', '/')
    .action(async (flags: RootfsFlags) => {
      const { Supervisor } = await import('../../node/supervisor.ts');
      const supervisor = new Supervisor({ paths: nodePaths(flags.rootfs) });
      const abort = new AbortController();
      const stop = (): void => {
        abort.abort();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      process.on('SIGHUP', () => {
        supervisor.reload();
      });
      await supervisor.run(abort.signal);
    });
  node
    .command('start')
    .description('Start the node supervisor in the background (systemd unit or detached)')
    .option('--rootfs <dir>', 'root of the node file system', '/')
    .action(async (flags: RootfsFlags) => {
      const r = await startNode(flags.rootfs);
      process.stdout.write(`node supervisor ${r.how} (pid ${String(r.pid)})\n`);
    });
  node
    .command('stop')
    .description('Stop the node supervisor and every process it runs')
    .option('--rootfs <dir>', 'root of the node file system', '/')
    .action(async (flags: RootfsFlags) => {
      const r = await stopNode(flags.rootfs);
      if (r.supervisorPid === undefined) process.stdout.write('node supervisor was not running\n');
      else process.stdout.write(`stopped node supervisor (pid ${String(r.supervisorPid)})\n`);
    });
  node
    .command('status')
    .description('Print the supervisor PID and its children as JSON')
    .option('--rootfs <dir>', 'root of the node file system', '/')
    .action((flags: RootfsFlags) => {
      const paths = nodePaths(flags.rootfs);
      const status = { pid: runningNodePid(paths) ?? null, children: runningChildPids(paths) };
      process.stdout.write(`${JSON.stringify(status)}\n`);
    });
  return node;
}
