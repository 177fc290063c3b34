/**
 * The API client init's later phases and `k8ts token` use: `admin.conf` (kubernetes-admin in
 * kubeadm:cluster-admins). As kubeadm 1.29+, the group's ClusterRoleBinding to cluster-admin is
 * made on first use with `super-admin.conf` (system:masters) if admin.conf is not allowed yet;
 * a freshly made binding is waited for (the API server's RBAC cache follows a watch, so the first
 * request after the create may still be refused) until admin.conf is allowed everything.
 * Plus create-or-update for the objects init owns (idempotent re-runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { RestClient, isAlreadyExists } from '../client/index.ts';
import type { KubeObject, ObjectRef, ResourceRef } from '../client/index.ts';
import { kubeconfigPath } from './cluster-paths.ts';
import type { ClusterPaths } from './cluster-paths.ts';

export const CLUSTER_ADMINS_BINDING = 'kubeadm:cluster-admins';

export const RBAC = (plural: string, namespace?: string): ResourceRef => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural,
  ...(namespace === undefined ? {} : { namespace }),
});

export const CORE = (plural: string, namespace?: string): ResourceRef => ({
  group: '',
  version: 'v1',
  plural,
  ...(namespace === undefined ? {} : { namespace }),
});

/** Creates `body`, or replaces the existing object's content keeping its resourceVersion. */
export async function createOrUpdate(
  client: RestClient,
  ref: ResourceRef,
  body: KubeObject & { metadata: { name: string } },
): Promise<'created' | 'updated'> {
  try {
    await client.create(ref, body);
    return 'created';
  } catch (err: unknown) {
    if (!isAlreadyExists(err)) throw err;
  }
  const objectRef: ObjectRef = { ...ref, name: body.metadata.name };
  const current = await client.get(objectRef);
  await client.update(objectRef, {
    ...body,
    metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' },
  });
  return 'updated';
}

export function clusterAdminsBinding(): KubeObject & { metadata: { name: string } } {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: CLUSTER_ADMINS_BINDING },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kubeadm:cluster-admins' },
    ],
  } as KubeObject & { metadata: { name: string } };
}

/** A client for admin.conf, with the kubeadm:cluster-admins binding in place. */
export async function adminClient(paths: ClusterPaths): Promise<RestClient> {
  const adminConf = kubeconfigPath(paths, 'admin.conf');
  const client = RestClient.fromKubeconfig(readFileSync(adminConf, 'utf8'), {
    timeoutMs: 15_000,
  });
  const superConf = kubeconfigPath(paths, 'super-admin.conf');
  if (existsSync(superConf)) {
    const superClient = RestClient.fromKubeconfig(readFileSync(superConf, 'utf8'), {
      timeoutMs: 15_000,
    });
    let created = false;
    try {
      await superClient.create(RBAC('clusterrolebindings'), clusterAdminsBinding());
      created = true;
    } catch (err: unknown) {
      if (!isAlreadyExists(err)) throw err;
    } finally {
      superClient.close();
    }
    if (created) await waitUntilAllowed(client);
  }
  return client;
}

/** admin.conf stayed refused after its binding was made (RBAC off, or a stuck API server). */
export class AdminNotAllowedError extends Error {
  readonly code = 'ADMIN_NOT_ALLOWED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AdminNotAllowedError';
  }
}

export interface WaitUntilAllowedOptions {
  /** How long a new binding may take to reach the API server's RBAC cache. Default: 30,000 ms. */
  readonly timeoutMs?: number;
  /** Pause between two reviews. Default: 50 ms. */
  readonly pollMs?: number;
}

/**
 * Polls a SelfSubjectAccessReview for `*` on everything until the API server allows it: then
 * every later request of init sees the binding (each API server's RBAC cache follows a watch).
 * Still refused at the deadline: AdminNotAllowedError. API errors propagate as they are.
 */
export async function waitUntilAllowed(
  client: RestClient,
  options: WaitUntilAllowedOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  const review: KubeObject = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb: '*', group: '*', resource: '*' } },
  } as KubeObject;
  for (;;) {
    const answer = await client.create<KubeObject & { status?: { allowed?: boolean } }>(
      { group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectaccessreviews' },
      review,
    );
    if (answer.status?.allowed === true) return;
    if (Date.now() >= deadline)
      throw new AdminNotAllowedError(
        `admin.conf is still not allowed ${String(timeoutMs / 1000)} s after ` +
          `the ClusterRoleBinding ${CLUSTER_ADMINS_BINDING} was created: check the API server's ` +
          'RBAC (--authorization-mode) and its log',
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
