/**
 * kube-apiserver's `--authorization-mode` list (`Node,RBAC` in kubeadm) mapped onto what k8ts
 * has: `AlwaysAllow`, `Node` and `RBAC`, tried in the given order (the first that allows
 * decides, as upstream's union authorizer). Upstream's other modes (ABAC, Webhook, AlwaysDeny)
 * are refused with a message that says so.
 */
export type AuthorizationMode = 'AlwaysAllow' | 'Node' | 'RBAC';

export class AuthorizationModeError extends Error {
  readonly code = 'AUTHORIZATION_MODE';
}

const UPSTREAM_MODES = ['AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node'];
const K8TS_MODES: readonly string[] = ['AlwaysAllow', 'Node', 'RBAC'];

export function parseAuthorizationMode(value: string): { modes: AuthorizationMode[] } {
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
  const unsupported = modes.filter((m) => !K8TS_MODES.includes(m));
  if (unsupported.length > 0)
    throw new AuthorizationModeError(
      `authorization mode ${unsupported.join(',')} is not implemented by k8ts (it has AlwaysAllow, Node and RBAC)`,
    );
  return { modes: modes as AuthorizationMode[] };
}
