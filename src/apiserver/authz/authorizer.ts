/**
 * The authorization seam: given who asks for what, allow or deny with a reason (403). RBAC
 * plugs in here (bootstrap issue); until then `AlwaysAllow` serves single-admin setups and
 * tests.
 */
import type { UserInfo } from '../authn/user-info.ts';
import type { RequestInfo } from '../request-info.ts';

export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface Authorizer {
  authorize(user: UserInfo, request: RequestInfo): Promise<Decision>;
}

export class AlwaysAllow implements Authorizer {
  authorize(): Promise<Decision> {
    return Promise.resolve({ allowed: true });
  }
}
