/**
 * The default RBAC policy (data/rbac/, upstream's bootstrap policy for the parts k8ts runs) and
 * its reconciliation at API server start, as upstream's rbac/bootstrap-roles post-start hook:
 * missing objects are created, existing ones gain what they miss (reconcile-policy.ts), nothing
 * is removed, and objects annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` are
 * left alone. Idempotent and safe to run on every replica at once (writes are conditional on
 * resourceVersion and retried).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isJsonObject } from '../../../api/json.ts';
import type { JsonObject } from '../../../api/json.ts';
import type { ResourceDefinition } from '../../../api/resource.ts';
import type { ResourceRegistry } from '../../../api/resource-registry.ts';
import { ApiError } from '../../../api/status.ts';
import type { ResourceStore } from '../../registry/resource-store.ts';
import { RBAC_GROUP } from './policy-rule.ts';
import { reconcileBinding, reconcileRole } from './reconcile-policy.ts';
import type { ReconcileResult } from './reconcile-policy.ts';

export const DEFAULT_POLICY_DIR = new URL('../../../../data/rbac/', import.meta.url);

export interface BootstrapPolicy {
  readonly clusterRoles: readonly JsonObject[];
  readonly clusterRoleBindings: readonly JsonObject[];
  readonly roles: readonly JsonObject[];
  readonly roleBindings: readonly JsonObject[];
}

/** What reconciliation did to one object. */
export interface BootstrapAction {
  readonly kind: 'ClusterRole' | 'ClusterRoleBinding' | 'Role' | 'RoleBinding';
  readonly namespace: string;
  readonly name: string;
  readonly operation: 'create' | 'update' | 'recreate' | 'none' | 'protected';
}

/** The `items` of one of upstream's `v1/List` testdata files, without `creationTimestamp: null`. */
export function readPolicyFile(dir: URL, file: string): JsonObject[] {
  const doc: unknown = parse(readFileSync(new URL(file, dir), 'utf8'));
  const items = isJsonObject(doc) ? doc['items'] : undefined;
  if (!Array.isArray(items)) throw new Error(`${file}: not a v1 List`);
  return items.filter(isJsonObject).map((item) => {
    const meta = isJsonObject(item['metadata']) ? { ...item['metadata'] } : {};
    if (meta['creationTimestamp'] === null) delete meta['creationTimestamp'];
    return { ...item, metadata: meta };
  });
}

export function loadBootstrapPolicy(dir: URL = DEFAULT_POLICY_DIR): BootstrapPolicy {
  return {
    clusterRoles: [
      ...readPolicyFile(dir, 'cluster-roles.yaml'),
      ...readPolicyFile(dir, 'controller-roles.yaml'),
    ],
    clusterRoleBindings: [
      ...readPolicyFile(dir, 'cluster-role-bindings.yaml'),
      ...readPolicyFile(dir, 'controller-role-bindings.yaml'),
    ],
    roles: readPolicyFile(dir, 'namespace-roles.yaml'),
    roleBindings: readPolicyFile(dir, 'namespace-role-bindings.yaml'),
  };
}

/** Attempts per object before a conflict is reported (other replicas reconcile too). */
const MAX_ATTEMPTS = 8;

/**
 * Creates or reconciles every object of `policy` (default: data/rbac/). Roles go before
 * bindings, cluster-scoped before namespaced (whose namespaces are created when missing).
 */
export async function ensureBootstrapPolicy(
  resources: ResourceStore,
  registry: ResourceRegistry,
  policy: BootstrapPolicy = loadBootstrapPolicy(),
): Promise<BootstrapAction[]> {
  const def = (plural: string): ResourceDefinition => {
    const d = registry.byPath(RBAC_GROUP, 'v1', plural);
    if (d === undefined) throw new Error(`the registry does not serve ${plural}.${RBAC_GROUP}`);
    return d;
  };
  const actions: BootstrapAction[] = [];
  const run = async (
    kind: BootstrapAction['kind'],
    d: ResourceDefinition,
    items: readonly JsonObject[],
    reconcile: (existing: JsonObject, expected: JsonObject) => ReconcileResult,
  ): Promise<void> => {
    for (const expected of items)
      actions.push(await ensureOne(resources, kind, d, expected, reconcile));
  };
  await run('ClusterRole', def('clusterroles'), policy.clusterRoles, reconcileRole);
  await run(
    'ClusterRoleBinding',
    def('clusterrolebindings'),
    policy.clusterRoleBindings,
    reconcileBinding,
  );
  const namespaces = new Set(
    [...policy.roles, ...policy.roleBindings].map((o) => nameOf(o).namespace),
  );
  for (const ns of namespaces) await ensureNamespace(resources, registry, ns);
  await run('Role', def('roles'), policy.roles, reconcileRole);
  await run('RoleBinding', def('rolebindings'), policy.roleBindings, reconcileBinding);
  return actions;
}

function nameOf(obj: JsonObject): { namespace: string; name: string } {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  return {
    namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : '',
    name: typeof meta['name'] === 'string' ? meta['name'] : '',
  };
}

const isReason = (err: unknown, reason: string): boolean =>
  err instanceof ApiError && err.reason === reason;

async function ensureNamespace(
  resources: ResourceStore,
  registry: ResourceRegistry,
  name: string,
): Promise<void> {
  const def = registry.byPath('', 'v1', 'namespaces');
  if (def === undefined || name === '') return;
  try {
    await resources.create(def, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err: unknown) {
    if (!isReason(err, 'AlreadyExists')) throw err;
  }
}

async function ensureOne(
  resources: ResourceStore,
  kind: BootstrapAction['kind'],
  def: ResourceDefinition,
  expected: JsonObject,
  reconcile: (existing: JsonObject, expected: JsonObject) => ReconcileResult,
): Promise<BootstrapAction> {
  const { namespace, name } = nameOf(expected);
  const ns = def.namespaced ? namespace : undefined;
  const action = (operation: BootstrapAction['operation']): BootstrapAction => ({
    kind,
    namespace,
    name,
    operation,
  });
  let recreated = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let existing: JsonObject | undefined;
    try {
      existing = await resources.get(def, ns, name);
    } catch (err: unknown) {
      if (!isReason(err, 'NotFound')) throw err;
    }
    if (existing === undefined) {
      try {
        await resources.create(def, structuredClone(expected));
        return action(recreated ? 'recreate' : 'create');
      } catch (err: unknown) {
        if (isReason(err, 'AlreadyExists')) continue;
        throw err;
      }
    }
    const result = reconcile(existing, expected);
    if (result.operation === 'none') return action('none');
    if (result.protected) return action('protected');
    try {
      if (result.operation === 'recreate') {
        const meta = isJsonObject(existing['metadata']) ? existing['metadata'] : {};
        const rv = meta['resourceVersion'];
        await resources.delete(def, ns, name, {
          ...(typeof rv === 'string' ? { preconditions: { resourceVersion: rv } } : {}),
        });
        recreated = true;
        continue;
      }
      // `object` carries the existing resourceVersion: the write fails if another replica won.
      await resources.update(def, ns, name, result.object, 'main');
      return action('update');
    } catch (err: unknown) {
      if (isReason(err, 'Conflict') || isReason(err, 'NotFound')) continue;
      throw err;
    }
  }
  throw new Error(`bootstrap policy: too many conflicts on ${kind} ${namespace}/${name}`);
}
