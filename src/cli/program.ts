/**
 * The `k8ts` command tree. Each command lives in `commands/<name>.ts` and only parses flags and
 * calls into the components; errors reach the user as one line that says what to do, and the
 * exit code is non-zero.
 */
import { Command } from 'commander';
import { versionInfo } from '../version.ts';
import { apiserverCommand } from './commands/apiserver.ts';
import { certsCommand } from './commands/certs.ts';
import { agentCommand } from './commands/agent.ts';
import { containerdCommand } from './commands/containerd.ts';
import { controllerManagerCommand } from './commands/controller-manager.ts';
import { initCommand } from './commands/init.ts';
import { joinCommand } from './commands/join.ts';
import { nodeCommand } from './commands/node.ts';
import { resetCommand } from './commands/reset.ts';
import { tokenCommand } from './commands/token.ts';
import { schedulerCommand } from './commands/scheduler.ts';
import { versionCommand } from './commands/version.ts';

export function buildProgram(): Command {
  return (
    new Command('k8ts')
      .description('k8ts: a Kubernetes-compatible, highly available cluster in TypeScript.')
      .version(versionInfo().gitVersion, '--version', 'print the version and exit')
      .showHelpAfterError('(run `k8ts --help` for usage)')
      // `k8ts init phase <name> --flags`: init and its phase subcommand share flags; without this
      // commander hands every flag after `phase` to init and the phase runs on the defaults.
      .enablePositionalOptions()
      .addCommand(versionCommand())
      .addCommand(apiserverCommand())
      .addCommand(controllerManagerCommand())
      .addCommand(schedulerCommand())
      .addCommand(containerdCommand())
      .addCommand(agentCommand())
      .addCommand(initCommand())
      .addCommand(joinCommand())
      .addCommand(nodeCommand())
      .addCommand(tokenCommand())
      .addCommand(resetCommand())
      .addCommand(certsCommand())
  );
}
