/**
 * POST serviceaccounts/<name>/token (authentication.k8s.io/v1 TokenRequest), as upstream's
 * TokenREST: defaults (audiences: the API audiences, expirationSeconds: 3600), validation
 * (10 minutes to 2^32 s, 422), an optional bound Pod, Secret or Node that must exist with the
 * given uid, the --service-account-max-token-expiration cap (with a warning), the kubelet-token
 * extension, then a signed JWT in status.token (201). Without a signing key the subresource does
 * not exist (404), as in a kube-apiserver that has no token issuer. Nothing is stored or logged.
 */
import { nodeRestrictionFor } from '../admission/request-admission.ts';
import { randomUUID } from 'node:crypto';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import type { JsonObject, JsonValue } from '../../api/json.ts';
import {
  ApiError,
  badRequest,
  conflict,
  invalid,
  notFound,
  pathNotFound,
} from '../../api/status.ts';
import { invalid as invalidField } from '../../api/validation/field-error.ts';
import {
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  serviceAccountClaims,
  signServiceAccountToken,
} from '../authn/service-account-claims.ts';
import type { ClaimRef } from '../authn/service-account-claims.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import { timestamp } from '../registry/object-meta.ts';
import type { ResourceContext } from './context.ts';

const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' } as const;
const API_VERSION = 'authentication.k8s.io/v1';
/** upstream's validation.MinTokenAgeSec. */
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 60 * 60;

function metaOf(obj: JsonObject): JsonObject {
  return objectField(obj, 'metadata') ?? {};
}

function uidOf(obj: JsonObject): string {
  return stringField(metaOf(obj), 'uid') ?? '';
}

/** spec.audiences: null or a list of strings. */
function audiencesOf(spec: JsonObject): string[] {
  const value = spec['audiences'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((a): a is string => typeof a === 'string')) {
    throw badRequest('spec.audiences: must be a list of strings');
  }
  return value;
}

/** spec.expirationSeconds: null (default) or an integer. */
function expirationOf(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return DEFAULT_EXPIRATION_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw badRequest('spec.expirationSeconds: must be an integer number of seconds');
  }
  return value;
}

export async function handleServiceAccountToken(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const issuer = services.tokens?.issuer;
  if (issuer === undefined) throw pathNotFound();
  const name = info.name ?? '';
  const namespace = info.namespace;
  if (namespace === undefined) throw badRequest('namespace is required');
  const req = decodeObjectBody(await ex.readBody(), ex.header('content-type'), {
    apiVersion: API_VERSION,
    kind: TOKEN_REQUEST.kind,
  });
  const kind = req['kind'];
  const apiVersion = req['apiVersion'];
  if (
    (kind !== undefined && kind !== TOKEN_REQUEST.kind) ||
    (apiVersion ?? API_VERSION) !== API_VERSION
  ) {
    throw badRequest(`the object provided is unrecognized (must be of type ${TOKEN_REQUEST.kind})`);
  }
  const reqMeta = metaOf(req);
  const reqName = stringField(reqMeta, 'name') ?? '';
  if (reqName !== '' && reqName !== name) {
    throw invalid(TOKEN_REQUEST, name, [
      invalidField('metadata.name', reqName, 'must match the service account name if specified'),
    ]);
  }
  const reqNamespace = stringField(reqMeta, 'namespace') ?? '';
  if (reqNamespace !== '' && reqNamespace !== namespace) {
    throw invalid(TOKEN_REQUEST, name, [
      invalidField(
        'metadata.namespace',
        reqNamespace,
        'must match the service account namespace if specified',
      ),
    ]);
  }

  await admitNodeTokenRequest(ctx, namespace, req);
  const sa = await services.resources.get(def, namespace, name);
  const saUid = uidOf(sa);
  const reqUid = stringField(reqMeta, 'uid') ?? '';
  if (reqUid !== '' && reqUid !== saUid) {
    throw conflict(
      { group: TOKEN_REQUEST.group, resource: TOKEN_REQUEST.kind },
      name,
      `the UID in the token request (${reqUid}) does not match the UID of the service account (${saUid})`,
    );
  }

  const spec = objectField(req, 'spec') ?? {};
  let audiences = audiencesOf(spec);
  if (audiences.length === 0) audiences = [...issuer.apiAudiences];
  let expirationSeconds = expirationOf(spec['expirationSeconds']);
  const now = services.now();
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    throw invalid(TOKEN_REQUEST, '', [
      invalidField(
        'spec.expirationSeconds',
        expirationSeconds,
        'may not specify a duration less than 10 minutes',
      ),
    ]);
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    throw invalid(TOKEN_REQUEST, '', [
      invalidField(
        'spec.expirationSeconds',
        expirationSeconds,
        'may not specify a duration larger than 2^32 seconds',
      ),
    ]);
  }

  const bound = await resolveBoundObject(ctx, namespace, name, spec['boundObjectRef']);

  if (issuer.maxExpirationSeconds > 0 && expirationSeconds > issuer.maxExpirationSeconds) {
    ex.addWarning(
      `requested expiration of ${expirationSeconds} seconds shortened to ${issuer.maxExpirationSeconds} seconds`,
    );
    expirationSeconds = issuer.maxExpirationSeconds;
  }
  // Kubelet asks for 3607 s pod-bound tokens; upstream issues them for a year and only reports
  // (audits) their use after the requested lifetime, for clients that do not refresh tokens.
  let tokenSeconds = expirationSeconds;
  let warnAfterSeconds: number | undefined;
  if (
    issuer.extendExpiration &&
    bound.pod !== undefined &&
    expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS &&
    audiences.every((a) => issuer.apiAudiences.includes(a))
  ) {
    warnAfterSeconds = expirationSeconds;
    tokenSeconds = issuer.maxExtendedExpirationSeconds;
  }

  const claims = serviceAccountClaims({
    issuer: issuer.issuer,
    namespace,
    serviceAccount: { name, uid: saUid },
    ...bound,
    audiences,
    expirationSeconds: tokenSeconds,
    ...(warnAfterSeconds === undefined ? {} : { warnAfterSeconds }),
    jti: randomUUID(),
    now,
  });
  const token = await signServiceAccountToken(issuer.signingKey, claims);
  const boundRef = spec['boundObjectRef'];
  ex.sendJson(201, {
    kind: TOKEN_REQUEST.kind,
    apiVersion: API_VERSION,
    metadata: {
      name,
      namespace,
      ...(saUid === '' ? {} : { uid: saUid }),
      creationTimestamp: timestamp(now),
    },
    spec: {
      audiences,
      expirationSeconds,
      ...(isJsonObject(boundRef) ? { boundObjectRef: boundRef } : {}),
    },
    status: {
      token,
      expirationTimestamp: timestamp(new Date(now.getTime() + expirationSeconds * 1000)),
    },
  });
}

interface BoundObjects {
  pod?: ClaimRef;
  secret?: ClaimRef;
  node?: ClaimRef;
}

/** NodeRestriction: a node may ask only for tokens bound to a pod running on it. */
async function admitNodeTokenRequest(
  ctx: ResourceContext,
  namespace: string,
  req: JsonObject,
): Promise<void> {
  const restriction = nodeRestrictionFor(ctx);
  if (restriction === undefined) return;
  const ref = objectField(objectField(req, 'spec') ?? {}, 'boundObjectRef');
  const podName = ref?.['kind'] === 'Pod' ? (stringField(ref, 'name') ?? '') : '';
  const podDef = ctx.services.registry.byKind('v1', 'Pod');
  let pod: JsonObject | undefined;
  if (podName !== '' && podDef !== undefined)
    pod = await ctx.services.resources.get(podDef, namespace, podName);
  restriction.checkTokenRequest(req, pod);
}

/** spec.boundObjectRef: the Pod, Secret or Node the token lives and dies with. */
async function resolveBoundObject(
  ctx: ResourceContext,
  namespace: string,
  saName: string,
  value: JsonValue | undefined,
): Promise<BoundObjects> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw badRequest('spec.boundObjectRef: must be an object');
  const { registry, resources } = ctx.services;
  const kind = stringField(value, 'kind') ?? '';
  const apiVersion = stringField(value, 'apiVersion') ?? '';
  const refName = stringField(value, 'name') ?? '';
  const refUid = stringField(value, 'uid') ?? '';
  // schema.FromAPIVersionAndKind: "v1" (or nothing) is the core group.
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const lookup = async (k: 'Pod' | 'Secret' | 'Node', ns: string | undefined, n: string) => {
    const def = registry.byKind('v1', k);
    if (def === undefined) throw notFound({ group: '', resource: k.toLowerCase() + 's' }, n);
    return resources.get(def, ns, n);
  };
  let bound: BoundObjects;
  let uid: string;
  if (group === '' && kind === 'Pod') {
    const pod = await lookup('Pod', namespace, refName);
    const podSa = stringField(objectField(pod, 'spec'), 'serviceAccountName') ?? '';
    if (podSa !== saName) {
      throw badRequest(
        `cannot bind token for serviceaccount ${JSON.stringify(saName)} to pod running with different serviceaccount name.`,
      );
    }
    uid = uidOf(pod);
    bound = { pod: { name: refName, uid } };
    const nodeName = stringField(objectField(pod, 'spec'), 'nodeName') ?? '';
    if (nodeName !== '') {
      // A missing Node still leaves its name in the token (upstream's ServiceAccountTokenPodNodeInfo).
      const node = await lookup('Node', undefined, nodeName).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      });
      bound.node = { name: nodeName, uid: node === undefined ? '' : uidOf(node) };
    }
  } else if (group === '' && kind === 'Node') {
    const node = await lookup('Node', undefined, refName);
    uid = uidOf(node);
    bound = { node: { name: refName, uid } };
  } else if (group === '' && kind === 'Secret') {
    const secret = await lookup('Secret', namespace, refName);
    uid = uidOf(secret);
    bound = { secret: { name: refName, uid } };
  } else {
    throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
  }
  if (refUid !== '' && refUid !== uid) {
    throw conflict(
      { group, resource: kind },
      refName,
      `the UID in the bound object reference (${refUid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return bound;
}
