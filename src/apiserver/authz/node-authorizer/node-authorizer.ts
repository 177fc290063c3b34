/**
 * Upstream's Node authorization mode (plugin/pkg/auth/authorizer/node, v1.33 with
 * AuthorizeNodeWithSelectors on, its default): requests from a node's credentials (user
 * `system:node:<name>` in group `system:nodes`) may
 *  - read only Secrets, ConfigMaps, PVCs and ServiceAccount tokens that a pod bound to that node
 *    uses (NodeGraph), by name;
 *  - get, list and watch only their own Node (list/watch through a `metadata.name` selector),
 *    create/update/patch Nodes and Node status (NodeRestriction admission limits that to their
 *    own);
 *  - get pods bound to them, list/watch pods only with `spec.nodeName=<name>`, create and
 *    delete (mirror) pods, update pod status and evict pods (NodeRestriction checks the pod);
 *  - use only their own Lease in kube-node-lease;
 *  - everything else the `system:node` ClusterRole's rules allow (upstream's NodeRules).
 * Other users get no opinion, so RBAC decides for them. Never touches the store per request.
 */
import type { UserInfo } from '../../authn/user-info.ts';
import type { RequestInfo, ResourceRequestInfo } from '../../request-info.ts';
import type { Authorizer, Decision, RulesSummary } from '../authorizer.ts';
import { ruleAllows } from '../rbac/evaluation.ts';
import type { PolicyRule } from '../rbac/policy-rule.ts';
import type { NodeGraph, VertexType } from './node-graph.ts';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * Upstream's default NodeIdentifier: `isNode` for members of system:nodes; the name only when
 * the user name is `system:node:<name>`.
 */
export function nodeIdentity(user: UserInfo): { isNode: boolean; nodeName: string } {
  if (!user.groups.includes(NODES_GROUP)) return { isNode: false, nodeName: '' };
  if (!user.name.startsWith(NODE_USER_PREFIX)) return { isNode: true, nodeName: '' };
  return { isNode: true, nodeName: user.name.slice(NODE_USER_PREFIX.length) };
}

const ALLOW: Decision = { allowed: true };
const noOpinion = (reason: string): Decision => ({ allowed: false, reason });

export interface NodeAuthorizerOptions {
  readonly graph: NodeGraph;
  /** The `system:node` ClusterRole's rules (upstream's bootstrappolicy.NodeRules()). */
  readonly nodeRules: readonly PolicyRule[];
  /** Resolves once the graph holds the first list of pods. Default: already. */
  readonly ready?: () => Promise<void>;
}

export class NodeAuthorizer implements Authorizer {
  readonly #o: NodeAuthorizerOptions;

  constructor(options: NodeAuthorizerOptions) {
    this.#o = options;
  }

  async authorize(user: UserInfo, request: RequestInfo): Promise<Decision> {
    const { isNode, nodeName } = nodeIdentity(user);
    if (!isNode) return noOpinion('');
    if (nodeName === '') return noOpinion(`unknown node for user ${JSON.stringify(user.name)}`);
    await this.#o.ready?.();
    if (request.isResourceRequest) {
      const special = this.#resource(nodeName, request);
      if (special !== undefined) return special;
    }
    return this.#o.nodeRules.some((r) => ruleAllows(request, r)) ? ALLOW : noOpinion('');
  }

  /** A decision for the resources the authorizer subdivides; undefined: use the node rules. */
  #resource(node: string, r: ResourceRequestInfo): Decision | undefined {
    const sub = r.subresource ?? '';
    if (r.group === '') {
      switch (r.resource) {
        case 'secrets':
          return this.#readNamespaced(node, 'secret', r);
        case 'configmaps':
          return this.#readNamespaced(node, 'configmap', r);
        case 'persistentvolumeclaims':
          if (sub === 'status') {
            if (r.verb !== 'update' && r.verb !== 'patch')
              return noOpinion('can only get/update/patch this type');
            return this.#related(node, 'pvc', r);
          }
          return this.#getOnly(node, 'pvc', r);
        case 'persistentvolumes':
          return noOpinion(`no relationship found between node '${node}' and this object`);
        case 'serviceaccounts':
          if (r.verb !== 'create' || r.name === undefined)
            return noOpinion('can only create tokens for individual service accounts');
          if (sub !== 'token')
            return noOpinion('can only create token subresource of serviceaccount');
          return this.#related(node, 'serviceaccount', r);
        case 'nodes':
          return this.#node(node, r);
        case 'pods':
          return this.#pod(node, r);
      }
    }
    if (r.group === 'coordination.k8s.io' && r.resource === 'leases') return this.#lease(node, r);
    return undefined;
  }

  #related(node: string, type: VertexType, r: ResourceRequestInfo): Decision {
    if (r.name === undefined) return noOpinion('No Object name found');
    return this.#o.graph.hasPath(node, type, r.namespace ?? '', r.name)
      ? ALLOW
      : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  #readNamespaced(node: string, type: VertexType, r: ResourceRequestInfo): Decision {
    if (r.verb !== 'get' && r.verb !== 'list' && r.verb !== 'watch')
      return noOpinion('can only read resources of this type');
    if (r.subresource !== undefined) return noOpinion('cannot read subresource');
    if (r.namespace === undefined) return noOpinion('can only read namespaced object of this type');
    return this.#related(node, type, r);
  }

  #getOnly(node: string, type: VertexType, r: ResourceRequestInfo): Decision {
    if (r.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (r.subresource !== undefined) return noOpinion('cannot get subresource');
    return this.#related(node, type, r);
  }

  #lease(node: string, r: ResourceRequestInfo): Decision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(r.verb))
      return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (r.namespace !== NODE_LEASE_NAMESPACE)
      return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    // On create the name is in the body; NodeRestriction admission checks it.
    if (r.verb !== 'create' && r.name !== node)
      return noOpinion('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }

  #node(node: string, r: ResourceRequestInfo): Decision {
    const sub = r.subresource ?? '';
    if (sub === '') {
      // NodeRestriction admission limits writes to the node's own object.
      if (r.verb === 'create' || r.verb === 'update' || r.verb === 'patch') return ALLOW;
      if (r.verb === 'get' || r.verb === 'list' || r.verb === 'watch') {
        if (r.name === node) return ALLOW;
        if (r.name === undefined)
          return noOpinion(`node '${node}' cannot read all nodes, only its own Node object`);
        return noOpinion(`node '${node}' cannot read '${r.name}', only its own Node object`);
      }
    }
    if (sub === 'status' && (r.verb === 'update' || r.verb === 'patch')) return ALLOW;
    return noOpinion('');
  }

  #pod(node: string, r: ResourceRequestInfo): Decision {
    const sub = r.subresource ?? '';
    if (sub === '') {
      switch (r.verb) {
        case 'get':
          return this.#getOnly(node, 'pod', r);
        case 'list':
        case 'watch': {
          const scoped = (r.fieldSelector ?? []).some(
            (f) => f.field === 'spec.nodeName' && f.operator === '=' && f.value === node,
          );
          if (scoped) return ALLOW;
          if (r.name !== undefined) return this.#related(node, 'pod', r);
          return noOpinion('can only list/watch pods with spec.nodeName field selector');
        }
        case 'create':
        case 'delete':
          // Mirror pods; NodeRestriction admission limits them to pods bound to this node.
          return ALLOW;
        case 'update':
        case 'patch':
        case 'deletecollection':
          return noOpinion('');
      }
    }
    if (sub === 'status' && (r.verb === 'update' || r.verb === 'patch')) return ALLOW;
    if (sub === 'eviction' && r.verb === 'create') return ALLOW;
    return noOpinion('');
  }

  rulesFor(user: UserInfo): Promise<RulesSummary> {
    // As upstream: a node's permissions cannot be enumerated.
    const { isNode } = nodeIdentity(user);
    return Promise.resolve({
      resourceRules: [],
      nonResourceRules: [],
      incomplete: isNode,
      ...(isNode
        ? { evaluationError: 'node authorizer does not support user rule resolution' }
        : {}),
    });
  }
}
