/**
 * `k8ts token create|list|delete|generate`, as `kubeadm token`: bootstrap tokens stored as
 * `bootstrap-token-<id>` Secrets through the admin kubeconfig (`--kubeconfig`, default
 * `<rootfs>/etc/kubernetes/admin.conf`). `create --print-join-command` prints a one-line
 * `k8ts join` whose endpoint and CA pin come from that kubeconfig. A token is printed only as
 * the answer of create/generate/list, never in an error.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { RestClient } from '../../client/index.ts';
import { clusterPaths, kubeconfigPath } from '../../cluster/cluster-paths.ts';
import { durationFlag, listFlag } from '../flag-parsers.ts';

interface KubeconfigFlags {
  rootfs: string;
  kubeconfig?: string;
}

interface CreateFlags extends KubeconfigFlags {
  ttl: number;
  description?: string;
  usages?: string[];
  groups?: string[];
  printJoinCommand: boolean;
}

function kubeconfigFile(flags: KubeconfigFlags): string {
  return flags.kubeconfig ?? kubeconfigPath(clusterPaths(flags.rootfs), 'admin.conf');
}

function readKubeconfig(flags: KubeconfigFlags): string {
  const file = kubeconfigFile(flags);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `cannot read the kubeconfig ${file}: run this on a control-plane node, or pass --kubeconfig`,
    );
  }
}

function withKubeconfigFlags(cmd: Command): Command {
  return cmd
    .option('--rootfs <dir>', "the node's root (the default kubeconfig is under it)", '/')
    .option(
      '--kubeconfig <file>',
      'kubeconfig to use (default: <rootfs>/etc/kubernetes/admin.conf)',
    );
}

async function withClient<T>(
  flags: KubeconfigFlags,
  run: (client: RestClient, kubeconfig: string) => Promise<T>,
): Promise<T> {
  const { RestClient } = await import('../../client/index.ts');
  const text = readKubeconfig(flags);
  const client = RestClient.fromKubeconfig(text, { timeoutMs: 15_000 });
  try {
    return await run(client, text);
  } finally {
    client.close();
  }
}

function createCommand(): Command {
  return withKubeconfigFlags(
    new Command('create')
      .description('Create a bootstrap token on the server')
      .argument('[token]', 'the token to create, [a-z0-9]{6}.[a-z0-9]{16} (default: random)'),
  )
    .addOption(
      new Option('--ttl <duration>', 'time before the token is deleted; 0 = never')
        .argParser(durationFlag)
        .default(24 * 3600 * 1000, '24h0m0s'),
    )
    .option('--description <text>', 'a human-friendly description of the token')
    .addOption(
      new Option('--usages <list>', 'how the token may be used: signing, authentication')
        .argParser(listFlag)
        .default(undefined, 'signing,authentication'),
    )
    .addOption(
      new Option('--groups <list>', 'extra groups the token authenticates as (with authentication)')
        .argParser((v: string, prev: string[] | undefined) => (v === '' ? [] : listFlag(v, prev)))
        .default(undefined, 'system:bootstrappers:kubeadm:default-node-token'),
    )
    .option(
      '--print-join-command',
      'print the full `k8ts join` command instead of the token',
      false,
    )
    .action(async (tokenArg: string | undefined, flags: CreateFlags) => {
      const { BootstrapToken } = await import('../../pki/bootstrap-token.ts');
      let token;
      try {
        token = tokenArg === undefined ? undefined : BootstrapToken.parse(tokenArg);
      } catch {
        throw new Error(
          'the token does not match the format [a-z0-9]{6}.[a-z0-9]{16} (run "k8ts token generate" for one)',
        );
      }
      const { storeBootstrapToken, validateTokenSpec } =
        await import('../../cluster/bootstrap-tokens.ts');
      const spec = {
        ...(token === undefined ? {} : { token }),
        ttlMs: flags.ttl,
        ...(flags.description === undefined ? {} : { description: flags.description }),
        ...(flags.usages === undefined ? {} : { usages: flags.usages }),
        ...(flags.groups === undefined ? {} : { groups: flags.groups }),
      };
      validateTokenSpec(spec);
      await withClient(flags, async (client, kubeconfig) => {
        const created = await storeBootstrapToken(client, spec, true);
        if (!flags.printJoinCommand) {
          process.stdout.write(`${created.value}\n`);
          return;
        }
        const { parseKubeconfig } = await import('../../client/index.ts');
        const { endpointOfServer, joinWorkerArgs } = await import('../../cluster/join-command.ts');
        const kc = parseKubeconfig(kubeconfig);
        if (kc.caPem === undefined)
          throw new Error('the kubeconfig has no certificate-authority-data to pin');
        const args = joinWorkerArgs({
          endpoint: endpointOfServer(kc.server),
          token: created,
          caPem: kc.caPem,
        });
        process.stdout.write(`${args.join(' ')}\n`);
      });
    });
}

export function tokenCommand(): Command {
  const token = new Command('token').description(
    'Manage bootstrap tokens (bootstrap-token-<id> Secrets in kube-system)',
  );
  token.addCommand(createCommand());
  token.addCommand(
    withKubeconfigFlags(
      new Command('list').description('List bootstrap tokens on the server'),
    ).action(async (flags: KubeconfigFlags) => {
      const { formatTokenList, listBootstrapTokens } =
        await import('../../cluster/bootstrap-tokens.ts');
      await withClient(flags, async (client) => {
        const listing = await listBootstrapTokens(client);
        for (const e of listing.errors) process.stderr.write(`${e}\n`);
        process.stdout.write(formatTokenList(listing.tokens, new Date()));
      });
    }),
  );
  token.addCommand(
    withKubeconfigFlags(
      new Command('delete')
        .description('Delete bootstrap tokens on the server, by token ID or whole token')
        .argument('<token-value...>', 'token IDs ([a-z0-9]{6}) or tokens'),
    ).action(async (values: string[], flags: KubeconfigFlags) => {
      const { deleteBootstrapToken } = await import('../../cluster/bootstrap-tokens.ts');
      await withClient(flags, async (client) => {
        for (const v of values) {
          const id = await deleteBootstrapToken(client, v);
          process.stdout.write(`bootstrap token ${JSON.stringify(id)} deleted\n`);
        }
      });
    }),
  );
  token.addCommand(
    new Command('generate')
      .description('Generate and print a bootstrap token, but do not create it on the server')
      .action(async () => {
        const { BootstrapToken } = await import('../../pki/bootstrap-token.ts');
        process.stdout.write(`${BootstrapToken.generate().value}\n`);
      }),
  );
  return token;
}
