/**
 * The StatefulSet controller's pure core (pkg/controller/statefulset: stateful_set_control.go,
 * stateful_set_utils.go, v1.33): stable pod identities `<sts>-<ordinal>`, the pod for an
 * ordinal, the next actions for OrderedReady (one at a time: create in order, each Running and
 * Ready before the next; delete in reverse) or Parallel management, RollingUpdate with a
 * partition (highest ordinal first, one pod at a time) or OnDelete, and the status. No I/O.
 * Simplifications: revisions are template hashes (`<sts>-<hash>`, no ControllerRevisions), so a
 * pod recreated below the partition gets the update revision's template (upstream restores the
 * current revision's); claim templates are backed by emptyDir (k8ts has no storage).
 */
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import {
  computeTemplateHash,
  isPodRunningAndReady,
  isPodTerminal,
  isPodTerminating,
  podFromTemplate,
} from '../util/owned-pods.ts';
import { isPodAvailable } from '../util/pod-readiness.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

/** The update revision's name: `<sts>-<template hash>` (upstream's ControllerRevision name). */
export function updateRevisionOf(sts: StatefulSet): string {
  return `${sts.metadata?.name ?? ''}-${computeTemplateHash(sts.spec?.template, sts.status?.collisionCount)}`;
}

/** The ordinal in `<sts>-<ordinal>`, or undefined for a pod not named so. */
export function ordinalOf(sts: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${sts.metadata?.name ?? ''}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export const revisionOf = (pod: Pod): string => pod.metadata?.labels?.[REVISION_LABEL] ?? '';

/** newVersionedStatefulSetPod: identity labels, hostname/subdomain, revision label. */
export function newStatefulSetPod(sts: StatefulSet, ordinal: number, revision: string): Pod {
  const name = `${sts.metadata?.name ?? ''}-${ordinal}`;
  const pod = podFromTemplate(
    sts.spec?.template,
    sts.metadata?.namespace ?? '',
    newControllerRef(sts, 'apps/v1', 'StatefulSet'),
  );
  pod.metadata = {
    ...pod.metadata,
    name,
    labels: {
      ...pod.metadata?.labels,
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
      [REVISION_LABEL]: revision,
    },
  };
  const spec = pod.spec ?? { containers: [] };
  spec.hostname = name;
  const service = sts.spec?.serviceName ?? '';
  if (service !== '') spec.subdomain = service;
  // No storage: each claim template becomes an emptyDir volume of the same name.
  const claimVolumes: Volume[] = (sts.spec?.volumeClaimTemplates ?? [])
    .map((t) => t.metadata?.name ?? '')
    .filter((n) => n !== '' && !(spec.volumes ?? []).some((v) => v.name === n))
    .map((n) => ({ name: n, emptyDir: {} }));
  if (claimVolumes.length > 0) spec.volumes = [...(spec.volumes ?? []), ...claimVolumes];
  pod.spec = spec;
  return pod;
}

export type StatefulSetAction =
  | { readonly kind: 'create'; readonly ordinal: number; readonly revision: string }
  | {
      readonly kind: 'delete';
      readonly podName: string;
      readonly why: 'condemned' | 'failed' | 'update';
    };

export interface StatefulSetPlan {
  readonly actions: StatefulSetAction[];
  readonly status: StatefulSetStatus;
}

/** updateStatefulSet: the status and the next actions for `pods` (those `sts` controls). */
export function planStatefulSet(
  sts: StatefulSet,
  pods: readonly Pod[],
  nowMs: number,
): StatefulSetPlan {
  const replicaCount = sts.spec?.replicas ?? 1;
  const start = sts.spec?.ordinals?.start ?? 0;
  const monotonic = sts.spec?.podManagementPolicy !== 'Parallel';
  const minReady = sts.spec?.minReadySeconds ?? 0;
  const updateRevision = updateRevisionOf(sts);
  let currentRevision = sts.status?.currentRevision ?? '';
  if (currentRevision === '') currentRevision = updateRevision;
  const healthy = (p: Pod): boolean =>
    isPodRunningAndReady(p) && !isPodTerminating(p) && isPodAvailable(p, minReady, nowMs);

  const replicas: (Pod | undefined)[] = Array.from({ length: replicaCount }, () => undefined);
  const condemned: { ordinal: number; pod: Pod }[] = [];
  let created = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    const ordinal = ordinalOf(sts, pod);
    if (ordinal === undefined) continue;
    created++;
    if (isPodRunningAndReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, nowMs)) available++;
    }
    if (!isPodTerminating(pod)) {
      if (revisionOf(pod) === currentRevision) current++;
      if (revisionOf(pod) === updateRevision) updated++;
    }
    if (ordinal >= start && ordinal < start + replicaCount) replicas[ordinal - start] = pod;
    else condemned.push({ ordinal, pod });
  }
  condemned.sort((a, b) => b.ordinal - a.ordinal);

  const status: StatefulSetStatus = {
    ...sts.status,
    observedGeneration: sts.metadata?.generation ?? 0,
    replicas: created,
    readyReplicas: ready,
    availableReplicas: available,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
  };
  // completeRollingUpdate: every pod updated and ready makes the update revision current.
  if (
    sts.spec?.updateStrategy?.type !== 'OnDelete' &&
    updated === created &&
    ready === created &&
    created === replicaCount
  ) {
    status.currentRevision = updateRevision;
    status.currentReplicas = updated;
  }

  const actions: StatefulSetAction[] = [];
  const done = (): StatefulSetPlan => ({ actions, status });
  const name = (p: Pod): string => p.metadata?.name ?? '';
  const firstUnhealthy =
    replicas.find((p) => p === undefined || !healthy(p)) ??
    condemned.find((c) => !healthy(c.pod))?.pod;

  for (let i = 0; i < replicaCount; i++) {
    const pod = replicas[i];
    if (pod === undefined) {
      actions.push({ kind: 'create', ordinal: start + i, revision: updateRevision });
      if (monotonic) return done();
      continue;
    }
    if (isPodTerminal(pod) && !isPodTerminating(pod)) {
      actions.push({ kind: 'delete', podName: name(pod), why: 'failed' });
      if (monotonic) return done();
      continue;
    }
    if (monotonic && !healthy(pod)) return done();
  }
  for (const { pod } of condemned) {
    if (isPodTerminating(pod)) {
      if (monotonic) return done();
      continue;
    }
    // Monotonic: an unhealthy condemned pod waits unless it is the first unhealthy one.
    if (monotonic && !healthy(pod) && firstUnhealthy !== pod) return done();
    actions.push({ kind: 'delete', podName: name(pod), why: 'condemned' });
    if (monotonic) return done();
  }
  if (sts.spec?.updateStrategy?.type === 'OnDelete') return done();
  const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let i = replicaCount - 1; i >= Math.max(0, partition); i--) {
    const pod = replicas[i];
    if (pod === undefined) return done();
    if (revisionOf(pod) !== updateRevision && !isPodTerminating(pod)) {
      actions.push({ kind: 'delete', podName: name(pod), why: 'update' });
      return done();
    }
    if (!healthy(pod)) return done();
  }
  return done();
}
