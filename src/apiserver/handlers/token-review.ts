/**
 * TokenReview (authentication.k8s.io/v1), as upstream's tokenreview REST: runs spec.token
 * through the same token authenticators as an Authorization header, for spec.audiences (default:
 * the API audiences), and answers who it is — or, unauthenticated, why not in status.error
 * (upstream's messages, never the token). The review echoes its spec, as upstream's does.
 */
import { objectField, stringField } from '../../api/json.ts';
import type { JsonObject } from '../../api/json.ts';
import { badRequest, internalError } from '../../api/status.ts';
import type { TokenServices } from '../authn/token-authentication.ts';
import { intersectAudiences } from '../authn/token-authenticator.ts';

/** The `spec` and `status` of the answer to a TokenReview `body`. */
export async function tokenReview(
  tokens: TokenServices | undefined,
  body: JsonObject,
): Promise<JsonObject> {
  const spec = objectField(body, 'spec') ?? {};
  const token = stringField(spec, 'token') ?? '';
  if (token === '') throw badRequest('token is required for TokenReview in authentication');
  if (tokens === undefined) return { spec, status: { user: {} } };
  const requested = Array.isArray(spec['audiences'])
    ? spec['audiences'].filter((a): a is string => typeof a === 'string')
    : [];
  const audiences = requested.length > 0 ? requested : tokens.apiAudiences;
  const outcome = await tokens.tokens.authenticate(token, audiences);
  if (!outcome.authenticated) return { spec, status: { user: {}, error: outcome.error } };
  if (audiences.length > 0 && intersectAudiences(audiences, outcome.audiences).length === 0) {
    throw internalError('error validating audiences');
  }
  const { user } = outcome;
  const extra = user.extra ?? {};
  const status: JsonObject = {
    authenticated: true,
    user: {
      username: user.name,
      ...(user.uid === undefined || user.uid === '' ? {} : { uid: user.uid }),
      ...(user.groups.length === 0 ? {} : { groups: [...user.groups] }),
      ...(Object.keys(extra).length === 0
        ? {}
        : { extra: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [...v]])) }),
    },
    ...(outcome.audiences.length === 0 ? {} : { audiences: [...outcome.audiences] }),
  };
  return { spec, status };
}
