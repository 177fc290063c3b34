/**
 * `k8ts reset`: kubeadm reset for a k8ts node — stops what the node runs and removes its files
 * under `--rootfs`. Asks for confirmation on a terminal unless `--force`; without a terminal it
 * refuses unless `--force` is given.
 */
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';

interface ResetFlags {
  rootfs: string;
  force: boolean;
  criSocket?: string;
}

async function confirmed(): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new Error('no terminal to confirm on: run "k8ts reset --force" to reset without asking');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(
      "[reset] WARNING: Changes made to this host by 'k8ts init' or 'k8ts join' will be reverted.\n[reset] Are you sure you want to proceed? [y/N]: ",
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function resetCommand(): Command {
  return new Command('reset')
    .description(
      "Performs a best effort revert of changes made to this host by 'k8ts init' or 'k8ts join'",
    )
    .option('--rootfs <dir>', "the node's root: every file path is under it", '/')
    .option('-f, --force', 'reset the node without prompting for confirmation', false)
    .option(
      '--cri-socket <endpoint>',
      "the container runtime to remove the node's pods from (default: the agent's)",
    )
    .action(async (flags: ResetFlags) => {
      if (!flags.force && !(await confirmed())) {
        process.stdout.write('[reset] Aborted reset operation\n');
        process.exitCode = 1;
        return;
      }
      const { runReset } = await import('../../cluster/reset/run-reset.ts');
      const { nodeCleanupSteps } = await import('../../cluster/reset/node-cleanup.ts');
      const out = (line: string): void => {
        process.stdout.write(`${line}\n`);
      };
      const steps = nodeCleanupSteps(flags.rootfs, flags.criSocket, out);
      await runReset({
        rootfs: flags.rootfs,
        out,
        beforeStop: steps.beforeStop,
        extraSteps: steps.afterStop,
      });
    });
}
