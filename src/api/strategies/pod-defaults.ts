/**
 * Upstream's pod defaulting (pkg/apis/core/v1/defaults.go and the generated walk in
 * zz_generated.defaults.go, v1.33) over JSON: `defaultPodSpec` is what every pod template gets
 * (Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs), `defaultPod` adds SetDefaults_Pod
 * (requests from limits, enableServiceLinks, host-network ports), which only Pods get. Also the
 * v1 conversion's `serviceAccount` alias. Idempotent. Not done: milli-rounding of quantities,
 * the in-tree volume plugins' defaults (iSCSI, RBD, AzureDisk, ScaleIO) and feature-gated fields.
 */
import type { JsonObject } from '../json.ts';
import { defaultPullPolicy } from './image-reference.ts';
import {
  defaultEmpty,
  defaultUnset,
  defaultZero,
  ensureObj,
  isUnset,
  num,
  obj,
  objs,
  str,
} from './json-fields.ts';

/** 0644, the mode of secret, configMap, downwardAPI and projected volume files. */
const DEFAULT_FILE_MODE = 420;
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function defaultFieldRef(holder: JsonObject | undefined): void {
  const ref = obj(holder, 'fieldRef');
  if (ref !== undefined) defaultEmpty(ref, 'apiVersion', 'v1');
}

function defaultHttpGet(holder: JsonObject | undefined): void {
  const http = obj(holder, 'httpGet');
  if (http === undefined) return;
  defaultEmpty(http, 'path', '/');
  defaultEmpty(http, 'scheme', 'HTTP');
}

function defaultProbe(probe: JsonObject | undefined): void {
  if (probe === undefined) return;
  defaultZero(probe, 'timeoutSeconds', 1);
  defaultZero(probe, 'periodSeconds', 10);
  defaultZero(probe, 'successThreshold', 1);
  defaultZero(probe, 'failureThreshold', 3);
  defaultHttpGet(probe);
  const grpc = obj(probe, 'grpc');
  if (grpc !== undefined) defaultUnset(grpc, 'service', '');
}

/** SetDefaults_Container and the generated defaults of its ports, env, probes and hooks. */
export function defaultContainer(c: JsonObject): void {
  defaultEmpty(c, 'imagePullPolicy', defaultPullPolicy(str(c, 'image')));
  defaultEmpty(c, 'terminationMessagePath', '/dev/termination-log');
  defaultEmpty(c, 'terminationMessagePolicy', 'File');
  for (const port of objs(c, 'ports')) defaultEmpty(port, 'protocol', 'TCP');
  for (const env of objs(c, 'env')) defaultFieldRef(obj(env, 'valueFrom'));
  // ResourceRequirements is a struct, so Go always serializes it (as `{}` when empty).
  ensureObj(c, 'resources');
  defaultProbe(obj(c, 'livenessProbe'));
  defaultProbe(obj(c, 'readinessProbe'));
  defaultProbe(obj(c, 'startupProbe'));
  const lifecycle = obj(c, 'lifecycle');
  defaultHttpGet(obj(lifecycle, 'postStart'));
  defaultHttpGet(obj(lifecycle, 'preStop'));
}

/** SetDefaults_Volume and the per-source defaults. */
export function defaultVolume(v: JsonObject): void {
  const hasSource = Object.entries(v).some(([k, x]) => k !== 'name' && !isUnset(x));
  if (!hasSource) v['emptyDir'] = {};
  const hostPath = obj(v, 'hostPath');
  if (hostPath !== undefined) defaultUnset(hostPath, 'type', '');
  for (const key of ['secret', 'configMap'] as const) {
    const src = obj(v, key);
    if (src !== undefined) defaultUnset(src, 'defaultMode', DEFAULT_FILE_MODE);
  }
  const downward = obj(v, 'downwardAPI');
  if (downward !== undefined) {
    defaultUnset(downward, 'defaultMode', DEFAULT_FILE_MODE);
    for (const item of objs(downward, 'items')) defaultFieldRef(item);
  }
  const projected = obj(v, 'projected');
  if (projected !== undefined) {
    defaultUnset(projected, 'defaultMode', DEFAULT_FILE_MODE);
    for (const source of objs(projected, 'sources')) {
      for (const item of objs(obj(source, 'downwardAPI'), 'items')) defaultFieldRef(item);
      const token = obj(source, 'serviceAccountToken');
      if (token !== undefined) {
        defaultUnset(token, 'expirationSeconds', DEFAULT_TOKEN_EXPIRATION_SECONDS);
      }
    }
  }
  const claimSpec = obj(obj(obj(v, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claimSpec !== undefined) defaultUnset(claimSpec, 'volumeMode', 'Filesystem');
}

/** SetDefaults_PodSpec plus the generated walk: what every pod template gets. */
export function defaultPodSpec(spec: JsonObject): void {
  defaultEmpty(spec, 'dnsPolicy', 'ClusterFirst');
  defaultEmpty(spec, 'restartPolicy', 'Always');
  defaultUnset(spec, 'securityContext', {});
  defaultUnset(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  defaultEmpty(spec, 'schedulerName', 'default-scheduler');
  // v1 conversion: `serviceAccount` is a deprecated alias, and always printed as the new field.
  const name = str(spec, 'serviceAccountName') || str(spec, 'serviceAccount');
  if (name === '') {
    delete spec['serviceAccountName'];
    delete spec['serviceAccount'];
  } else {
    spec['serviceAccountName'] = name;
    spec['serviceAccount'] = name;
  }
  for (const v of objs(spec, 'volumes')) defaultVolume(v);
  for (const list of CONTAINER_LISTS) for (const c of objs(spec, list)) defaultContainer(c);
}

/** A PodTemplateSpec (`spec.template` of the workload kinds). */
export function defaultPodTemplate(template: JsonObject | undefined): void {
  if (template === undefined) return;
  defaultPodSpec(ensureObj(template, 'spec'));
}

/** SetDefaults_Pod's "requests default to limits" for one container. */
function defaultRequestsFromLimits(c: JsonObject): void {
  const resources = obj(c, 'resources');
  const limits = obj(resources, 'limits');
  if (resources === undefined || limits === undefined) return;
  const requests = ensureObj(resources, 'requests');
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

/** SetObjectDefaults_Pod: the template defaults plus SetDefaults_Pod. */
export function defaultPod(pod: JsonObject): void {
  const spec = ensureObj(pod, 'spec');
  for (const list of ['containers', 'initContainers'] as const) {
    for (const c of objs(spec, list)) defaultRequestsFromLimits(c);
  }
  defaultUnset(spec, 'enableServiceLinks', true);
  if (spec['hostNetwork'] === true) {
    for (const list of ['containers', 'initContainers'] as const) {
      for (const c of objs(spec, list)) {
        for (const port of objs(c, 'ports')) {
          const containerPort = num(port, 'containerPort');
          if ((num(port, 'hostPort') ?? 0) === 0 && containerPort !== undefined) {
            port['hostPort'] = containerPort;
          }
        }
      }
    }
  }
  defaultPodSpec(spec);
}
