/**
 * Authenticates service-account JWTs (upstream's pkg/serviceaccount jwtTokenAuthenticator with
 * the bound-token validator). A token whose unverified `iss` is not one of ours, or that is not a
 * compact JWS, is not ours (undefined). Otherwise it must be signed by a verification key (picked
 * by `kid`), be meant for one of the requested audiences, be inside exp/nbf/iat with 60 s of
 * leeway, and still name a live ServiceAccount (and bound Pod/Secret/Node) with the same uid —
 * or it is rejected with upstream's message. Deleting the ServiceAccount revokes its tokens.
 */
import { compactVerify, errors as joseErrors } from 'jose';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { goQuote } from '../../api/validation/go-format.ts';
import type { ServiceAccountVerificationKey } from '../../pki/service-account-key.ts';
import {
  JWT_LEEWAY_SECONDS,
  KUBERNETES_CLAIM,
  serviceAccountUserInfo,
} from './service-account-claims.ts';
import type { ServiceAccountInfo } from './service-account-claims.ts';
import { InvalidTokenError, intersectAudiences } from './token-authenticator.ts';
import type { TokenAuthResponse, TokenAuthenticator } from './token-authenticator.ts';

/** The kinds a service-account token refers to. */
export type TokenObjectKind = 'ServiceAccount' | 'Pod' | 'Secret' | 'Node';

/**
 * Reads the objects a token names (upstream's ServiceAccountTokenGetter). Undefined means not
 * found; any other failure throws and fails the request rather than the token.
 */
export interface TokenObjectGetter {
  get(
    kind: TokenObjectKind,
    namespace: string | undefined,
    name: string,
  ): Promise<JsonObject | undefined>;
}

export interface ServiceAccountTokenAuthenticatorOptions {
  /** Accepted `iss` values (--service-account-issuer, every one of them). */
  readonly issuers: readonly string[];
  /** Public keys tokens may be signed with (--service-account-key-file). */
  readonly keys: readonly ServiceAccountVerificationKey[];
  /** The API audiences: a token without `aud`, or a caller that names none, gets these. */
  readonly apiAudiences: readonly string[];
  readonly objects: TokenObjectGetter;
  /** Default: the system clock. */
  readonly now?: () => Date;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const CRYPTO_FAILURE = 'go-jose/go-jose: error in cryptographic primitive';
const UNSUPPORTED_ALGORITHM = 'go-jose/go-jose: unknown/unsupported algorithm';
const INVALIDATED = 'service account token has been invalidated';
const UNPARSEABLE_CLAIMS = 'service account token claims could not be parsed';

/** base64.RawURLEncoding.DecodeString then json.Unmarshal into an object, or undefined. */
function decodeSegment(segment: string): JsonObject | undefined {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The verified payload as a JSON object (it was one unverified, so this rarely fails). */
function parseClaims(payload: Uint8Array): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
  }
  if (!isJsonObject(value)) throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
  return value;
}

/** Go's `%q` of a []string: `["a" "b"]`. */
function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** A NumericDate claim in seconds: absent, a number, or (anything else) invalid. */
function numericDate(value: JsonValue | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
  }
  return Math.trunc(value);
}

/** jwt.Audience: a string or a list of strings. */
function audienceClaim(value: JsonValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
}

interface Ref {
  readonly name: string;
  readonly uid: string;
}

function refClaim(k8s: JsonObject, key: string): Ref | undefined {
  const value = k8s[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
  return { name: stringField(value, 'name') ?? '', uid: stringField(value, 'uid') ?? '' };
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  readonly #issuers: ReadonlySet<string>;
  readonly #keys: readonly ServiceAccountVerificationKey[];
  readonly #apiAudiences: readonly string[];
  readonly #objects: TokenObjectGetter;
  readonly #now: () => Date;

  constructor(options: ServiceAccountTokenAuthenticatorOptions) {
    this.#issuers = new Set(options.issuers);
    this.#keys = options.keys;
    this.#apiAudiences = options.apiAudiences;
    this.#objects = options.objects;
    this.#now = options.now ?? ((): Date => new Date());
  }

  async authenticateToken(
    token: string,
    audiences: readonly string[],
  ): Promise<TokenAuthResponse | undefined> {
    // hasCorrectIssuer: peek at the unverified payload; other issuers' tokens are not ours.
    if (token.trim().startsWith('{')) return undefined;
    const parts = token.split('.');
    const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
    if (parts.length !== 3) return undefined;
    const unverified = decodeSegment(payloadPart);
    const unverifiedIssuer = unverified?.['iss'] ?? '';
    if (typeof unverifiedIssuer !== 'string' || !this.#issuers.has(unverifiedIssuer)) {
      return undefined;
    }
    // jwt.ParseSigned: a malformed JWS is not an error, just not a token.
    const header = decodeSegment(headerPart);
    if (header === undefined || typeof header['alg'] !== 'string') return undefined;
    if (!BASE64URL.test(signaturePart) || signaturePart.length % 4 === 1) return undefined;

    const kid = stringField(header, 'kid') ?? '';
    const keys = kid === '' ? this.#keys : this.#keys.filter((k) => k.keyId === kid);
    if (keys.length === 0) throw new InvalidTokenError('invalid signature, no keys found');
    let payload: JsonObject | undefined;
    const failures: string[] = [];
    for (const key of keys) {
      try {
        const verified = await compactVerify(token, key.publicKey, {
          algorithms: [key.jwsAlgorithm],
        });
        payload = parseClaims(verified.payload);
        break;
      } catch (err: unknown) {
        if (err instanceof InvalidTokenError) throw err;
        failures.push(
          err instanceof joseErrors.JOSEAlgNotAllowed ? UNSUPPORTED_ALGORITHM : CRYPTO_FAILURE,
        );
      }
    }
    if (payload === undefined) {
      const unique = [...new Set(failures)];
      throw new InvalidTokenError(
        unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`,
      );
    }

    // Sanity check: the issuer was only peeked at before the signature was verified.
    const issuer = payload['iss'];
    if (typeof issuer !== 'string') throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
    if (!this.#issuers.has(issuer)) {
      throw new InvalidTokenError(`token issuer ${goQuote(issuer)} is invalid`);
    }
    let tokenAudiences = audienceClaim(payload['aud']);
    // Tokens without audiences (legacy) are good for the API audiences only.
    if (tokenAudiences.length === 0) tokenAudiences = [...this.#apiAudiences];
    const requested = audiences.length === 0 ? this.#apiAudiences : audiences;
    const auds = intersectAudiences(tokenAudiences, requested);
    if (auds.length === 0 && this.#apiAudiences.length !== 0) {
      throw new InvalidTokenError(
        `token audiences ${goQuoteList(tokenAudiences)} is invalid for the target audiences ${goQuoteList(requested)}`,
      );
    }
    const info = await this.#validate(payload);
    return { user: serviceAccountUserInfo(info), audiences: auds };
  }

  /** upstream's validator.Validate: times first, then every object the token names. */
  async #validate(payload: JsonObject): Promise<ServiceAccountInfo> {
    const nowMs = this.#now().getTime();
    const leewayMs = JWT_LEEWAY_SECONDS * 1000;
    const nbf = numericDate(payload['nbf']);
    const exp = numericDate(payload['exp']);
    const iat = numericDate(payload['iat']);
    if (nbf !== undefined && nowMs + leewayMs < nbf * 1000) {
      throw new InvalidTokenError('service account token is not valid yet');
    }
    if (exp !== undefined && nowMs - leewayMs > exp * 1000) {
      throw new InvalidTokenError('service account token has expired');
    }
    if (iat !== undefined && nowMs + leewayMs < iat * 1000) {
      throw new InvalidTokenError('service account token is issued in the future');
    }
    const jti = payload['jti'];
    if (jti !== undefined && typeof jti !== 'string')
      throw new InvalidTokenError(UNPARSEABLE_CLAIMS);

    const rawK8s = payload[KUBERNETES_CLAIM];
    if (rawK8s !== undefined && rawK8s !== null && !isJsonObject(rawK8s)) {
      throw new InvalidTokenError(UNPARSEABLE_CLAIMS);
    }
    const k8s = isJsonObject(rawK8s) ? rawK8s : {};
    const namespace = stringField(k8s, 'namespace') ?? '';
    const saRef = refClaim(k8s, 'serviceaccount') ?? { name: '', uid: '' };
    const podRef = refClaim(k8s, 'pod');
    const secretRef = refClaim(k8s, 'secret');
    const nodeRef = refClaim(k8s, 'node');
    // Objects deleted (with a deletionTimestamp) longer ago than the leeway no longer count.
    const isGone = (obj: JsonObject): boolean => {
      const ts = stringField(objectField(obj, 'metadata'), 'deletionTimestamp');
      return ts !== undefined && Date.parse(ts) < nowMs - leewayMs;
    };
    const uidOf = (obj: JsonObject): string =>
      stringField(objectField(obj, 'metadata'), 'uid') ?? '';

    const sa = await this.#objects.get('ServiceAccount', namespace, saRef.name);
    if (sa === undefined) throw new InvalidTokenError(`serviceaccounts "${saRef.name}" not found`);
    if (uidOf(sa) !== saRef.uid) {
      throw new InvalidTokenError(
        `service account UID (${uidOf(sa)}) does not match claim (${saRef.uid})`,
      );
    }
    if (isGone(sa)) {
      throw new InvalidTokenError(`service account ${namespace}/${saRef.name} has been deleted`);
    }
    if (secretRef !== undefined) {
      const secret = await this.#objects.get('Secret', namespace, secretRef.name);
      if (secret === undefined) throw new InvalidTokenError(INVALIDATED);
      if (uidOf(secret) !== secretRef.uid) {
        throw new InvalidTokenError(
          `secret UID (${uidOf(secret)}) does not match service account secret ref claim (${secretRef.uid})`,
        );
      }
      if (isGone(secret)) throw new InvalidTokenError(INVALIDATED);
    }
    let pod: Ref | undefined;
    if (podRef !== undefined) {
      const obj = await this.#objects.get('Pod', namespace, podRef.name);
      if (obj === undefined) throw new InvalidTokenError(INVALIDATED);
      if (uidOf(obj) !== podRef.uid) {
        throw new InvalidTokenError(
          `pod UID (${uidOf(obj)}) does not match service account pod ref claim (${podRef.uid})`,
        );
      }
      if (isGone(obj)) throw new InvalidTokenError(INVALIDATED);
      pod = podRef;
    }
    let node: Ref | undefined;
    if (nodeRef !== undefined) {
      if (pod !== undefined) {
        // For pod-bound tokens the node is information only.
        node = nodeRef;
      } else {
        const obj = await this.#objects.get('Node', undefined, nodeRef.name);
        if (obj === undefined) throw new InvalidTokenError(INVALIDATED);
        if (uidOf(obj) !== nodeRef.uid) {
          throw new InvalidTokenError(
            `node UID (${uidOf(obj)}) does not match service account node ref claim (${nodeRef.uid})`,
          );
        }
        if (isGone(obj)) throw new InvalidTokenError(INVALIDATED);
        node = nodeRef;
      }
    }
    return {
      namespace,
      name: saRef.name,
      uid: saRef.uid,
      ...(pod === undefined ? {} : { podName: pod.name, podUid: pod.uid }),
      ...(node === undefined ? {} : { nodeName: node.name, nodeUid: node.uid }),
      ...(typeof jti === 'string' && jti !== '' ? { credentialId: `JTI=${jti}` } : {}),
    };
  }
}
