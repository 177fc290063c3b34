/**
 * The objects a pod uses, as upstream's podutil.VisitPodSecretNames / VisitPodConfigmapNames and
 * the Node authorizer's graph populator read them: Secrets (image pull secrets, env and envFrom,
 * secret and projected volumes, the secretRefs of CSI, FlexVolume, CephFS, RBD, iSCSI, ScaleIO,
 * StorageOS and Azure File volumes), ConfigMaps (env, envFrom, configMap and projected volumes),
 * the service account and PersistentVolumeClaims. Pure; reads untrusted JSON without throwing.
 */
import { isJsonObject } from '../../../api/json.ts';
import type { JsonObject, JsonValue } from '../../../api/json.ts';

export interface PodReferences {
  readonly secrets: readonly string[];
  readonly configMaps: readonly string[];
  readonly serviceAccount: string | undefined;
  readonly pvcs: readonly string[];
}

function obj(v: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(v) ? v : undefined;
}

function list(v: JsonValue | undefined): JsonObject[] {
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

function str(o: JsonObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Volume sources whose `secretRef` (or `nodePublishSecretRef`) names a Secret. */
const SECRET_REF_VOLUMES: readonly [string, string][] = [
  ['csi', 'nodePublishSecretRef'],
  ['flexVolume', 'secretRef'],
  ['cephfs', 'secretRef'],
  ['rbd', 'secretRef'],
  ['iscsi', 'secretRef'],
  ['scaleIO', 'secretRef'],
  ['storageos', 'secretRef'],
  ['cinder', 'secretRef'],
];

export function podReferences(pod: JsonObject): PodReferences {
  const spec = obj(pod['spec']);
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const pvcs = new Set<string>();
  const add = (set: Set<string>, name: string | undefined): void => {
    if (name !== undefined) set.add(name);
  };
  for (const ref of list(spec?.['imagePullSecrets'])) add(secrets, str(ref, 'name'));
  const containers = [
    ...list(spec?.['initContainers']),
    ...list(spec?.['containers']),
    ...list(spec?.['ephemeralContainers']),
  ];
  for (const c of containers) {
    for (const env of list(c['env'])) {
      const from = obj(env['valueFrom']);
      add(secrets, str(obj(from?.['secretKeyRef']), 'name'));
      add(configMaps, str(obj(from?.['configMapKeyRef']), 'name'));
    }
    for (const src of list(c['envFrom'])) {
      add(secrets, str(obj(src['secretRef']), 'name'));
      add(configMaps, str(obj(src['configMapRef']), 'name'));
    }
  }
  for (const v of list(spec?.['volumes'])) {
    add(secrets, str(obj(v['secret']), 'secretName'));
    add(configMaps, str(obj(v['configMap']), 'name'));
    add(pvcs, str(obj(v['persistentVolumeClaim']), 'claimName'));
    add(secrets, str(obj(v['azureFile']), 'secretName'));
    for (const [source, field] of SECRET_REF_VOLUMES)
      add(secrets, str(obj(obj(v[source])?.[field]), 'name'));
    for (const p of list(obj(v['projected'])?.['sources'])) {
      add(secrets, str(obj(p['secret']), 'name'));
      add(configMaps, str(obj(p['configMap']), 'name'));
    }
    // A generic ephemeral volume's claim is named <pod>-<volume>.
    if (obj(v['ephemeral']) !== undefined) {
      const podName = str(obj(pod['metadata']), 'name');
      const volName = str(v, 'name');
      if (podName !== undefined && volName !== undefined) pvcs.add(`${podName}-${volName}`);
    }
  }
  return {
    secrets: [...secrets],
    configMaps: [...configMaps],
    serviceAccount: str(spec, 'serviceAccountName') ?? str(spec, 'serviceAccount'),
    pvcs: [...pvcs],
  };
}
