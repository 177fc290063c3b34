/**
 * The `nodeipam` controller with upstream's RangeAllocator (pkg/controller/nodeipam, v1.33):
 * with `--allocate-node-cidrs`, every Node without `spec.podCIDR` gets the next free subnet of
 * `--cluster-cidr` (mask `--node-cidr-mask-size`) in `spec.podCIDR` and `spec.podCIDRs`, which
 * node agents read for their CNI bridge. At start every subnet already assigned, and the
 * service range, is marked used; a deleted Node's subnet is released. An exhausted range gives
 * the Node a `CIDRNotAvailable` event and a rate-limited retry. A subnet is never handed to two
 * Nodes: allocation is in memory under one leader, and the API refuses to change a podCIDR once
 * set (a racing write fails and its subnet is released). Without `--allocate-node-cidrs` the
 * controller does nothing, as upstream.
 */
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  isInvalid,
  isNotFound,
  runControllerLoop,
  tombstoneObject,
} from '../../client/index.ts';
import type { SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { CidrSet } from './cidr-set.ts';

export interface NodeIpamOptions {
  /** `--allocate-node-cidrs`. Default false (upstream's); `k8ts init` turns it on. */
  readonly allocateNodeCidrs?: boolean | undefined;
  /** `--cluster-cidr`: the pod network, e.g. 10.244.0.0/16. Required when allocating. */
  readonly clusterCidr?: string | undefined;
  /** `--node-cidr-mask-size`: each node's subnet. Default 24 (upstream's for IPv4). */
  readonly nodeCidrMaskSize?: number | undefined;
  /** `--service-cluster-ip-range`: excluded from node subnets. Default: none. */
  readonly serviceClusterIpRange?: string | undefined;
}

export class NodeIpamConfigError extends Error {
  readonly code = 'K8TS_NODE_IPAM_CONFIG';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeIpamConfigError';
  }
}

const nodeCidrs = (node: Node): string[] => {
  const list = node.spec?.podCIDRs ?? [];
  const single = node.spec?.podCIDR ?? '';
  return list.length > 0 ? [...list] : single === '' ? [] : [single];
};

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  readonly #ctx: ControllerContext;
  readonly #set: CidrSet | undefined;
  readonly #nodes: SharedInformer<Node> | undefined;
  readonly #queue: RateLimitingQueue<string>;
  /** Subnets this controller handed out or found, by node. */
  readonly #byNode = new Map<string, string>();

  /** Throws a NodeIpamConfigError when allocating with a missing or invalid range. */
  constructor(ctx: ControllerContext, options: NodeIpamOptions = {}) {
    this.#ctx = ctx;
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
    if (options.allocateNodeCidrs !== true) return;
    if (options.clusterCidr === undefined || options.clusterCidr === '')
      throw new NodeIpamConfigError('--allocate-node-cidrs needs --cluster-cidr');
    try {
      const cidrs = options.clusterCidr.split(',').map((c) => c.trim());
      if (cidrs.length !== 1)
        throw new Error('only one (IPv4) cluster CIDR is supported; dual-stack is not');
      this.#set = new CidrSet(cidrs[0] ?? '', options.nodeCidrMaskSize ?? 24);
      if (options.serviceClusterIpRange !== undefined && options.serviceClusterIpRange !== '')
        this.#set.occupyIfOverlapping(options.serviceClusterIpRange);
    } catch (err: unknown) {
      throw new NodeIpamConfigError(
        `invalid --cluster-cidr/--node-cidr-mask-size: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    this.#nodes = ctx.informers.informerFor<Node>(RESOURCES.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    const nodes = this.#nodes;
    if (nodes === undefined) return;
    if (!(await nodes.waitForCacheSync(signal))) return;
    // Mark what is already assigned before handing anything out.
    for (const node of nodes.indexer.list()) this.#occupy(node);
    const reg = nodes.addEventHandler({
      onAdd: (n) => {
        this.#queue.add(n.metadata?.name ?? '');
      },
      onUpdate: (_o, n) => {
        this.#queue.add(n.metadata?.name ?? '');
      },
      onDelete: (obj) => {
        const name = tombstoneObject(obj).metadata?.name ?? '';
        const cidr = this.#byNode.get(name);
        this.#byNode.delete(name);
        if (cidr !== undefined && ![...this.#byNode.values()].includes(cidr))
          this.#set?.release(cidr);
      },
    });
    try {
      await runControllerLoop({
        queue: this.#queue,
        reconcile: (name, s) => this.sync(name, s),
        workers: 2,
        onError: (err, name) => {
          this.#ctx.log('warn', 'failed to allocate a pod CIDR; requeuing', {
            node: name,
            error: err instanceof Error ? err.message : String(err),
          });
        },
        signal,
      });
    } finally {
      reg.remove();
    }
  }

  #occupy(node: Node): void {
    const name = node.metadata?.name ?? '';
    for (const cidr of nodeCidrs(node)) {
      try {
        if (this.#set?.occupyIfOverlapping(cidr) === true) this.#byNode.set(name, cidr);
      } catch (err: unknown) {
        this.#ctx.log('warn', 'node has an unusable pod CIDR', {
          node: name,
          cidr,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  /** AllocateOrOccupyCIDR for one node. */
  async sync(name: string, signal: AbortSignal): Promise<void> {
    const set = this.#set;
    const node = this.#nodes?.indexer.getByKey(name);
    if (set === undefined || node === undefined || node.metadata?.deletionTimestamp != null) return;
    if (nodeCidrs(node).length > 0) {
      if (!this.#byNode.has(name)) this.#occupy(node);
      return;
    }
    let cidr: string;
    try {
      cidr = set.allocateNext();
    } catch (err: unknown) {
      this.#ctx.events.event(
        { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } },
        'Normal',
        'CIDRNotAvailable',
        `Node ${name} status is now: CIDRNotAvailable`,
      );
      throw err;
    }
    try {
      await this.#ctx.client.patch<Node>(
        { ...RESOURCES.nodes, name },
        { spec: { podCIDR: cidr, podCIDRs: [cidr] } },
        { type: 'merge', signal },
      );
      this.#byNode.set(name, cidr);
      this.#ctx.log('info', 'assigned pod CIDR', { node: name, cidr });
    } catch (err: unknown) {
      set.release(cidr);
      // Gone, or someone set a podCIDR first (the API refuses a change): the next sync occupies it.
      if (isNotFound(err) || isInvalid(err)) return;
      throw err;
    }
  }
}
