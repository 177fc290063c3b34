/**
 * The options of a test etcd cluster, their defaults, and the command line of one member.
 * Pure: no process is started here.
 */
import type { TestPki } from './test-pki.ts';

export interface EtcdClusterOptions {
  /** Number of members. Default: 3. */
  readonly members?: number;
  /** etcd `--heartbeat-interval`. Default: 50 ms. */
  readonly heartbeatIntervalMs?: number;
  /** etcd `--election-timeout`. Default: 500 ms. */
  readonly electionTimeoutMs?: number;
  /**
   * etcd `--experimental-watch-progress-notify-interval`: how often an idle watcher gets a
   * progress notification (EtcdStore's PROGRESS events advance at this pace). Default: 200 ms
   * (etcd's own default is 10 minutes).
   */
  readonly watchProgressNotifyIntervalMs?: number;
  /** etcd `--max-request-bytes`. Default: etcd's own (1.5 MiB for the whole request). */
  readonly maxRequestBytes?: number | undefined;
  /**
   * Serve clients and peers over TLS with client-certificate auth (as kubeadm's stacked etcd),
   * with a throwaway PKI made in the cluster's temp dir (`cluster.pki`). Default: false.
   */
  readonly tls?: boolean;
  /** Bound on `start` and `restart` reaching health. Default: 20,000 ms. */
  readonly startTimeoutMs?: number;
  /** How long `stop`/`kill(m, 'SIGTERM')` waits after SIGTERM before SIGKILL. Default: 2,000 ms. */
  readonly stopTimeoutMs?: number;
  /** The etcd binary. Default: `/usr/bin/etcd`. */
  readonly etcdPath?: string;
  /** Extra flags for every member. Default: none. */
  readonly extraArgs?: readonly string[];
  /**
   * Route all peer (raft) traffic through in-process TCP proxies (peer-network.ts), so that
   * `cluster.isolate(member)` can partition a member while its client port stays reachable.
   * Default: false (members talk to each other directly).
   */
  readonly peerProxy?: boolean;
}

export type ResolvedOptions = Required<Omit<EtcdClusterOptions, 'maxRequestBytes'>> &
  Pick<EtcdClusterOptions, 'maxRequestBytes'>;

export function resolveClusterOptions(options: EtcdClusterOptions): ResolvedOptions {
  return {
    members: options.members ?? 3,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 50,
    electionTimeoutMs: options.electionTimeoutMs ?? 500,
    watchProgressNotifyIntervalMs: options.watchProgressNotifyIntervalMs ?? 200,
    maxRequestBytes: options.maxRequestBytes,
    tls: options.tls ?? false,
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 2_000,
    etcdPath: options.etcdPath ?? '/usr/bin/etcd',
    extraArgs: options.extraArgs ?? [],
    peerProxy: options.peerProxy ?? false,
  };
}

export interface MemberSpec {
  readonly name: string;
  readonly clientUrl: string;
  /** The peer URL the member advertises (and its peers dial). */
  readonly peerUrl: string;
  /** The peer URL the member listens on: `peerUrl`, unless a peer proxy sits in between. */
  readonly listenPeerUrl: string;
  readonly dataDir: string;
}

/** The flags of one member of `all`; `state` is 'new' at bootstrap, 'existing' on restart. */
export function memberArgs(
  m: MemberSpec,
  all: readonly MemberSpec[],
  o: ResolvedOptions,
  clusterToken: string,
  state: 'new' | 'existing',
  pki: TestPki | undefined,
): string[] {
  const tls =
    pki === undefined
      ? []
      : [
          ...['--cert-file', pki.serverCertFile, '--key-file', pki.serverKeyFile],
          ...['--trusted-ca-file', pki.caFile, '--client-cert-auth'],
          ...['--peer-cert-file', pki.serverCertFile, '--peer-key-file', pki.serverKeyFile],
          ...['--peer-trusted-ca-file', pki.caFile, '--peer-client-cert-auth'],
        ];
  return [
    ...['--name', m.name, '--data-dir', m.dataDir],
    ...['--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl],
    ...['--listen-peer-urls', m.listenPeerUrl, '--initial-advertise-peer-urls', m.peerUrl],
    ...['--initial-cluster', all.map((x) => `${x.name}=${x.peerUrl}`).join(',')],
    ...['--initial-cluster-token', clusterToken, '--initial-cluster-state', state],
    ...['--heartbeat-interval', String(o.heartbeatIntervalMs)],
    ...['--election-timeout', String(o.electionTimeoutMs), '--pre-vote'],
    ...[
      '--experimental-watch-progress-notify-interval',
      `${String(o.watchProgressNotifyIntervalMs)}ms`,
    ],
    ...(o.maxRequestBytes === undefined ? [] : ['--max-request-bytes', String(o.maxRequestBytes)]),
    ...['--logger', 'zap', '--log-outputs', 'stderr'],
    ...tls,
    ...o.extraArgs,
  ];
}
