/**
 * TaintToleration (upstream plugins/tainttoleration): Filter rejects a node with a NoSchedule
 * or NoExecute taint the pod does not tolerate; Score counts the untolerated PreferNoSchedule
 * taints, normalized reversed (fewer is better). The reason does not name the taint: upstream
 * stopped doing so (kubernetes#134740, also in 1.34 patches) since taint keys and values can be
 * sensitive and pod status is readable by more users than nodes are.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { defaultNormalize, fail } from '../framework.ts';
import type { FilterPlugin, ScorePlugin } from '../framework.ts';

export const ERR_UNTOLERATED = 'node(s) had untolerated taint(s)';

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(
  t: Toleration,
  taint: Pick<Taint, 'key' | 'value' | 'effect'>,
): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
    case '':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

function untolerated(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: readonly string[],
): Taint | undefined {
  return taints.find(
    (taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)),
  );
}

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  prepareFilter(pod) {
    const tolerations = pod.pod.spec?.tolerations ?? [];
    return (node) => {
      const taint = untolerated(node.node.spec?.taints ?? [], tolerations, [
        'NoSchedule',
        'NoExecute',
      ]);
      return taint === undefined ? undefined : fail('TaintToleration', ERR_UNTOLERATED, true);
    };
  },
  prepareScore(pod) {
    // Upstream scores only against tolerations with effect PreferNoSchedule or empty.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
      (t) => t.effect === undefined || t.effect === '' || t.effect === 'PreferNoSchedule',
    );
    return (node) =>
      (node.node.spec?.taints ?? []).filter(
        (taint) =>
          taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => toleratesTaint(t, taint)),
      ).length;
  },
  normalize: (scores) => defaultNormalize(scores, true),
};
