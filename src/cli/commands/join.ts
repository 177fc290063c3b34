/**
 * `k8ts join <host:port>`: joins this machine to a cluster as a worker, with kubeadm join's
 * flags for token discovery and TLS bootstrap, plus the node flags k8ts needs to run several
 * nodes on one machine (`--rootfs`, `--node-ip`, `--cri-socket`, `--kubelet-port`). A refused
 * join exits 1 with one message and leaves nothing behind.
 */
import { Command, Option } from 'commander';
import { addNodeFlags, durationFlag, listFlag } from '../flag-parsers.ts';
import type { NodeCliFlags } from '../flag-parsers.ts';

interface JoinCliFlags extends NodeCliFlags {
  rootfs: string;
  token?: string;
  discoveryToken?: string;
  tlsBootstrapToken?: string;
  discoveryTokenCaCertHash?: string[];
  discoveryTokenUnsafeSkipCaVerification: boolean;
  nodeName?: string;
  nodeIp?: string;
  discoveryTimeout: number;
  tlsBootstrapTimeout: number;
}

function durationOption(flag: string, what: string, ms: number, shown: string): Option {
  return new Option(`${flag} <duration>`, what).argParser(durationFlag).default(ms, shown);
}

export function joinCommand(): Command {
  const join = new Command('join')
    .description('Run this on any machine you wish to join an existing cluster (kubeadm join)')
    .argument('[api-server-endpoint]', 'host:port of the control plane')
    .option('--rootfs <dir>', "the node's root: every file path is under it", '/')
    .option('--token <token>', 'the bootstrap token for both discovery and TLS bootstrap')
    .option('--discovery-token <token>', 'the token for discovery (default: --token)')
    .option('--tls-bootstrap-token <token>', 'the token for the TLS bootstrap (default: --token)')
    .option(
      '--discovery-token-ca-cert-hash <sha256:hex>',
      'the CA\'s public key pin(s) ("k8ts token create --print-join-command" prints it)',
      listFlag,
    )
    .option(
      '--discovery-token-unsafe-skip-ca-verification',
      'join without pinning the CA (anyone on the path can impersonate the control plane)',
      false,
    )
    .option('--node-name <name>', "this node's name (default: the host name)")
    .option('--node-ip <ip>', "this node's IP (default: the address that reaches the API server)");
  return addNodeFlags(join, "the runtime's, else the cluster's kubelet-config")
    .addOption(
      durationOption('--discovery-timeout', 'how long discovery may take', 300_000, '5m0s'),
    )
    .addOption(
      durationOption(
        '--tls-bootstrap-timeout',
        'how long to wait for the CSR to be approved and signed',
        300_000,
        '5m0s',
      ),
    )
    .action(async (endpoint: string | undefined, f: JoinCliFlags) => {
      const { resolveJoinConfig } = await import('../../cluster/join/join-config.ts');
      const config = resolveJoinConfig({
        endpoint,
        rootfs: f.rootfs,
        ...(f.token === undefined ? {} : { token: f.token }),
        ...(f.discoveryToken === undefined ? {} : { discoveryToken: f.discoveryToken }),
        ...(f.tlsBootstrapToken === undefined ? {} : { tlsBootstrapToken: f.tlsBootstrapToken }),
        caCertHashes: f.discoveryTokenCaCertHash ?? [],
        unsafeSkipCaVerification: f.discoveryTokenUnsafeSkipCaVerification,
        ...(f.nodeName === undefined ? {} : { nodeName: f.nodeName }),
        ...(f.nodeIp === undefined ? {} : { nodeIp: f.nodeIp }),
        ...(f.criSocket === undefined ? {} : { criSocket: f.criSocket }),
        ...(f.cgroupDriver === undefined ? {} : { cgroupDriver: f.cgroupDriver }),
        kubeletPort: f.kubeletPort,
        ...(f.podCidr === undefined ? {} : { podCidr: f.podCidr }),
        ignorePreflightErrors: f.ignorePreflightErrors ?? [],
        discoveryTimeoutMs: f.discoveryTimeout,
        tlsBootstrapTimeoutMs: f.tlsBootstrapTimeout,
      });
      const { runJoin } = await import('../../cluster/join/run-join.ts');
      const stop = new AbortController();
      const onSignal = (): void => {
        stop.abort(new Error('interrupted'));
      };
      process.once('SIGINT', onSignal);
      try {
        await runJoin({
          config,
          out: (line) => process.stdout.write(`${line}\n`),
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
