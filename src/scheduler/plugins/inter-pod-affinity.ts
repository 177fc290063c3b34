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

/** Topology values (per key) whose domains hold a pod matching `terms` (all of them). */
function domainsWithMatch(
  pod: PodInfo,
  terms: readonly PodAffinityTerm[],
  nodes: readonly NodeInfo[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(terms.map((t) => [t.topologyKey, new Set<string>()]));
  for (const node of nodes) {
    for (const other of node.pods.values()) {
      if (other.key === pod.key || !terms.every((t) => termMatchesPod(t, pod.namespace, other)))
        continue;
      for (const t of terms) {
        const value = node.labels[t.topologyKey];
        if (value !== undefined) out.get(t.topologyKey)?.add(value);
      }
    }
  }
  return out;
}

export const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  prepareFilter(pod, nodes) {
    // The pod's anti-affinity: per term, the domains holding a pod that matches that term.
    const anti = pod.requiredAntiAffinityTerms.map((t) => ({
      key: t.topologyKey,
      values: domainsWithMatch(pod, [t], nodes).get(t.topologyKey) ?? new Set<string>(),
    }));
    // The pod's affinity: domains holding a pod that matches every term (upstream counts a pod
    // for the affinity terms only if it matches all of them).
    const affinityTerms = pod.requiredAffinityTerms;
    const aff =
      affinityTerms.length === 0
        ? new Map<string, Set<string>>()
        : domainsWithMatch(pod, affinityTerms, nodes);
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
    if (anti.length === 0 && affinityTerms.length === 0 && forbidden.length === 0) return undefined;
    // The first pod of a group whose terms select itself may go where the topology labels are.
    const noMatchAnywhere = [...aff.values()].every((v) => v.size === 0);
    const firstOfGroup =
      noMatchAnywhere && affinityTerms.every((t) => termMatchesPod(t, pod.namespace, pod));
    return (node) => {
      if (forbidden.some((f) => node.labels[f.key] === f.value))
        return fail('InterPodAffinity', ERR_EXISTING_ANTI_AFFINITY);
      for (const a of anti) {
        const v = node.labels[a.key];
        if (v !== undefined && a.values.has(v)) return fail('InterPodAffinity', ERR_ANTI_AFFINITY);
      }
      for (const t of affinityTerms) {
        const v = node.labels[t.topologyKey];
        // Every topology label must exist on the node, first of a group or not.
        if (v === undefined) return fail('InterPodAffinity', ERR_AFFINITY, true);
        if (!firstOfGroup && aff.get(t.topologyKey)?.has(v) !== true)
          return fail('InterPodAffinity', ERR_AFFINITY, true);
      }
      return undefined;
    };
  },
};
