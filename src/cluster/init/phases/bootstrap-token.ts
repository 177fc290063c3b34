/**
 * `[bootstrap-token]`: init's bootstrap token (`bootstrap-token-<id>` Secret, replaced if it
 * exists), kubeadm's RBAC for joining nodes (get nodes, post CSRs, auto-approval of node client
 * CSRs and of their renewals), and the `kube-public/cluster-info` ConfigMap with its anonymous
 * read Role. The bootstrap signer controller then signs cluster-info for every signing token.
 */
import { readFileSync } from 'node:fs';
import { CORE, RBAC, createOrUpdate } from '../../admin-client.ts';
import {
  bootstrapTokenRbacSteps,
  clusterInfoConfigMap,
  clusterInfoRbac,
} from '../../bootstrap-objects.ts';
import { storeBootstrapToken } from '../../bootstrap-tokens.ts';
import { certPair } from '../../cluster-paths.ts';
import type { InitContext, InitPhase } from '../init-phase.ts';

export async function runBootstrapTokenPhase(ctx: InitContext): Promise<void> {
  const { config, out } = ctx;
  const client = await ctx.client();
  // kubeadm prints the token here and in the join command; both are the command's answer.
  out(`[bootstrap-token] Using token: ${config.token.value}`);
  out('[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles');
  await storeBootstrapToken(client, { token: config.token, ttlMs: config.tokenTtlMs }, false);
  for (const step of bootstrapTokenRbacSteps()) {
    for (const r of step.clusterRoles) await createOrUpdate(client, RBAC('clusterroles'), r);
    for (const b of step.clusterRoleBindings)
      await createOrUpdate(client, RBAC('clusterrolebindings'), b);
    out(`[bootstrap-token] ${step.line}`);
  }
  out('[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace');
  const caPem = readFileSync(certPair(config.paths, 'ca').cert, 'utf8');
  await createOrUpdate(
    client,
    CORE('configmaps', 'kube-public'),
    clusterInfoConfigMap(`https://${config.controlPlaneEndpoint}`, caPem),
  );
  const [role, binding] = clusterInfoRbac();
  if (role !== undefined) await createOrUpdate(client, RBAC('roles', 'kube-public'), role);
  if (binding !== undefined)
    await createOrUpdate(client, RBAC('rolebindings', 'kube-public'), binding);
}

export const bootstrapTokenPhase: InitPhase = {
  name: 'bootstrap-token',
  description: 'Generate bootstrap tokens used to join a node to a cluster',
  run: runBootstrapTokenPhase,
};
