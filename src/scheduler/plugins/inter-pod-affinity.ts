/**
 * InterPodAffinity, required terms (upstream plugins/interpodaffinity filtering.go): the pod's
 * anti-affinity terms reject a node whose topology domain already has a matching pod; existing
 * pods' anti-affinity terms reject the pod from their domains (symmetry); the pod's affinity
 * terms need a matching pod in the node's domain, except that the first pod of a group that
 * matches its own terms may go anywhere. Namespaces: the term's list, else the pod's own; a
 * namespaceSelector is not evaluated (namespace labels are not watched) and means "all". Not
 * implemented: preferred (scoring) terms.
 */
import type { PodAffinityTerm } from 'kubernetes-types/core/v1.d.ts';
import { LabelSelector } from '../../api/selectors/index.ts';
import { fail } from '../framework.ts';
import type { FilterPlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY =
  "node(s) didn't satisfy existing pods anti-affinity rules";

/** Does `target` match `term` written by a pod in `ownerNamespace`? */
export function termMatchesPod(
  term: PodAffinityTerm,
  ownerNamespace: string,
  target: PodInfo,
): boolean {
  const namespaces = term.namespaces ?? [];
  const anyNamespace = term.namespaceSelector !== undefined;
  if (!anyNamespace) {
    const allowed = namespaces.length === 0 ? [ownerNamespace] : namespaces;
    if (!allowed.includes(target.namespace)) return false;
  }
  return LabelSelector.fromObject(term.labelSelector).matches(target.labels);
}

/** Topology values (per key) whose domains hold a pod matching `term`. */
function domainsWithMatch(
  pod: PodInfo,
  term: PodAffinityTerm,
  nodes: readonly NodeInfo[],
): Set<string> {
  const out = new Set<string>();
  for (const node of nodes) {
    const value = node.labels[term.topologyKey];
    if (value === undefined || out.has(value)) continue;
    for (const other of node.pods.values()) {
      if (other.key !== pod.key && termMatchesPod(term, pod.namespace, other)) {
        out.add(value);
        break;
      }
    }
  }
  return out;
}

export const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  prepareFilter(pod, nodes) {
    const anti = pod.requiredAntiAffinityTerms.map((t) => ({
      key: t.topologyKey,
      values: domainsWithMatch(pod, t, nodes),
    }));
    const aff = pod.requiredAffinityTerms.map((t) => ({
      key: t.topologyKey,
      values: domainsWithMatch(pod, t, nodes),
    }));
    // Existing pods' anti-affinity terms that the incoming pod matches: forbidden domains.
    const forbidden: { key: string; value: string }[] = [];
    for (const node of nodes) {
      if (node.podsWithRequiredAntiAffinity === 0) continue;
      for (const other of node.pods.values()) {
        for (const t of other.requiredAntiAffinityTerms) {
          const value = node.labels[t.topologyKey];
          if (value !== undefined && termMatchesPod(t, other.namespace, pod))
            forbidden.push({ key: t.topologyKey, value });
        }
      }
    }
    if (anti.length === 0 && aff.length === 0 && forbidden.length === 0) return undefined;
    const firstOfGroup =
      aff.every((a) => a.values.size === 0) &&
      pod.requiredAffinityTerms.every((t) => termMatchesPod(t, pod.namespace, pod));
    return (node) => {
      if (forbidden.some((f) => node.labels[f.key] === f.value))
        return fail('InterPodAffinity', ERR_EXISTING_ANTI_AFFINITY);
      for (const a of anti) {
        const v = node.labels[a.key];
        if (v !== undefined && a.values.has(v)) return fail('InterPodAffinity', ERR_ANTI_AFFINITY);
      }
      if (!firstOfGroup) {
        for (const a of aff) {
          const v = node.labels[a.key];
          if (v === undefined || !a.values.has(v))
            return fail('InterPodAffinity', ERR_AFFINITY, true);
        }
      }
      return undefined;
    };
  },
};
