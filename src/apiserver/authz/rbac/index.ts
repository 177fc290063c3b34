/**
 * Upstream's RBAC authorization mode: the authorizer, its evaluation helpers, and the default
 * bootstrap policy with its reconciler.
 */
export { RbacAuthorizer, authorizeWithIndex, rulesWithIndex } from './rbac-authorizer.ts';
export type { RbacAuthorizerOptions } from './rbac-authorizer.ts';
export { RbacIndex } from './rbac-index.ts';
export type { RbacKind } from './rbac-index.ts';
export { ensureBootstrapPolicy, loadBootstrapPolicy } from './bootstrap-policy.ts';
export type { BootstrapAction, BootstrapPolicy } from './bootstrap-policy.ts';
export { ruleAllows } from './evaluation.ts';
