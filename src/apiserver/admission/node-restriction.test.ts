import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../api/json.ts';
import { builtinResources } from '../../api/builtin-resources.ts';
import { ResourceRegistry } from '../../api/resource-registry.ts';
import { ApiError } from '../../api/status.ts';
import { builtinStrategies } from '../../api/strategies/index.ts';
import type { ResourceRequestInfo, RequestVerb } from '../request-info.ts';
import { isKubeletLabel } from '../../api/validation/kubelet-labels.ts';
import { NodeRestriction, forbiddenNodeLabels } from './node-restriction.ts';

const registry = new ResourceRegistry(builtinResources(builtinStrategies()));
const n1 = { name: 'system:node:n1', groups: ['system:nodes'] };

function restriction(
  group: string,
  plural: string,
  verb: RequestVerb,
  opts: { namespace?: string; name?: string; subresource?: string } = {},
): NodeRestriction {
  const def = registry.byPath(group, 'v1', plural);
  if (def === undefined) throw new Error(plural);
  const info: ResourceRequestInfo = {
    isResourceRequest: true,
    verb,
    apiPrefix: group === '' ? 'api' : 'apis',
    group,
    version: 'v1',
    namespace: opts.namespace,
    resource: plural,
    subresource: opts.subresource,
    name: opts.name,
  };
  const r = NodeRestriction.for(n1, def, info);
  if (r === undefined) throw new Error('expected a restriction');
  return r;
}

function forbidden(run: () => void, message: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 403);
    assert.match(e.message, message);
    return true;
  });
}

const node = (
  name: string,
  labels: Record<string, string> = {},
  taints: JsonObject[] = [],
): JsonObject => ({
  metadata: { name, labels },
  spec: { taints },
});
const pod = (name: string, nodeName: string, extra: JsonObject = {}): JsonObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'a' }, ...extra },
  spec: { nodeName, containers: [{ name: 'c', image: 'i' }] },
});

describe('NodeRestriction', () => {
  test('does not apply to other users; a node user without a name is refused', () => {
    const def = registry.byPath('', 'v1', 'nodes');
    if (def === undefined) throw new Error('nodes');
    const info = {
      isResourceRequest: true,
      verb: 'create',
      apiPrefix: 'api',
      group: '',
      version: 'v1',
      namespace: undefined,
      resource: 'nodes',
      subresource: undefined,
      name: undefined,
    } as const;
    assert.equal(
      NodeRestriction.for({ name: 'admin', groups: ['system:masters'] }, def, info),
      undefined,
    );
    forbidden(
      () => NodeRestriction.for({ name: 'x', groups: ['system:nodes'] }, def, info),
      /could not determine node from user "x"/,
    );
  });

  test('a node creates and updates only its own Node, without taint changes', () => {
    const create = restriction('', 'nodes', 'create');
    create.checkWrite(
      node('n1', {
        'kubernetes.io/hostname': 'n1',
        'node.kubernetes.io/instance-type': 'x',
        'example.com/a': 'b',
      }),
      undefined,
    );
    forbidden(() => {
      create.checkWrite(node('n2'), undefined);
    }, /node "n1" is not allowed to modify node "n2"/);
    forbidden(() => {
      create.checkWrite(node('n1', { 'node-role.kubernetes.io/control-plane': '' }), undefined);
    }, /not allowed to set the following labels: node-role.kubernetes.io\/control-plane/);
    const update = restriction('', 'nodes', 'update', { name: 'n1' });
    const tainted = node('n1', { 'node-role.kubernetes.io/control-plane': '' }, [
      { key: 'k', effect: 'NoSchedule' },
    ]);
    update.checkWrite(structuredClone(tainted), tainted); // unchanged: fine
    forbidden(() => {
      update.checkWrite(node('n1', { 'node-role.kubernetes.io/control-plane': '' }), tainted);
    }, /not allowed to modify taints/);
    forbidden(() => {
      update.checkWrite(node('n1', {}, [{ key: 'k', effect: 'NoSchedule' }]), tainted);
    }, /not allowed to modify labels: node-role.kubernetes.io\/control-plane/);
    restriction('', 'nodes', 'update', { name: 'n1', subresource: 'status' }).checkWrite(
      structuredClone(tainted),
      tainted,
    );
    forbidden(() => {
      restriction('', 'nodes', 'delete', { name: 'n2' }).checkDelete(node('n2'));
    }, /not allowed to modify node "n2"/);
  });

  test('pods: mirror pods only, status and deletion only for pods bound to the node', () => {
    const mirror = pod('m', 'n1', {
      annotations: { 'kubernetes.io/config.mirror': 'x' },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u1', controller: true },
      ],
    });
    const create = restriction('', 'pods', 'create', { namespace: 'default' });
    create.checkWrite(mirror, undefined);
    create.checkMirrorPodOwner(mirror, 'u1');
    forbidden(() => {
      create.checkMirrorPodOwner(mirror, 'u2');
    }, /UID mismatch: expected u2 got u1/);
    forbidden(() => {
      create.checkWrite(pod('p', 'n1'), undefined);
    }, /can only create mirror pods/);
    const withSecret = structuredClone(mirror);
    (withSecret['spec'] as JsonObject)['volumes'] = [{ name: 'v', secret: { secretName: 's' } }];
    forbidden(() => {
      create.checkWrite(withSecret, undefined);
    }, /can not create pods that reference secrets/);
    const status = restriction('', 'pods', 'update', {
      namespace: 'default',
      name: 'p',
      subresource: 'status',
    });
    status.checkWrite(pod('p', 'n1'), pod('p', 'n1'));
    forbidden(() => {
      status.checkWrite(pod('p', 'n2'), pod('p', 'n2'));
    }, /pods with spec.nodeName set to itself/);
    const relabelled = pod('p', 'n1');
    (relabelled['metadata'] as JsonObject)['labels'] = { app: 'b' };
    forbidden(() => {
      status.checkWrite(relabelled, pod('p', 'n1'));
    }, /cannot update labels through pod status/);
    const del = restriction('', 'pods', 'delete', { namespace: 'default', name: 'p' });
    del.checkDelete(pod('p', 'n1'));
    forbidden(() => {
      del.checkDelete(pod('p', 'n2'));
    }, /can only delete pods with spec.nodeName set to itself/);
    forbidden(() => {
      restriction('', 'pods', 'create', {
        namespace: 'default',
        name: 'p',
        subresource: 'eviction',
      }).checkEviction(pod('p', 'n2'));
    }, /can only evict pods/);
  });

  test('leases: only its own, only in kube-node-lease', () => {
    const lease = (name: string): JsonObject => ({
      metadata: { name, namespace: 'kube-node-lease' },
    });
    restriction('coordination.k8s.io', 'leases', 'create', {
      namespace: 'kube-node-lease',
    }).checkWrite(lease('n1'), undefined);
    forbidden(() => {
      restriction('coordination.k8s.io', 'leases', 'create', {
        namespace: 'kube-node-lease',
      }).checkWrite(lease('n2'), undefined);
    }, /same name as the requesting node/);
    forbidden(() => {
      restriction('coordination.k8s.io', 'leases', 'update', {
        namespace: 'default',
        name: 'n1',
      }).checkWrite(lease('n1'), lease('n1'));
    }, /"kube-node-lease" system namespace/);
  });

  test('token requests must be bound to a pod on the node, with its UID', () => {
    const r = restriction('', 'serviceaccounts', 'create', {
      namespace: 'default',
      name: 'default',
      subresource: 'token',
    });
    const tr = (ref: JsonObject | undefined): JsonObject => ({
      spec: ref === undefined ? {} : { boundObjectRef: ref },
    });
    const boundPod = {
      ...pod('p', 'n1'),
      metadata: { name: 'p', namespace: 'default', uid: 'pu' },
    };
    r.checkTokenRequest(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'pu' }), boundPod);
    forbidden(() => {
      r.checkTokenRequest(tr(undefined), undefined);
    }, /not bound to a pod/);
    forbidden(() => {
      r.checkTokenRequest(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p' }), boundPod);
    }, /without a uid/);
    forbidden(() => {
      r.checkTokenRequest(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'x' }), boundPod);
    }, /does not match the UID in record/);
    const elsewhere = { ...boundPod, spec: { nodeName: 'n2' } };
    forbidden(() => {
      r.checkTokenRequest(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'pu' }), elsewhere);
    }, /scheduled on a different node/);
  });
});

test("kubelet's own labels (kubeletapis.IsKubeletLabel)", () => {
  for (const ok of [
    'kubernetes.io/hostname',
    'kubernetes.io/arch',
    'node.kubernetes.io/instance-type',
    'kubelet.kubernetes.io/x',
    'foo.node.kubernetes.io/y',
  ])
    assert.equal(isKubeletLabel(ok), true, ok);
  for (const no of ['node-role.kubernetes.io/worker', 'kubernetes.io/role', 'example.com/a'])
    assert.equal(isKubeletLabel(no), false, no);
  assert.deepEqual(
    forbiddenNodeLabels(
      {
        'example.com/a': '1',
        'k8s.io/x': '1',
        'node-restriction.kubernetes.io/pool': 'a',
        'kubernetes.io/hostname': 'n',
      },
      { 'kubernetes.io/hostname': 'old' },
    ),
    ['k8s.io/x', 'node-restriction.kubernetes.io/pool'],
  );
});
