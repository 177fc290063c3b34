/**
 * NodeAffinity (upstream plugins/nodeaffinity): Filter requires the pod's nodeSelector and its
 * required node affinity terms (ORed; expressions and fields within a term ANDed; operators
 * In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields on metadata.name). Score sums the weights
 * of the preferred terms a node matches, normalized by the maximum.
 */
import type {
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
} from 'kubernetes-types/core/v1.d.ts';
import { defaultNormalize, fail } from '../framework.ts';
import type { FilterPlugin, ScorePlugin } from '../framework.ts';

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

const INTEGER = /^[+-]?\d+$/;

function requirementMatches(
  r: NodeSelectorRequirement,
  values: Readonly<Record<string, string>>,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  const v = values[r.key];
  const want = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && v !== undefined && want.includes(v);
    case 'NotIn':
      return !has || v === undefined || !want.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      const bound = want[0];
      if (!has || v === undefined || want.length !== 1 || bound === undefined) return false;
      if (!INTEGER.test(v) || !INTEGER.test(bound)) return false;
      const a = BigInt(v);
      const b = BigInt(bound);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** One term: every expression and field requirement holds; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, labels))) return false;
  const fieldValues = { 'metadata.name': node.metadata?.name ?? '' };
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, fieldValues));
}

/** True if the node satisfies the pod's nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return required.nodeSelectorTerms.some((t) => termMatches(t, node));
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  prepareFilter(pod) {
    const spec = pod.pod.spec;
    const hasSelector = Object.keys(spec?.nodeSelector ?? {}).length > 0;
    const hasRequired =
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
    if (!hasSelector && !hasRequired) return undefined;
    return (node) =>
      podMatchesNodeSelectorAndAffinity(pod.pod, node.node)
        ? undefined
        : fail('NodeAffinity', ERR_NODE_AFFINITY, true);
  },
  prepareScore(pod) {
    const preferred =
      pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (preferred.length === 0) return undefined;
    return (node) =>
      preferred.reduce(
        (sum, p) => (p.weight !== 0 && termMatches(p.preference, node.node) ? sum + p.weight : sum),
        0,
      );
  },
  normalize: (scores) => defaultNormalize(scores, false),
};
