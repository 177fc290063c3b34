/**
 * Helpers the workload controllers (daemonset, statefulset, job) share about the pods they own
 * (beyond controller-ref.ts and pod-readiness.ts): ownership filters, building a pod from a
 * template, percent-or-int scaling, and upstream's template hash (`controller.ComputeHash`: FNV-32a of the
 * template, safe-encoded). Pure functions; no I/O.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject } from '../../client/index.ts';
import { LabelSelector } from '../../api/selectors/label-selector.ts';
import type { LabelSelectorObject } from '../../api/selectors/label-selector.ts';
import { getControllerOf } from './controller-ref.ts';
import { isPodReady } from './pod-readiness.ts';

/** True when `obj`'s controller reference names `owner` by UID. */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** Pods in `namespace` controlled by `owner` (adoption/orphaning is the garbage collector's). */
export function podsControlledBy(pods: readonly Pod[], owner: KubeObject): Pod[] {
  const ns = owner.metadata?.namespace ?? '';
  return pods.filter((p) => (p.metadata?.namespace ?? '') === ns && isControlledBy(p, owner));
}

/** A selector object as a matcher; an invalid selector matches nothing. */
export function selectorMatcher(
  selector: LabelSelectorObject | null | undefined,
): (labels: Record<string, string> | undefined) => boolean {
  try {
    const s = LabelSelector.fromObject(selector);
    return (labels) => s.matches(labels ?? {});
  } catch {
    return () => false;
  }
}

export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Upstream's StatefulSet "Running and Ready". */
export function isPodRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** Oldest first (creationTimestamp, then name), as upstream's ActivePods ordering ties break. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  return ta - tb || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** A pod from a template (labels, annotations, finalizers and spec copied), owned by `ownerRef`. */
export function podFromTemplate(
  template: PodTemplateSpec | undefined,
  namespace: string,
  ownerRef: OwnerReference,
): Pod {
  const copy = structuredClone(template ?? {});
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      labels: { ...(copy.metadata?.labels ?? {}) },
      annotations: { ...(copy.metadata?.annotations ?? {}) },
      ...(copy.metadata?.finalizers === undefined ? {} : { finalizers: copy.metadata.finalizers }),
      ownerReferences: [ownerRef],
    },
    spec: copy.spec ?? { containers: [] },
  };
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  // JSON.stringify answers undefined (typed string) for undefined.
  return value === undefined ? 'null' : JSON.stringify(value);
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: no vowels, no look-alikes. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++)
    out += SAFE_ALPHANUMS.charAt(s.charCodeAt(i) % SAFE_ALPHANUMS.length);
  return out;
}

/**
 * upstream's controller.ComputeHash over the template (plus a collision count when given). The
 * bytes hashed are k8ts's stable JSON, not Go's spew dump, so values differ from upstream's;
 * they are stable across k8ts processes, which is what the controllers rely on.
 */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  const input = stableJson(template) + (collisionCount === undefined ? '' : String(collisionCount));
  return safeEncodeString(String(fnv32a(input)));
}

/** intstr.GetScaledValueFromIntOrPercent: an int, or `N%` of `total` rounded up or down. */
export function scaledValue(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (m === null) {
    const n = Number(value);
    return Number.isInteger(n) ? n : fallback;
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
