/**
 * Service-account JWTs as upstream's pkg/serviceaccount issues them: the claims of Claims()
 * (iss, sub, aud, iat, nbf, exp, jti and the private `kubernetes.io` claim naming the namespace,
 * ServiceAccount and the bound Pod/Secret/Node), serialized with sorted keys and signed with the
 * protected header {"alg", "kid"} only, as go-jose writes them; and the user a valid token names
 * (apiserver's ServiceAccountInfo.UserInfo). Pure functions except the signature.
 */
import { CompactSign } from 'jose';
import type { JsonObject } from '../../api/json.ts';
import type { ServiceAccountSigningKey } from '../../pki/service-account-key.ts';
import type { UserInfo } from './user-info.ts';

/** kube-apiserver's documented issuer for in-cluster tokens (--service-account-issuer). */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_GROUP_PREFIX = 'system:serviceaccounts:';
/** Keys of the user's `extra`, as upstream's serviceaccount and user packages name them. */
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';
export const POD_NAME_KEY = 'authentication.kubernetes.io/pod-name';
export const POD_UID_KEY = 'authentication.kubernetes.io/pod-uid';
export const NODE_NAME_KEY = 'authentication.kubernetes.io/node-name';
export const NODE_UID_KEY = 'authentication.kubernetes.io/node-uid';
/** The private claim's name. */
export const KUBERNETES_CLAIM = 'kubernetes.io';
/** go-jose's jwt.DefaultLeeway, applied to exp, nbf and iat and to deletion timestamps. */
export const JWT_LEEWAY_SECONDS = 60;
/** Kubelet's projected-token lifetime that upstream extends (WarnOnlyBoundTokenExpirationSeconds). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** How far such a token is extended: one year (ExpirationExtensionSeconds). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;

/** A reference inside the `kubernetes.io` claim; an empty uid is left out, as `omitempty`. */
export interface ClaimRef {
  readonly name: string;
  readonly uid: string;
}

export interface ServiceAccountClaimsInput {
  readonly issuer: string;
  readonly namespace: string;
  readonly serviceAccount: ClaimRef;
  /** At most one of pod and secret; a node alone binds to the node, with a pod it is info. */
  readonly pod?: ClaimRef;
  readonly secret?: ClaimRef;
  readonly node?: ClaimRef;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  /** Set for extended kubelet tokens: when using the token starts to be reported as stale. */
  readonly warnAfterSeconds?: number;
  /** A fresh UUID (the credential ID is `JTI=<jti>`). */
  readonly jti: string;
  readonly now: Date;
}

/** apiserverserviceaccount.MakeUsername. */
export function serviceAccountUserName(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

function ref(r: ClaimRef): JsonObject {
  // Go's `omitempty` on both fields.
  return { ...(r.name === '' ? {} : { name: r.name }), ...(r.uid === '' ? {} : { uid: r.uid }) };
}

/**
 * The payload upstream's Claims() + GenerateToken() produce. go-jose marshals the merged claims
 * through a map, so every key (including the nested ones) is in sorted order, as here.
 */
export function serviceAccountClaims(input: ServiceAccountClaimsInput): JsonObject {
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  if (input.secret !== undefined && (input.pod !== undefined || input.node !== undefined)) {
    throw new Error('internal error, token can only be bound to one object type');
  }
  const k8s: JsonObject = {
    ...(input.namespace === '' ? {} : { namespace: input.namespace }),
    ...(input.node === undefined ? {} : { node: ref(input.node) }),
    ...(input.pod === undefined ? {} : { pod: ref(input.pod) }),
    ...(input.secret === undefined ? {} : { secret: ref(input.secret) }),
    serviceaccount: ref(input.serviceAccount),
    ...(input.warnAfterSeconds === undefined || input.warnAfterSeconds === 0
      ? {}
      : { warnafter: nowSeconds + input.warnAfterSeconds }),
  };
  return {
    ...(input.audiences.length === 0 ? {} : { aud: [...input.audiences] }),
    exp: nowSeconds + input.expirationSeconds,
    iat: nowSeconds,
    iss: input.issuer,
    ...(input.jti === '' ? {} : { jti: input.jti }),
    [KUBERNETES_CLAIM]: k8s,
    nbf: nowSeconds,
    sub: serviceAccountUserName(input.namespace, input.serviceAccount.name),
  };
}

/** Compact JWS over `claims`, header exactly {"alg":…,"kid":…} as go-jose writes it. */
export async function signServiceAccountToken(
  key: ServiceAccountSigningKey,
  claims: JsonObject,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.jwsAlgorithm, kid: key.keyId })
    .sign(key.privateKey);
}

/** What a verified token says about its subject (apiserver's ServiceAccountInfo). */
export interface ServiceAccountInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly podName?: string;
  readonly podUid?: string;
  readonly nodeName?: string;
  readonly nodeUid?: string;
  /** `JTI=<jti>`, or undefined for tokens without a jti. */
  readonly credentialId?: string;
}

/** ServiceAccountInfo.UserInfo(): the name, the SA's uid, the two groups and the extras. */
export function serviceAccountUserInfo(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, readonly string[]> = {};
  if (
    sa.podName !== undefined &&
    sa.podName !== '' &&
    sa.podUid !== undefined &&
    sa.podUid !== ''
  ) {
    extra[POD_NAME_KEY] = [sa.podName];
    extra[POD_UID_KEY] = [sa.podUid];
  }
  if (sa.credentialId !== undefined && sa.credentialId !== '')
    extra[CREDENTIAL_ID_KEY] = [sa.credentialId];
  if (sa.nodeName !== undefined && sa.nodeName !== '') {
    extra[NODE_NAME_KEY] = [sa.nodeName];
    // The node's UID is optional (the node may not have existed when the token was issued).
    if (sa.nodeUid !== undefined && sa.nodeUid !== '') extra[NODE_UID_KEY] = [sa.nodeUid];
  }
  return {
    name: serviceAccountUserName(sa.namespace, sa.name),
    ...(sa.uid === '' ? {} : { uid: sa.uid }),
    groups: [ALL_SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNT_GROUP_PREFIX}${sa.namespace}`],
    ...(Object.keys(extra).length === 0 ? {} : { extra }),
  };
}
