/**
 * apps/v1 defaulting (pkg/apis/apps/v1/defaults.go and the generated walk, v1.33): replicas,
 * update strategies, history limits and the pod template's defaults; StatefulSet claim
 * templates get the PersistentVolumeClaim defaults and the apiVersion/kind the v1 conversion
 * writes. Idempotent.
 */
import type { JsonObject } from '../json.ts';
import { defaultEmpty, defaultUnset, ensureObj, obj, objs, str } from './json-fields.ts';
import { defaultPodTemplate } from './pod-defaults.ts';

function rollingUpdateOf(strategy: JsonObject): JsonObject {
  return ensureObj(strategy, 'rollingUpdate');
}

export function defaultDeployment(d: JsonObject): void {
  const spec = ensureObj(d, 'spec');
  defaultUnset(spec, 'replicas', 1);
  const strategy = ensureObj(spec, 'strategy');
  defaultEmpty(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const ru = rollingUpdateOf(strategy);
    defaultUnset(ru, 'maxUnavailable', '25%');
    defaultUnset(ru, 'maxSurge', '25%');
  }
  defaultUnset(spec, 'revisionHistoryLimit', 10);
  defaultUnset(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(ensureObj(spec, 'template'));
}

export function defaultReplicaSet(rs: JsonObject): void {
  const spec = ensureObj(rs, 'spec');
  defaultUnset(spec, 'replicas', 1);
  defaultPodTemplate(ensureObj(spec, 'template'));
}

export function defaultDaemonSet(ds: JsonObject): void {
  const spec = ensureObj(ds, 'spec');
  const strategy = ensureObj(spec, 'updateStrategy');
  defaultEmpty(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const ru = rollingUpdateOf(strategy);
    defaultUnset(ru, 'maxUnavailable', 1);
    defaultUnset(ru, 'maxSurge', 0);
  }
  defaultUnset(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(ensureObj(spec, 'template'));
}

/** SetObjectDefaults for a claim template: PVC and PVC-spec defaults, v1 type meta. */
function defaultClaimTemplate(pvc: JsonObject): void {
  pvc['apiVersion'] = 'v1';
  pvc['kind'] = 'PersistentVolumeClaim';
  defaultUnset(ensureObj(pvc, 'spec'), 'volumeMode', 'Filesystem');
  defaultEmpty(ensureObj(pvc, 'status'), 'phase', 'Pending');
}

export function defaultStatefulSet(sts: JsonObject): void {
  const spec = ensureObj(sts, 'spec');
  defaultEmpty(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObj(spec, 'updateStrategy');
  if (str(strategy, 'type') === '') {
    strategy['type'] = 'RollingUpdate';
    defaultUnset(strategy, 'rollingUpdate', {});
  }
  const ru = obj(strategy, 'rollingUpdate');
  if (strategy['type'] === 'RollingUpdate' && ru !== undefined) defaultUnset(ru, 'partition', 0);
  const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  defaultEmpty(retention, 'whenDeleted', 'Retain');
  defaultEmpty(retention, 'whenScaled', 'Retain');
  defaultUnset(spec, 'replicas', 1);
  defaultUnset(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(ensureObj(spec, 'template'));
  for (const pvc of objs(spec, 'volumeClaimTemplates')) defaultClaimTemplate(pvc);
}
