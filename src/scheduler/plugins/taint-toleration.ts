/**
 * TaintToleration (upstream plugins/tainttoleration): Filter rejects a node with a NoSchedule
 * or NoExecute taint the pod does not tolerate (the message names the first such taint); Score
 * counts the untolerated PreferNoSchedule taints, normalized reversed (fewer is better).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.d.ts';
import { defaultNormalize, fail } from '../framework.ts';
import type { FilterPlugin, ScorePlugin } from '../framework.ts';

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
      if (taint === undefined) return undefined;
      return fail(
        'TaintToleration',
        `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
        true,
      );
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
