/**
 * kube-apiserver's `--authorization-mode` list (`Node,RBAC` in kubeadm) mapped onto what k8ts
 * has: `AlwaysAllow` and `RBAC`. Upstream tries the modes in order and allows when any allows,
 * so a list with AlwaysAllow allows everything. The Node authorizer does not exist yet: `Node` is
 * accepted next to RBAC (with a warning), which leaves nodes only what RBAC grants them.
 */
export type AuthorizationMode = 'AlwaysAllow' | 'RBAC';

export class AuthorizationModeError extends Error {
  readonly code = 'AUTHORIZATION_MODE';
}

const UPSTREAM_MODES = ['AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node'];

export function parseAuthorizationMode(value: string): {
  mode: AuthorizationMode;
  warnings: string[];
} {
  const modes = value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (modes.length === 0)
    throw new AuthorizationModeError('at least one authorization mode must be passed');
  const seen = new Set<string>();
  for (const m of modes) {
    if (!UPSTREAM_MODES.includes(m))
      throw new AuthorizationModeError(
        `authorization-mode ${JSON.stringify(m)} is not a valid mode`,
      );
    if (seen.has(m))
      throw new AuthorizationModeError(
        `authorization-mode ${JSON.stringify(m)} has mentioned multiple times`,
      );
    seen.add(m);
  }
  const unsupported = modes.filter((m) => m !== 'AlwaysAllow' && m !== 'RBAC' && m !== 'Node');
  if (unsupported.length > 0)
    throw new AuthorizationModeError(
      `authorization mode ${unsupported.join(',')} is not implemented by k8ts (it has AlwaysAllow and RBAC)`,
    );
  if (seen.has('Node') && !seen.has('RBAC') && !seen.has('AlwaysAllow'))
    throw new AuthorizationModeError(
      'the Node authorizer is not implemented by k8ts yet; add RBAC',
    );
  const warnings = seen.has('Node')
    ? ['the Node authorizer is not implemented yet: nodes get only what RBAC grants them']
    : [];
  return { mode: seen.has('AlwaysAllow') ? 'AlwaysAllow' : 'RBAC', warnings };
}
