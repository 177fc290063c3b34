/**
 * Where a pod may run, as upstream's component-helpers read it: taints against tolerations
 * (`v1.Toleration.ToleratesTaint`, `FindMatchingUntoleratedTaint`), and a node against a pod's
 * nodeSelector and required node affinity (`nodeaffinity.GetRequiredNodeAffinity`). Pure
 * functions shared by the daemonset and nodelifecycle controllers; preferred affinity is the
 * scheduler's business and is not read here.
 */
import type {
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from 'kubernetes-types/core/v1.d.ts';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if ((toleration.effect ?? '') !== '' && toleration.effect !== taint.effect) return false;
  if ((toleration.key ?? '') !== '' && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
    case '':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  effects: readonly TaintEffect[],
): Taint | undefined {
  return (taints ?? []).find(
    (t) =>
      effects.includes(t.effect as TaintEffect) &&
      !(tolerations ?? []).some((tol) => toleratesTaint(tol, t)),
  );
}

/** The tolerations that tolerate `taint`. */
export function matchingTolerations(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): Toleration[] {
  return (tolerations ?? []).filter((tol) => toleratesTaint(tol, taint));
}

function requirementMatches(
  req: NodeSelectorRequirement,
  get: (key: string) => string | undefined,
): boolean {
  const v = get(req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || values.length !== 1) return false;
      const have = Number.parseInt(v, 10);
      const want = Number.parseInt(values[0] ?? '', 10);
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** One term: all its label expressions and field expressions (only `metadata.name`) match. */
export function nodeSelectorTermMatches(node: Node, term: NodeSelectorTerm): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false; // an empty term matches nothing
  const labels = node.metadata?.labels ?? {};
  const name = node.metadata?.name;
  return (
    exprs.every((r) => requirementMatches(r, (k) => labels[k])) &&
    fields.every((r) => requirementMatches(r, (k) => (k === 'metadata.name' ? name : undefined)))
  );
}

/** nodeSelector and required node affinity (terms ORed) both admit `node`. */
export function podSpecFitsNode(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return required.nodeSelectorTerms.some((t) => nodeSelectorTermMatches(node, t));
}
