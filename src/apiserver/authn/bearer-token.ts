/**
 * `Authorization: Bearer <token>` (upstream's request/bearertoken): the scheme is matched
 * case-insensitively, a missing header, another scheme or an empty token is not this
 * authenticator's business (undefined), and a token that no token authenticator accepts is a 401
 * with upstream's plain "Unauthorized" — even when anonymous requests are allowed, as upstream's
 * fail-on-error union does. Neither the token nor why it failed is logged or echoed.
 */
import { unauthorized } from '../../api/status.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Authenticator } from './authenticator.ts';
import type { TokenAuthenticatorUnion } from './token-authenticator.ts';
import type { UserInfo } from './user-info.ts';

/** upstream's warning for `Bearer  <token>` (two spaces): the header is ignored. */
export const EXTRA_SPACE_WARNING =
  'the provided Authorization header contains extra space before the bearer token, and is ignored';

export type BearerTokenParse =
  | { readonly kind: 'none' }
  | { readonly kind: 'extra-space' }
  | { readonly kind: 'token'; readonly token: string };

/** The bearer token in an Authorization header value, by upstream's exact splitting rules. */
export function parseBearerToken(header: string | undefined): BearerTokenParse {
  const auth = (header ?? '').trim();
  if (auth === '') return { kind: 'none' };
  // Go's strings.SplitN(auth, " ", 3).
  const first = auth.indexOf(' ');
  if (first < 0) return { kind: 'none' };
  const scheme = auth.slice(0, first);
  const rest = auth.slice(first + 1);
  const second = rest.indexOf(' ');
  const token = second < 0 ? rest : rest.slice(0, second);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'none' };
  if (token === '') return second < 0 ? { kind: 'none' } : { kind: 'extra-space' };
  return { kind: 'token', token };
}

export class BearerTokenAuthenticator implements Authenticator {
  readonly #tokens: TokenAuthenticatorUnion;
  readonly #apiAudiences: readonly string[];

  /** `apiAudiences`: what a token must be valid for to call this server (--api-audiences). */
  constructor(tokens: TokenAuthenticatorUnion, apiAudiences: readonly string[]) {
    this.#tokens = tokens;
    this.#apiAudiences = apiAudiences;
  }

  async authenticate(ex: Exchange): Promise<UserInfo | undefined> {
    const parsed = parseBearerToken(ex.header('authorization'));
    switch (parsed.kind) {
      case 'none':
        return undefined;
      case 'extra-space':
        ex.addWarning(EXTRA_SPACE_WARNING);
        return undefined;
      case 'token': {
        const outcome = await this.#tokens.authenticate(parsed.token, this.#apiAudiences);
        if (!outcome.authenticated) throw unauthorized();
        return outcome.user;
      }
    }
  }
}
