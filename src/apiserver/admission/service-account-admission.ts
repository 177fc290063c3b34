/**
 * Upstream's ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount, v1.33), on
 * pod creates: a pod without `spec.serviceAccountName` (or its deprecated alias
 * `spec.serviceAccount`) gets `default`; the account must exist (the cache first, then live
 * reads: ten, 100-200 ms apart, for `default`, which its controller may be about to create) or
 * the create is refused with 403; unless `automountServiceAccountToken: false` on the pod (which
 * wins) or the account, the projected `kube-api-access-<5 chars>` volume (bound token, the
 * `kube-root-ca.crt` CA, the namespace) is mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every init and regular container that does
 * not already mount that path (not in ephemeral containers, as upstream: they arrive by their
 * own subresource, after create); the account's imagePullSecrets are copied to a pod that has
 * none; an account annotated `kubernetes.io/enforce-mountable-secrets: "true"` limits the
 * secrets the pod may reference. Mirror pods are never changed, and may not reference a service
 * account, secrets or token projections. Updates are not admitted here: pod spec immutability
 * (validation) keeps serviceAccountName and volumes as created.
 */
import { isJsonObject } from '../../api/json.ts';
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { forbidden } from '../../api/status.ts';
import type { ApiError } from '../../api/status.ts';
import { podReferences } from '../authz/node-authorizer/pod-references.ts';
import { generateName } from '../registry/object-meta.ts';

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'default';
/** upstream's ServiceAccountVolumeName, the prefix of the generated volume name. */
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/**
 * upstream's WarnOnlyBoundTokenExpirationSeconds: 1 h + 7 s, a value the token issuer recognises
 * (with --service-account-extend-token-expiration) as an auto-mounted token.
 */
export const AUTOMOUNT_TOKEN_EXPIRATION_SECONDS = 3607;
export const ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = 'kubernetes.io/enforce-mountable-secrets';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const PODS = { group: '', resource: 'pods' };
/** Attempts of the live read when the cache misses `default` (upstream: 10), else 1. */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

export interface ServiceAccountAdmissionOptions {
  /** The informer cache (upstream's lister): the account, or undefined if not cached. */
  readonly cached: (namespace: string, name: string) => JsonObject | undefined;
  /** A live read of the store: the account, or undefined if it does not exist. */
  readonly live: (namespace: string, name: string) => Promise<JsonObject | undefined>;
  /** The volume name for a pod. Default: `kube-api-access-` + 5 random characters. */
  readonly volumeName?: () => string;
  /** Pause between live reads of `default`. Default: 100-199 ms, random (as upstream). */
  readonly retryDelayMs?: () => number;
}

const obj = (v: JsonValue | undefined): JsonObject | undefined => (isJsonObject(v) ? v : undefined);
const objs = (v: JsonValue | undefined): JsonObject[] =>
  Array.isArray(v) ? v.filter(isJsonObject) : [];
const str = (o: JsonObject | undefined, k: string): string => {
  const v = o?.[k];
  return typeof v === 'string' ? v : '';
};

/** upstream's TokenVolumeSource(): what `kube-api-access-*` projects. */
export function tokenVolumeSource(): JsonObject {
  return {
    // Set explicitly, as upstream (kubernetes#104464): the default would be added anyway.
    defaultMode: 0o644,
    sources: [
      {
        serviceAccountToken: {
          path: 'token',
          expirationSeconds: AUTOMOUNT_TOKEN_EXPIRATION_SECONDS,
        },
      },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [
            { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
          ],
        },
      },
    ],
  };
}

export class ServiceAccountAdmission {
  readonly #o: ServiceAccountAdmissionOptions;

  constructor(options: ServiceAccountAdmissionOptions) {
    this.#o = options;
  }

  /** Admits a pod create in `namespace`: mutates `pod` in place or throws a 403 ApiError. */
  async admitCreate(namespace: string, pod: JsonObject): Promise<void> {
    const meta = obj(pod['metadata']) ?? {};
    const spec = obj(pod['spec']);
    if (spec === undefined) return; // validation refuses it
    const refuse = (why: string): ApiError =>
      forbidden(PODS, str(meta, 'name') || str(meta, 'generateName') || 'Unknown', why);
    if (obj(meta['annotations'])?.[MIRROR_POD_ANNOTATION] !== undefined) {
      checkMirrorPod(pod, refuse);
      return;
    }
    // v1's deprecated alias counts when the new field is empty (conversion, before admission).
    const name =
      str(spec, 'serviceAccountName') ||
      str(spec, 'serviceAccount') ||
      DEFAULT_SERVICE_ACCOUNT_NAME;
    spec['serviceAccountName'] = name;
    spec['serviceAccount'] = name;
    let account: JsonObject | undefined;
    try {
      account = await this.#lookup(namespace, name);
    } catch (err: unknown) {
      // As upstream, a failed lookup (the store unreachable) is a refusal that says why.
      const why = err instanceof Error ? err.message : String(err);
      throw refuse(`error looking up service account ${namespace}/${name}: ${why}`);
    }
    if (account === undefined)
      throw refuse(
        `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`,
      );
    if (shouldAutomount(account, spec)) this.#mountToken(spec);
    const pull = objs(account['imagePullSecrets']);
    if (objs(spec['imagePullSecrets']).length === 0 && pull.length > 0)
      spec['imagePullSecrets'] = pull.map((r) => ({ name: str(r, 'name') }));
    if (
      obj(obj(account['metadata'])?.['annotations'])?.[ENFORCE_MOUNTABLE_SECRETS_ANNOTATION] ===
      'true'
    ) {
      const why = secretReferenceViolation(account, name, spec);
      if (why !== undefined) throw refuse(why);
    }
  }

  /** upstream's getServiceAccount: the lister, then live reads. */
  async #lookup(namespace: string, name: string): Promise<JsonObject | undefined> {
    const cached = this.#o.cached(namespace, name);
    if (cached !== undefined) return cached;
    const attempts = name === DEFAULT_SERVICE_ACCOUNT_NAME ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
    const delay = this.#o.retryDelayMs?.() ?? 100 + Math.floor(Math.random() * 100);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, delay));
      const live = await this.#o.live(namespace, name);
      if (live !== undefined) return live;
    }
    return undefined;
  }

  /** upstream's mountServiceAccountToken. */
  #mountToken(spec: JsonObject): void {
    const volumes = objs(spec['volumes']);
    // A volume already named kube-api-access-* is the one to mount (upstream's rule).
    const existing = volumes.find((v) => str(v, 'name').startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
    const volumeName =
      existing !== undefined
        ? str(existing, 'name')
        : (this.#o.volumeName?.() ?? generateName(SERVICE_ACCOUNT_VOLUME_PREFIX));
    let needsVolume = false;
    for (const list of ['initContainers', 'containers'] as const) {
      for (const c of objs(spec[list])) {
        const mounts = objs(c['volumeMounts']);
        if (mounts.some((m) => str(m, 'mountPath') === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
        c['volumeMounts'] = [
          ...mounts,
          { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH },
        ];
        needsVolume = true;
      }
    }
    if (existing === undefined && needsVolume)
      spec['volumes'] = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
  }
}

/** upstream's shouldAutomount: the pod's preference wins, then the account's, else true. */
function shouldAutomount(account: JsonObject, spec: JsonObject): boolean {
  const pod = spec['automountServiceAccountToken'];
  if (typeof pod === 'boolean') return pod;
  const sa = account['automountServiceAccountToken'];
  if (typeof sa === 'boolean') return sa;
  return true;
}

/** upstream's Validate for mirror pods: no service account, secrets or token projections. */
function checkMirrorPod(pod: JsonObject, refuse: (why: string) => ApiError): void {
  const spec = obj(pod['spec']) ?? {};
  if (str(spec, 'serviceAccountName') !== '' || str(spec, 'serviceAccount') !== '')
    throw refuse('a mirror pod may not reference service accounts');
  if (podReferences(pod).secrets.length > 0) throw refuse('a mirror pod may not reference secrets');
  for (const v of objs(spec['volumes']))
    for (const source of objs(obj(v['projected'])?.['sources'])) {
      if (source['serviceAccountToken'] !== undefined)
        throw refuse('a mirror pod may not use ServiceAccountToken volume projections');
      if (source['clusterTrustBundle'] !== undefined)
        throw refuse('a mirror pod may not use ClusterTrustBundle volume projections');
    }
}

/**
 * upstream's limitSecretReferences, for accounts that enforce mountable secrets: secret volumes,
 * env secretKeyRefs and envFrom secretRefs of init and regular containers must name one of the
 * account's `secrets`, and imagePullSecrets one of its `imagePullSecrets`. The reason, or
 * undefined when the pod complies.
 */
export function secretReferenceViolation(
  account: JsonObject,
  accountName: string,
  spec: JsonObject,
): string | undefined {
  const mountable = new Set(objs(account['secrets']).map((s) => str(s, 'name')));
  const notReferenced = `is not allowed because service account ${accountName} does not reference that secret`;
  for (const v of objs(spec['volumes'])) {
    const secret = obj(v['secret']);
    if (secret === undefined) continue;
    const name = str(secret, 'secretName');
    if (!mountable.has(name)) return `volume with secret.secretName="${name}" ${notReferenced}`;
  }
  for (const [list, what] of [
    ['initContainers', 'init container'],
    ['containers', 'container'],
  ] as const) {
    for (const c of objs(spec[list])) {
      for (const env of objs(c['env'])) {
        const ref = str(obj(obj(env['valueFrom'])?.['secretKeyRef']), 'name');
        if (ref !== '' && !mountable.has(ref))
          return `${what} ${str(c, 'name')} with envVar ${str(env, 'name')} referencing secret.secretName="${ref}" ${notReferenced}`;
      }
      for (const from of objs(c['envFrom'])) {
        const ref = str(obj(from['secretRef']), 'name');
        if (ref !== '' && !mountable.has(ref))
          return `${what} ${str(c, 'name')} with envFrom referencing secret.secretName="${ref}" ${notReferenced}`;
      }
    }
  }
  const pullable = new Set(objs(account['imagePullSecrets']).map((s) => str(s, 'name')));
  const pulls = objs(spec['imagePullSecrets']);
  for (const [i, ref] of pulls.entries()) {
    const name = str(ref, 'name');
    if (!pullable.has(name))
      return `imagePullSecrets[${String(i)}].name="${name}" is not allowed because service account ${accountName} does not reference that imagePullSecret`;
  }
  return undefined;
}
