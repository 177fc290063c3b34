/**
 * `k8ts version [-o short|json|yaml]`: prints the version as kubeadm does
 * (`k8ts version: &version.Info{...}` by default).
 */
import { Command, Option } from 'commander';
import { versionInfo } from '../../version.ts';

export function versionCommand(): Command {
  return new Command('version')
    .description('Print the version of k8ts')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['short', 'json', 'yaml']),
    )
    .action((opts: { output?: string }) => {
      const info = versionInfo();
      switch (opts.output) {
        case 'short':
          process.stdout.write(`${info.gitVersion}\n`);
          return;
        case 'json':
          process.stdout.write(`${JSON.stringify({ clientVersion: info }, null, 2)}\n`);
          return;
        case 'yaml':
          process.stdout.write(
            `clientVersion:\n${Object.entries(info)
              .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
              .join('\n')}\n`,
          );
          return;
        case undefined:
        default: {
          const fields = Object.entries(info)
            .map(([k, v]) => `${k[0]?.toUpperCase() ?? ''}${k.slice(1)}:${JSON.stringify(v)}`)
            .join(', ');
          process.stdout.write(`k8ts version: &version.Info{${fields}}\n`);
        }
      }
    });
}
