/**
 * The DaemonSet controller's pure core (pkg/controller/daemon: daemon_controller.go, update.go,
 * util/daemonset_util.go, v1.33): which nodes should run a daemon pod, the pod for a node (the
 * template plus upstream's automatic tolerations and a required node affinity naming the node,
 * so the scheduler binds it), what the manage and rolling-update passes create and delete, and
 * the status. No I/O. k8ts serves no ControllerRevisions: the `controller-revision-hash` label
 * is the template hash itself, and a pod is "updated" when its label equals the current hash.
 */
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.d.ts';
import type { Node, Pod, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.d.ts';
import {
  computeTemplateHash,
  byCreation,
  isPodTerminating,
  scaledValue,
} from '../util/owned-pods.ts';
import { findUntoleratedTaint, podSpecFitsNode } from '../util/node-placement.ts';
import { isPodAvailable, isPodReady } from '../util/pod-readiness.ts';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** DaemonSets' template generation annotation (pre-ControllerRevision upstream). */
export const TEMPLATE_GENERATION_KEY = 'pod-template-generation';

/** The template hash (what the `controller-revision-hash` label carries). */
export function daemonSetHash(ds: DaemonSet): string {
  return computeTemplateHash(ds.spec?.template, ds.status?.collisionCount);
}

/** util.AddOrUpdateDaemonPodTolerations: the tolerations every daemon pod gets. */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: 'NoSchedule' | 'NoExecute'): Toleration => ({
    key,
    operator: 'Exists',
    effect,
  });
  return [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

function addTolerations(
  existing: readonly Toleration[],
  extra: readonly Toleration[],
): Toleration[] {
  const out = [...existing];
  for (const tol of extra) {
    const same = out.findIndex(
      (e) => e.key === tol.key && e.effect === tol.effect && (e.operator ?? 'Equal') === 'Exists',
    );
    if (same === -1) out.push(tol);
  }
  return out;
}

/** util.NewPod: the template with the daemon tolerations; `nodeName` adds the node affinity. */
export function daemonPodTemplate(ds: DaemonSet, hash: string, nodeName?: string): PodTemplateSpec {
  const template = structuredClone(ds.spec?.template ?? { spec: { containers: [] } });
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = addTolerations(
    spec.tolerations ?? [],
    daemonPodTolerations(spec.hostNetwork === true),
  );
  if (nodeName !== undefined) spec.affinity = replaceNodeNameAffinity(spec.affinity, nodeName);
  template.spec = spec;
  template.metadata = {
    ...template.metadata,
    labels: { ...(template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
  };
  return template;
}

/**
 * util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one term matching the
 * node by `metadata.name` (the label terms were already checked by the controller); preferred
 * terms and other affinities are kept.
 */
export function replaceNodeNameAffinity(
  affinity: NonNullable<Pod['spec']>['affinity'],
  nodeName: string,
): NonNullable<NonNullable<Pod['spec']>['affinity']> {
  const required = {
    nodeSelectorTerms: [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] },
    ],
  };
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: required,
    },
  };
}

/** The node a daemon pod is for: spec.nodeName, else its metadata.name node-affinity term. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  for (const term of terms)
    for (const f of term.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1)
        return f.values[0];
  return undefined;
}

export interface NodePlacement {
  /** A new daemon pod should be placed here. */
  readonly shouldRun: boolean;
  /** An existing daemon pod may stay (NoSchedule taints do not evict). */
  readonly shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodePlacement {
  const template = daemonPodTemplate(ds, '', node.metadata?.name);
  const spec = template.spec;
  const wanted = ds.spec?.template.spec?.nodeName;
  if (wanted !== undefined && wanted !== '' && wanted !== node.metadata?.name)
    return { shouldRun: false, shouldContinueRunning: false };
  // Label-based placement is checked on the template as written (before the name affinity).
  if (!podSpecFitsNode(ds.spec?.template.spec, node))
    return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, spec?.tolerations, ['NoExecute']) !== undefined)
    return { shouldRun: false, shouldContinueRunning: false };
  if (findUntoleratedTaint(taints, spec?.tolerations, ['NoSchedule']) !== undefined)
    return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** Daemon pods by target node (terminating pods left out, as upstream's manage skips them). */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (isPodTerminating(pod)) continue;
    const node = targetNodeName(pod) ?? '';
    const list = out.get(node) ?? [];
    list.push(pod);
    out.set(node, list);
  }
  for (const list of out.values()) list.sort(byCreation);
  return out;
}

/** A daemon pod and the node it is on. */
export interface NodePod {
  readonly node: string;
  readonly pod: string;
}

export interface Plan {
  /** Nodes that get a new pod. */
  readonly createOn: string[];
  /** Names of pods to delete. */
  readonly deletePods: string[];
  /** Failed pods seen, by node: deleted (then replaced) as the failed-pod backoff allows. */
  readonly failed: NodePod[];
  /** Succeeded pods, by node: deleted at once (a daemon pod never runs again once done). */
  readonly succeeded: NodePod[];
}

const isUpdated = (pod: Pod, hash: string): boolean =>
  pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash;

/** manage(): one pod on every node that should run one, none elsewhere. */
export function planManage(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  maxSurge: number,
): Plan {
  const createOn: string[] = [];
  const deletePods: string[] = [];
  const failed: NodePod[] = [];
  const succeeded: NodePod[] = [];
  const known = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    known.add(name);
    const placement = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name) ?? [];
    if (placement.shouldRun && pods.length === 0) {
      createOn.push(name);
      continue;
    }
    if (!placement.shouldContinueRunning) {
      for (const p of pods) deletePods.push(p.metadata?.name ?? '');
      continue;
    }
    // podsShouldBeOnNode: failed and succeeded pods go (and are replaced); of the rest keep one,
    // the oldest — unless surging, where an old and a new pod may share the node until the new
    // one is ready.
    const running: Pod[] = [];
    for (const p of pods) {
      const entry = { node: name, pod: p.metadata?.name ?? '' };
      if (p.status?.phase === 'Failed') failed.push(entry);
      else if (p.status?.phase === 'Succeeded') succeeded.push(entry);
      else running.push(p);
    }
    // Without surge, a node whose only pods are done gets its replacement on the next pass, once
    // they are gone (failed ones as the controller's failedPodsBackoff allows); with surge the
    // replacement is created at once, as upstream.
    if (running.length === 0 && maxSurge > 0 && placement.shouldRun) createOn.push(name);
    if (running.length > 1) {
      if (maxSurge > 0) {
        const updated = running.filter((p) => isUpdated(p, hash));
        const old = running.filter((p) => !isUpdated(p, hash));
        const keepNew = updated[0];
        for (const p of updated.slice(1)) deletePods.push(p.metadata?.name ?? '');
        const keepOld = keepNew !== undefined && isPodReady(keepNew) ? undefined : old[0];
        for (const p of old) if (p !== keepOld) deletePods.push(p.metadata?.name ?? '');
      } else {
        for (const p of running.slice(1)) deletePods.push(p.metadata?.name ?? '');
      }
    }
  }
  // Pods whose node is gone.
  for (const [node, pods] of byNode)
    if (!known.has(node)) for (const p of pods) deletePods.push(p.metadata?.name ?? '');
  return { createOn, deletePods, failed, succeeded };
}

/** Resolved maxUnavailable/maxSurge (update.go's updatedDesiredNodeCounts). */
export function rollingLimits(
  ds: DaemonSet,
  desired: number,
): { maxUnavailable: number; maxSurge: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, desired, true, 0);
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, true, 1);
  if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxUnavailable, maxSurge };
}

function oldAndNew(
  pods: readonly Pod[],
  hash: string,
): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.status?.phase === 'Failed') continue;
    if (isUpdated(p, hash)) {
      if (newPod !== undefined) return { ok: false };
      newPod = p;
    } else {
      if (oldPod !== undefined) return { ok: false };
      oldPod = p;
    }
  }
  return {
    ok: true,
    ...(newPod === undefined ? {} : { newPod }),
    ...(oldPod === undefined ? {} : { oldPod }),
  };
}

/** rollingUpdate(): which old pods to delete (maxSurge 0) or which nodes to surge onto. */
export function planRollingUpdate(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  nowMs: number,
): { createOn: string[]; deletePods: string[] } {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const eligible = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldContinueRunning);
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  const { maxUnavailable, maxSurge } = rollingLimits(ds, desired);
  const name = (p: Pod): string => p.metadata?.name ?? '';
  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowed: string[] = [];
    const candidates: string[] = [];
    for (const node of eligible) {
      const r = oldAndNew(byNode.get(node.metadata?.name ?? '') ?? [], hash);
      if (!r.ok) {
        numUnavailable++;
        continue;
      }
      if ((r.oldPod === undefined) === (r.newPod === undefined)) numUnavailable++;
      else if (r.newPod !== undefined) {
        if (!isPodAvailable(r.newPod, minReady, nowMs)) numUnavailable++;
      } else if (r.oldPod !== undefined) {
        if (!isPodAvailable(r.oldPod, minReady, nowMs)) allowed.push(name(r.oldPod));
        else if (numUnavailable < maxUnavailable) candidates.push(name(r.oldPod));
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { createOn: [], deletePods: [...allowed, ...candidates.slice(0, remaining)] };
  }
  let numSurge = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const deletePods: string[] = [];
  for (const node of eligible) {
    const nodeName = node.metadata?.name ?? '';
    const r = oldAndNew(byNode.get(nodeName) ?? [], hash);
    if (!r.ok) {
      numSurge++;
      continue;
    }
    if (r.oldPod === undefined) continue;
    if (r.newPod === undefined) {
      if (!isPodAvailable(r.oldPod, minReady, nowMs)) allowedNew.push(nodeName);
      else if (numSurge < maxSurge) candidateNew.push(nodeName);
    } else if (!isPodAvailable(r.newPod, minReady, nowMs)) numSurge++;
    else deletePods.push(name(r.oldPod));
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNew.length);
  return { createOn: [...allowedNew, ...candidateNew.slice(0, remaining)], deletePods };
}

/** updateDaemonSetStatus. */
export function computeStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  nowMs: number,
): DaemonSetStatus {
  let desired = 0;
  let current = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let misscheduled = 0;
  for (const node of nodes) {
    const pods = byNode.get(node.metadata?.name ?? '') ?? [];
    if (nodeShouldRunDaemonPod(node, ds).shouldRun) {
      desired++;
      const pod = pods[0];
      if (pod === undefined) continue;
      current++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, nowMs)) available++;
      }
      if (isUpdated(pod, hash)) updated++;
    } else if (pods.length > 0) misscheduled++;
  }
  return {
    ...ds.status,
    observedGeneration: ds.metadata?.generation ?? 0,
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberReady: ready,
    numberAvailable: available,
    numberUnavailable: desired - available,
    updatedNumberScheduled: updated,
    numberMisscheduled: misscheduled,
  };
}
