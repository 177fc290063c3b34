/**
 * NodePorts (upstream plugins/nodeports): a pod's hostPort conflicts with one in use on the
 * node when protocol and port are equal and either hostIP is 0.0.0.0 or they are equal.
 */
import { fail } from '../framework.ts';
import type { FilterPlugin } from '../framework.ts';
import type { HostPort } from '../pod-info.ts';

export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

function conflicts(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.hostIP === '0.0.0.0' || b.hostIP === '0.0.0.0' || a.hostIP === b.hostIP;
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  prepareFilter(pod) {
    if (pod.hostPorts.length === 0) return undefined;
    return (node) => {
      for (const used of node.usedPorts()) {
        if (pod.hostPorts.some((p) => conflicts(p, used))) return fail('NodePorts', ERR_NODE_PORTS);
      }
      return undefined;
    };
  },
};
