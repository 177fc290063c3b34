/**
 * The authentication seam: each authenticator looks at a request and either names the user,
 * says nothing (undefined: the next one tries), or rejects it (a 401 ApiError). The chain tries
 * them in order; a request nobody recognises is anonymous when that is allowed, 401 otherwise.
 */
import { unauthorized } from '../../api/status.ts';
import type { Exchange } from '../http/exchange.ts';
import { ANONYMOUS } from './user-info.ts';
import type { UserInfo } from './user-info.ts';

export interface Authenticator {
  authenticate(ex: Exchange): Promise<UserInfo | undefined>;
}

export class AuthenticatorChain implements Authenticator {
  readonly #chain: readonly Authenticator[];
  readonly #allowAnonymous: boolean;

  /** `allowAnonymous` default: true (upstream's --anonymous-auth default). */
  constructor(chain: readonly Authenticator[], allowAnonymous = true) {
    this.#chain = chain;
    this.#allowAnonymous = allowAnonymous;
  }

  async authenticate(ex: Exchange): Promise<UserInfo> {
    for (const a of this.#chain) {
      const user = await a.authenticate(ex);
      if (user !== undefined) return user;
    }
    if (this.#allowAnonymous) return ANONYMOUS;
    throw unauthorized();
  }
}
