import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldRequirement } from '../../../api/selectors/field-selector.ts';
import type { UserInfo } from '../../authn/user-info.ts';
import type { RequestInfo, RequestVerb } from '../../request-info.ts';
import { NodeAuthorizer, nodeIdentity, nodeRules, NodeGraph } from './index.ts';

const graph = new NodeGraph();
graph.putPod({
  metadata: { namespace: 'default', name: 'web' },
  spec: {
    nodeName: 'n1',
    serviceAccountName: 'default',
    containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'c1' } }] }],
    volumes: [
      { name: 'v', secret: { secretName: 's1' } },
      { name: 'p', persistentVolumeClaim: { claimName: 'claim' } },
    ],
  },
});
graph.putPod({ metadata: { namespace: 'default', name: 'db' }, spec: { nodeName: 'n2' } });
const authorizer = new NodeAuthorizer({ graph, nodeRules: nodeRules() });

const n1: UserInfo = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

interface Req {
  verb: RequestVerb;
  resource: string;
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  fieldSelector?: FieldRequirement[];
}

function req(r: Req): RequestInfo {
  return {
    isResourceRequest: true,
    apiPrefix: r.group === undefined || r.group === '' ? 'api' : 'apis',
    group: r.group ?? '',
    version: 'v1',
    verb: r.verb,
    resource: r.resource,
    namespace: r.namespace,
    name: r.name,
    subresource: r.subresource,
    ...(r.fieldSelector === undefined ? {} : { fieldSelector: r.fieldSelector }),
  };
}

const ns = 'default';
const lease = { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' };
const onNode = (value: string): FieldRequirement[] => [
  { field: 'spec.nodeName', operator: '=', value },
];

// [name, request, allowed, reason fragment when denied]
const cases: [string, Req, boolean, string?][] = [
  [
    'get a secret its pod uses',
    { verb: 'get', resource: 'secrets', namespace: ns, name: 's1' },
    true,
  ],
  [
    'get another secret',
    { verb: 'get', resource: 'secrets', namespace: ns, name: 's2' },
    false,
    "no relationship found between node 'n1'",
  ],
  [
    'list secrets',
    { verb: 'list', resource: 'secrets', namespace: ns },
    false,
    'No Object name found',
  ],
  [
    'watch one used secret by name',
    { verb: 'watch', resource: 'secrets', namespace: ns, name: 's1' },
    true,
  ],
  [
    'create a secret',
    { verb: 'create', resource: 'secrets', namespace: ns },
    false,
    'can only read resources of this type',
  ],
  [
    'get a used configmap',
    { verb: 'get', resource: 'configmaps', namespace: ns, name: 'c1' },
    true,
  ],
  [
    'get another configmap',
    { verb: 'get', resource: 'configmaps', namespace: 'kube-system', name: 'c1' },
    false,
  ],
  [
    'get a used claim',
    { verb: 'get', resource: 'persistentvolumeclaims', namespace: ns, name: 'claim' },
    true,
  ],
  [
    'update a used claim status',
    {
      verb: 'update',
      resource: 'persistentvolumeclaims',
      subresource: 'status',
      namespace: ns,
      name: 'claim',
    },
    true,
  ],
  [
    'list claims',
    { verb: 'list', resource: 'persistentvolumeclaims', namespace: ns },
    false,
    'can only get individual resources',
  ],
  ['get a volume', { verb: 'get', resource: 'persistentvolumes', name: 'pv' }, false],
  [
    "a token for its pod's account",
    {
      verb: 'create',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace: ns,
      name: 'default',
    },
    true,
  ],
  [
    'a token for another account',
    {
      verb: 'create',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace: ns,
      name: 'admin',
    },
    false,
  ],
  [
    'get a service account',
    { verb: 'get', resource: 'serviceaccounts', namespace: ns, name: 'default' },
    false,
    'can only create tokens',
  ],
  ['get its own node', { verb: 'get', resource: 'nodes', name: 'n1' }, true],
  [
    'get another node',
    { verb: 'get', resource: 'nodes', name: 'n2' },
    false,
    "node 'n1' cannot read 'n2', only its own Node object",
  ],
  ['list all nodes', { verb: 'list', resource: 'nodes' }, false, 'cannot read all nodes'],
  ['watch its own node by name', { verb: 'watch', resource: 'nodes', name: 'n1' }, true],
  ['create a node (NodeRestriction checks the name)', { verb: 'create', resource: 'nodes' }, true],
  [
    'patch node status',
    { verb: 'patch', resource: 'nodes', subresource: 'status', name: 'n1' },
    true,
  ],
  ['delete its node', { verb: 'delete', resource: 'nodes', name: 'n1' }, false],
  ['get its pod', { verb: 'get', resource: 'pods', namespace: ns, name: 'web' }, true],
  [
    'get a pod of another node',
    { verb: 'get', resource: 'pods', namespace: ns, name: 'db' },
    false,
  ],
  ['list pods on itself', { verb: 'list', resource: 'pods', fieldSelector: onNode('n1') }, true],
  [
    'watch pods on another node',
    { verb: 'watch', resource: 'pods', fieldSelector: onNode('n2') },
    false,
    'spec.nodeName field selector',
  ],
  ['list all pods', { verb: 'list', resource: 'pods' }, false, 'spec.nodeName field selector'],
  ['create a mirror pod', { verb: 'create', resource: 'pods', namespace: ns }, true],
  [
    'update pod status',
    { verb: 'update', resource: 'pods', subresource: 'status', namespace: ns, name: 'web' },
    true,
  ],
  ['update a pod', { verb: 'update', resource: 'pods', namespace: ns, name: 'web' }, false],
  [
    'evict a pod',
    { verb: 'create', resource: 'pods', subresource: 'eviction', namespace: ns, name: 'web' },
    true,
  ],
  [
    'exec into a pod',
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace: ns, name: 'web' },
    false,
  ],
  ['get its lease', { ...lease, verb: 'get', name: 'n1' }, true],
  ['create a lease', { ...lease, verb: 'create' }, true],
  [
    'update another lease',
    { ...lease, verb: 'update', name: 'n2' },
    false,
    'same name as the requesting node',
  ],
  [
    'list leases',
    { ...lease, verb: 'list' },
    false,
    'can only get, create, update, patch, or delete',
  ],
  [
    'a lease elsewhere',
    { ...lease, namespace: 'kube-system', verb: 'get', name: 'n1' },
    false,
    'kube-node-lease',
  ],
  ['watch services (node rules)', { verb: 'watch', resource: 'services' }, true],
  ['create events (node rules)', { verb: 'create', resource: 'events', namespace: ns }, true],
  [
    'create a CSR (node rules)',
    { verb: 'create', resource: 'certificatesigningrequests', group: 'certificates.k8s.io' },
    true,
  ],
  ['list deployments', { verb: 'list', resource: 'deployments', group: 'apps' }, false],
];

for (const [name, r, allowed, reason] of cases) {
  test(`node n1: ${name} -> ${allowed ? 'allowed' : 'no opinion'}`, async () => {
    const d = await authorizer.authorize(n1, req(r));
    assert.equal(d.allowed, allowed);
    if (!d.allowed && reason !== undefined) assert.ok(d.reason.includes(reason), d.reason);
  });
}

test('other users get no opinion; a node without a name is unknown', async () => {
  const get = req({ verb: 'get', resource: 'secrets', namespace: ns, name: 's1' });
  assert.deepEqual(await authorizer.authorize({ name: 'jane', groups: [] }, get), {
    allowed: false,
    reason: '',
  });
  // system:node:* without the group is not a node (upstream's NodeIdentifier).
  assert.equal(
    (await authorizer.authorize({ name: 'system:node:n1', groups: [] }, get)).allowed,
    false,
  );
  const d = await authorizer.authorize({ name: 'kubelet', groups: ['system:nodes'] }, get);
  assert.ok(!d.allowed && /unknown node for user "kubelet"/.test(d.reason));
  assert.deepEqual(nodeIdentity(n1), { isNode: true, nodeName: 'n1' });
  assert.equal((await authorizer.rulesFor(n1)).incomplete, true);
});
