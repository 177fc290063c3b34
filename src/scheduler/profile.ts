/** The default profile: upstream's default-scheduler filter and score plugins, in its order. */
import type { FilterPlugin, ScorePlugin } from './framework.ts';
import { interPodAffinity } from './plugins/inter-pod-affinity.ts';
import { nodeAffinity } from './plugins/node-affinity.ts';
import { nodeName } from './plugins/node-name.ts';
import { nodePorts } from './plugins/node-ports.ts';
import { balancedAllocation, nodeResourcesFit } from './plugins/node-resources-fit.ts';
import { nodeUnschedulable } from './plugins/node-unschedulable.ts';
import { podTopologySpread } from './plugins/pod-topology-spread.ts';
import { taintToleration } from './plugins/taint-toleration.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface Profile {
  readonly schedulerName: string;
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly ScorePlugin[];
}

export const defaultProfile: Profile = {
  schedulerName: DEFAULT_SCHEDULER_NAME,
  filters: [
    nodeUnschedulable,
    nodeName,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit,
    podTopologySpread,
    interPodAffinity,
  ],
  scores: [taintToleration, nodeAffinity, nodeResourcesFit, podTopologySpread, balancedAllocation],
};
