/**
 * The Node authorization mode, wired: a NodeGraph fed by a StoreInformer over the pods, and the
 * NodeAuthorizer with the `system:node` ClusterRole's rules from the bootstrap policy. `run`
 * lists and watches until its signal aborts; decisions wait for the first list.
 */
import { listPrefix } from '../../../storage/keys.ts';
import type { Store } from '../../../storage/store.ts';
import { StoreInformer } from '../../store-informer.ts';
import { loadBootstrapPolicy } from '../rbac/bootstrap-policy.ts';
import type { BootstrapPolicy } from '../rbac/bootstrap-policy.ts';
import { parseRules } from '../rbac/policy-rule.ts';
import type { PolicyRule } from '../rbac/policy-rule.ts';
import { NodeAuthorizer } from './node-authorizer.ts';
import { NodeGraph } from './node-graph.ts';

export { NodeAuthorizer, nodeIdentity } from './node-authorizer.ts';
export { NodeGraph } from './node-graph.ts';

/** Upstream's bootstrappolicy.NodeRules(): the rules of the `system:node` ClusterRole. */
export function nodeRules(policy: BootstrapPolicy = loadBootstrapPolicy()): PolicyRule[] {
  const role = policy.clusterRoles.find((r) => {
    const meta = r['metadata'];
    return typeof meta === 'object' && meta !== null && !Array.isArray(meta)
      ? meta['name'] === 'system:node'
      : false;
  });
  if (role === undefined) throw new Error('the bootstrap policy has no system:node ClusterRole');
  return parseRules(role);
}

export interface NodeAuthorization {
  readonly authorizer: NodeAuthorizer;
  readonly graph: NodeGraph;
  run(signal: AbortSignal): Promise<void>;
  readonly ready: Promise<void>;
}

export function nodeAuthorization(
  store: Store,
  policy: BootstrapPolicy,
  onError?: (err: unknown) => void,
): NodeAuthorization {
  const graph = new NodeGraph();
  const informer = new StoreInformer({
    store,
    prefix: listPrefix('pods'),
    handlers: {
      replace: (pods) => {
        graph.clear();
        for (const p of pods) graph.putPod(p);
      },
      put: (pod) => {
        graph.putPod(pod);
      },
      delete: (pod) => {
        const meta = pod['metadata'];
        if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return;
        const ns = meta['namespace'];
        const name = meta['name'];
        if (typeof ns === 'string' && typeof name === 'string') graph.deletePod(ns, name);
      },
    },
    ...(onError === undefined ? {} : { onError }),
  });
  const authorizer = new NodeAuthorizer({
    graph,
    nodeRules: nodeRules(policy),
    ready: () => (informer.isReady ? Promise.resolve() : informer.ready),
  });
  return {
    authorizer,
    graph,
    run: (signal) => informer.run(signal),
    ready: informer.ready,
  };
}
