// The bootstrap policy: what the API server reconciles is exactly the shipped upstream data,
// reconciliation is idempotent, adds what is missing, keeps user changes and skips protected
// objects (upstream's reconciliation tests, union mode).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinResources } from '../../../api/builtin-resources.ts';
import type { JsonObject } from '../../../api/json.ts';
import type { ResourceDefinition } from '../../../api/resource.ts';
import { ResourceRegistry } from '../../../api/resource-registry.ts';
import { builtinStrategies } from '../../../api/strategies/index.ts';
import { MemoryStore } from '../../../storage/memory/memory-store.ts';
import { admitObject } from '../../registry/admit-object.ts';
import { ResourceStore } from '../../registry/resource-store.ts';
import { ensureBootstrapPolicy, loadBootstrapPolicy } from './bootstrap-policy.ts';
import type { BootstrapPolicy } from './bootstrap-policy.ts';

function setup(): { resources: ResourceStore; registry: ResourceRegistry; store: MemoryStore } {
  const store = new MemoryStore();
  const registry = new ResourceRegistry(builtinResources(builtinStrategies()));
  const resources = new ResourceStore({ store, admit: admitObject });
  return { resources, registry, store };
}

function def(registry: ResourceRegistry, plural: string): ResourceDefinition {
  const d = registry.byPath('rbac.authorization.k8s.io', 'v1', plural);
  assert.ok(d);
  return d;
}

/** A stored object without what the server adds (uid, resourceVersion, timestamps). */
function userView(obj: JsonObject): JsonObject {
  const meta = { ...(obj['metadata'] as JsonObject) };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields'])
    Reflect.deleteProperty(meta, k);
  return { ...obj, metadata: meta };
}

const meta = (o: JsonObject): { namespace?: string; name: string } =>
  o['metadata'] as { namespace?: string; name: string };

const PLURALS: Record<keyof BootstrapPolicy, string> = {
  clusterRoles: 'clusterroles',
  clusterRoleBindings: 'clusterrolebindings',
  roles: 'roles',
  roleBindings: 'rolebindings',
};

test('the shipped policy has the roles and bindings k8ts needs', () => {
  const policy = loadBootstrapPolicy();
  const names = (items: readonly JsonObject[]): string[] =>
    items.map((o) => `${meta(o).namespace ?? ''}/${meta(o).name}`);
  for (const want of [
    '/cluster-admin',
    '/admin',
    '/edit',
    '/view',
    '/system:discovery',
    '/system:basic-user',
    '/system:public-info-viewer',
    '/system:node',
    '/system:node-bootstrapper',
    '/system:certificates.k8s.io:certificatesigningrequests:nodeclient',
    '/system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
    '/system:kube-controller-manager',
    '/system:kube-scheduler',
    '/system:monitoring',
    '/system:auth-delegator',
    '/system:controller:deployment-controller',
    '/system:controller:replicaset-controller',
    '/system:controller:daemon-set-controller',
    '/system:controller:statefulset-controller',
    '/system:controller:job-controller',
    '/system:controller:node-controller',
    '/system:controller:pod-garbage-collector',
    '/system:controller:generic-garbage-collector',
    '/system:controller:namespace-controller',
    '/system:controller:service-account-controller',
    '/system:controller:endpoint-controller',
    '/system:controller:endpointslice-controller',
    '/system:controller:certificate-controller',
  ])
    assert.ok(names(policy.clusterRoles).includes(want), want);
  assert.deepEqual(names(policy.roles), [
    'kube-public/system:controller:bootstrap-signer',
    'kube-system/extension-apiserver-authentication-reader',
    'kube-system/system::leader-locking-kube-controller-manager',
    'kube-system/system::leader-locking-kube-scheduler',
    'kube-system/system:controller:bootstrap-signer',
    'kube-system/system:controller:token-cleaner',
  ]);
  const crb = new Map(policy.clusterRoleBindings.map((b) => [meta(b).name, b]));
  assert.deepEqual(crb.get('cluster-admin')?.['subjects'], [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
  ]);
  assert.equal(crb.get('system:node')?.['subjects'], undefined);
  assert.deepEqual(crb.get('system:controller:deployment-controller')?.['subjects'], [
    { kind: 'ServiceAccount', name: 'deployment-controller', namespace: 'kube-system' },
  ]);
  // Every binding refers to a shipped role.
  const roleNames = new Set(names(policy.clusterRoles));
  for (const b of policy.clusterRoleBindings) {
    const ref = b['roleRef'] as { name: string };
    assert.ok(roleNames.has(`/${ref.name}`), ref.name);
  }
});

test('what is reconciled into an empty store is exactly the shipped data', async () => {
  const { resources, registry, store } = setup();
  const policy = loadBootstrapPolicy();
  const actions = await ensureBootstrapPolicy(resources, registry, policy);
  assert.ok(actions.every((a) => a.operation === 'create'));
  for (const key of Object.keys(PLURALS) as (keyof BootstrapPolicy)[]) {
    const d = def(registry, PLURALS[key]);
    for (const expected of policy[key]) {
      const m = meta(expected);
      const stored = await resources.get(d, m.namespace, m.name);
      assert.deepEqual(userView(stored), expected, `${key} ${m.name}`);
    }
    assert.equal(
      (await store.list(`/registry/${PLURALS[key]}.rbac.authorization.k8s.io/`)).items.length,
      policy[key].length,
    );
  }
  // A second run (another replica, a restart) changes nothing.
  const again = await ensureBootstrapPolicy(resources, registry, policy);
  assert.ok(again.every((a) => a.operation === 'none'));
  await store.close();
});

test('reconciliation adds what is missing and keeps user changes', async () => {
  const { resources, registry, store } = setup();
  await ensureBootstrapPolicy(resources, registry);
  const roles = def(registry, 'clusterroles');
  const bindings = def(registry, 'clusterrolebindings');
  const edit = async (
    d: ResourceDefinition,
    name: string,
    change: (o: JsonObject) => void,
  ): Promise<void> => {
    const o = await resources.get(d, undefined, name);
    change(o);
    await resources.update(d, undefined, name, o, 'main');
  };
  // A user narrowed system:discovery, added a rule to view, relabelled edit, changed subjects.
  await edit(roles, 'system:discovery', (o) => {
    o['rules'] = [{ verbs: ['get'], nonResourceURLs: ['/api', '/custom'] }];
  });
  await edit(roles, 'system:monitoring', (o) => {
    (o['metadata'] as JsonObject)['labels'] = { team: 'ops' };
  });
  await edit(bindings, 'system:basic-user', (o) => {
    o['subjects'] = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'extra' }];
  });
  // ...and protected cluster-admin's binding from updates.
  await edit(bindings, 'cluster-admin', (o) => {
    const m = o['metadata'] as JsonObject;
    m['annotations'] = { 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
    o['subjects'] = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'root' }];
  });
  const actions = await ensureBootstrapPolicy(resources, registry);
  const op = (kind: string, name: string): string | undefined =>
    actions.find((a) => a.kind === kind && a.name === name)?.operation;
  assert.equal(op('ClusterRole', 'system:discovery'), 'update');
  assert.equal(op('ClusterRoleBinding', 'system:basic-user'), 'update');
  assert.equal(op('ClusterRole', 'system:monitoring'), 'update');
  assert.equal(op('ClusterRole', 'cluster-admin'), 'none');
  assert.equal(op('ClusterRoleBinding', 'cluster-admin'), 'protected');

  const discovery = await resources.get(roles, undefined, 'system:discovery');
  const rules = discovery['rules'] as JsonObject[];
  // The user's rule stays first; the missing URLs come back one rule per URL and verb.
  assert.deepEqual(rules[0], { verbs: ['get'], nonResourceURLs: ['/api', '/custom'] });
  assert.deepEqual(rules.slice(1), [
    { nonResourceURLs: ['/api/*'], verbs: ['get'] },
    { nonResourceURLs: ['/apis'], verbs: ['get'] },
    { nonResourceURLs: ['/apis/*'], verbs: ['get'] },
    { nonResourceURLs: ['/healthz'], verbs: ['get'] },
    { nonResourceURLs: ['/livez'], verbs: ['get'] },
    { nonResourceURLs: ['/openapi'], verbs: ['get'] },
    { nonResourceURLs: ['/openapi/*'], verbs: ['get'] },
    { nonResourceURLs: ['/readyz'], verbs: ['get'] },
    { nonResourceURLs: ['/version'], verbs: ['get'] },
    { nonResourceURLs: ['/version/'], verbs: ['get'] },
  ]);
  const monitoring = await resources.get(roles, undefined, 'system:monitoring');
  assert.deepEqual((monitoring['metadata'] as JsonObject)['labels'], {
    'kubernetes.io/bootstrapping': 'rbac-defaults',
    team: 'ops',
  });
  const basic = await resources.get(bindings, undefined, 'system:basic-user');
  assert.deepEqual(basic['subjects'], [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'extra' },
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' },
  ]);
  const admin = await resources.get(bindings, undefined, 'cluster-admin');
  assert.deepEqual(admin['subjects'], [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'root' },
  ]);
  // Once reconciled, nothing is left to do.
  const again = await ensureBootstrapPolicy(resources, registry);
  assert.ok(again.every((a) => a.operation === 'none' || a.operation === 'protected'));
  await store.close();
});

test('a bootstrap binding with another roleRef is recreated, as upstream', async () => {
  const { resources, registry, store } = setup();
  const bindings = def(registry, 'clusterrolebindings');
  await resources.create(bindings, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:monitoring' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'x' }],
  });
  const actions = await ensureBootstrapPolicy(resources, registry);
  assert.equal(
    actions.find((a) => a.kind === 'ClusterRoleBinding' && a.name === 'system:monitoring')
      ?.operation,
    'recreate',
  );
  const b = await resources.get(bindings, undefined, 'system:monitoring');
  assert.deepEqual(b['roleRef'], {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'system:monitoring',
  });
  await store.close();
});
