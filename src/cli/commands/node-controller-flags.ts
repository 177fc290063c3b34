/**
 * kube-controller-manager's node flags for `k8ts controller-manager`: the node lifecycle
 * controller's timings and eviction rates, and nodeipam's CIDR allocation. Defaults are
 * k8ts's (see node-lifecycle-options.ts for each one's safety argument); the help text names
 * upstream's value, one flag away. Bad values are refused before anything starts.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import {
  NODE_LIFECYCLE_DEFAULTS,
  UPSTREAM_NODE_LIFECYCLE,
  resolveNodeLifecycleOptions,
} from '../../controllers/nodelifecycle/node-lifecycle-options.ts';
import type { NodeLifecycleOptions } from '../../controllers/nodelifecycle/node-lifecycle-options.ts';
import { CidrSet } from '../../controllers/nodeipam/cidr-set.ts';
import type { NodeIpamOptions } from '../../controllers/nodeipam/node-ipam-controller.ts';
import { parseGoBool, positiveDurationMs } from '../flag-parsers.ts';

export interface NodeControllerFlags {
  nodeMonitorPeriod: number;
  nodeMonitorGracePeriod: number;
  nodeStartupGracePeriod: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
  allocateNodeCidrs: boolean;
  clusterCidr?: string;
  nodeCidrMaskSize: number;
  serviceClusterIpRange?: string;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a number >= 0`);
  return n;
}

function nonNegativeInt(value: string): number {
  const n = nonNegativeNumber(value);
  if (!Number.isInteger(n))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not an integer`);
  return n;
}

const s = (ms: number): string => `${String(ms / 1000)}s`;

export function addNodeControllerFlags(cmd: Command): Command {
  const d = NODE_LIFECYCLE_DEFAULTS;
  const u = UPSTREAM_NODE_LIFECYCLE;
  const duration = (flag: string, help: string, def: number): Option =>
    new Option(`${flag} <duration>`, help).argParser(positiveDurationMs).default(def, s(def));
  return cmd
    .addOption(
      duration(
        '--node-monitor-period',
        `how often node health is checked (upstream: ${s(u.nodeMonitorPeriodMs)})`,
        d.nodeMonitorPeriodMs,
      ),
    )
    .addOption(
      duration(
        '--node-monitor-grace-period',
        `silence after which a node is marked Unknown (upstream: 40s up to v1.31, ${s(u.nodeMonitorGracePeriodMs)} since)`,
        d.nodeMonitorGracePeriodMs,
      ),
    )
    .addOption(
      duration(
        '--node-startup-grace-period',
        `the same for a node that never posted status (upstream: ${s(u.nodeStartupGracePeriodMs)})`,
        d.nodeStartupGracePeriodMs,
      ),
    )
    .addOption(
      new Option('--node-eviction-rate <qps>', 'nodes tainted for eviction per second per zone')
        .argParser(nonNegativeNumber)
        .default(d.evictionRate),
    )
    .addOption(
      new Option(
        '--secondary-node-eviction-rate <qps>',
        'the same in a partially disrupted large zone',
      )
        .argParser(nonNegativeNumber)
        .default(d.secondaryEvictionRate),
    )
    .addOption(
      new Option(
        '--large-cluster-size-threshold <n>',
        'zones up to this many nodes stop evicting when partially disrupted',
      )
        .argParser(nonNegativeInt)
        .default(d.largeClusterSizeThreshold),
    )
    .addOption(
      new Option(
        '--unhealthy-zone-threshold <fraction>',
        'fraction of not-Ready nodes that makes a zone partially disrupted',
      )
        .argParser(nonNegativeNumber)
        .default(d.unhealthyZoneThreshold),
    )
    .addOption(
      new Option('--allocate-node-cidrs [bool]', 'assign each Node a pod CIDR from --cluster-cidr')
        .argParser(parseGoBool)
        .default(false),
    )
    .option('--cluster-cidr <cidr>', 'the pod network nodes get subnets of (IPv4)')
    .addOption(
      new Option('--node-cidr-mask-size <bits>', "mask size of each node's pod CIDR")
        .argParser(nonNegativeInt)
        .default(24),
    )
    .option('--service-cluster-ip-range <cidr>', 'the service range, kept out of node subnets');
}

export class NodeControllerFlagsError extends Error {
  readonly code = 'K8TS_BAD_FLAGS';
  constructor(message: string) {
    super(message);
    this.name = 'NodeControllerFlagsError';
  }
}

/** The controllers' config from the flags; throws NodeControllerFlagsError for a bad combination. */
export function nodeControllerConfig(f: NodeControllerFlags): {
  nodeLifecycle: NodeLifecycleOptions;
  nodeIpam: NodeIpamOptions;
} {
  let nodeLifecycle: NodeLifecycleOptions;
  try {
    nodeLifecycle = resolveNodeLifecycleOptions({
      nodeMonitorPeriodMs: f.nodeMonitorPeriod,
      nodeMonitorGracePeriodMs: f.nodeMonitorGracePeriod,
      nodeStartupGracePeriodMs: f.nodeStartupGracePeriod,
      evictionRate: f.nodeEvictionRate,
      secondaryEvictionRate: f.secondaryNodeEvictionRate,
      largeClusterSizeThreshold: f.largeClusterSizeThreshold,
      unhealthyZoneThreshold: f.unhealthyZoneThreshold,
    });
  } catch (err: unknown) {
    throw new NodeControllerFlagsError(err instanceof Error ? err.message : String(err));
  }
  const nodeIpam: NodeIpamOptions = {
    allocateNodeCidrs: f.allocateNodeCidrs,
    clusterCidr: f.clusterCidr,
    nodeCidrMaskSize: f.nodeCidrMaskSize,
    serviceClusterIpRange: f.serviceClusterIpRange,
  };
  if (f.allocateNodeCidrs) {
    if (f.clusterCidr === undefined || f.clusterCidr === '')
      throw new NodeControllerFlagsError('--allocate-node-cidrs=true needs --cluster-cidr');
    try {
      new CidrSet(f.clusterCidr, f.nodeCidrMaskSize);
    } catch (err: unknown) {
      throw new NodeControllerFlagsError(
        `--cluster-cidr=${f.clusterCidr} --node-cidr-mask-size=${String(f.nodeCidrMaskSize)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return { nodeLifecycle, nodeIpam };
}
