/**
 * The token seam (upstream's authenticator.Token): given a bearer token and the audiences the
 * caller wants, an authenticator names the user (with the audiences it is valid for), says
 * nothing (undefined: not its kind of token), or rejects it (InvalidTokenError). The union tries
 * each in order, as upstream's token union without fail-on-error, and both the Authorization
 * header and TokenReview go through it. Messages never contain the token.
 */
import type { UserInfo } from './user-info.ts';

/** What upstream's AuthenticatedGroupAdder adds to every authenticated user. */
export const ALL_AUTHENTICATED_GROUP = 'system:authenticated';

/** upstream's bearertoken invalidToken: no authenticator claimed the token and none objected. */
export const INVALID_BEARER_TOKEN = 'invalid bearer token';

export interface TokenAuthResponse {
  readonly user: UserInfo;
  /** The audiences, among those asked for, the token is valid for (may be empty). */
  readonly audiences: readonly string[];
}

export interface TokenAuthenticator {
  /**
   * `audiences`: what the caller wants the token to be valid for (the API audiences for a
   * request, TokenReview's spec.audiences); empty means "the authenticator's own default".
   */
  authenticateToken(
    token: string,
    audiences: readonly string[],
  ): Promise<TokenAuthResponse | undefined>;
}

/**
 * A token an authenticator recognised and refused. The message is what TokenReview reports in
 * status.error (upstream's error strings); it never contains the token.
 */
export class InvalidTokenError extends Error {
  readonly code = 'K8TS_INVALID_TOKEN';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

export type TokenAuthOutcome =
  | { readonly authenticated: true; readonly user: UserInfo; readonly audiences: readonly string[] }
  | { readonly authenticated: false; readonly error: string };

/** upstream's Audiences.Intersect: the members of `a` that `b` also lists, in `a`'s order. */
export function intersectAudiences(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((aud) => b.includes(aud));
}

/**
 * upstream's WrapAudienceAgnosticToken: a token kind that knows nothing of audiences (bootstrap
 * tokens) is valid only where the caller asks for one of the API audiences, and then for those.
 */
export function audienceAgnostic(
  apiAudiences: readonly string[],
  inner: TokenAuthenticator,
): TokenAuthenticator {
  return {
    async authenticateToken(token, audiences) {
      if (audiences.length === 0) return inner.authenticateToken(token, audiences);
      const auds = intersectAudiences(apiAudiences, audiences);
      if (auds.length === 0) return undefined;
      const res = await inner.authenticateToken(token, audiences);
      return res === undefined ? undefined : { user: res.user, audiences: auds };
    },
  };
}

/** Go's utilerrors.Aggregate text: one message as is, several de-duplicated in brackets. */
function aggregateMessage(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  if (messages.length === 1 || unique.length === 1) return unique[0] ?? '';
  return `[${unique.join(', ')}]`;
}

export class TokenAuthenticatorUnion {
  readonly #chain: readonly TokenAuthenticator[];

  constructor(chain: readonly TokenAuthenticator[]) {
    this.#chain = chain;
  }

  get isEmpty(): boolean {
    return this.#chain.length === 0;
  }

  /**
   * The first authenticator that accepts wins (system:authenticated is added, as upstream's
   * group adder does); otherwise the rejections, aggregated, or "invalid bearer token".
   * Errors other than InvalidTokenError (a store outage) propagate.
   */
  async authenticate(token: string, audiences: readonly string[]): Promise<TokenAuthOutcome> {
    const errors: string[] = [];
    for (const a of this.#chain) {
      let res: TokenAuthResponse | undefined;
      try {
        res = await a.authenticateToken(token, audiences);
      } catch (err: unknown) {
        if (err instanceof InvalidTokenError) {
          errors.push(err.message);
          continue;
        }
        throw err;
      }
      if (res === undefined) continue;
      const groups = res.user.groups;
      const hasMarker = groups.some(
        (g) => g === ALL_AUTHENTICATED_GROUP || g === 'system:unauthenticated',
      );
      return {
        authenticated: true,
        user: hasMarker ? res.user : { ...res.user, groups: [...groups, ALL_AUTHENTICATED_GROUP] },
        audiences: res.audiences,
      };
    }
    return {
      authenticated: false,
      error: errors.length === 0 ? INVALID_BEARER_TOKEN : aggregateMessage(errors),
    };
  }
}
