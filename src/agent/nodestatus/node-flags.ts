/**
 * kubelet's `--node-labels k=v,...` and `--register-with-taints key=value:Effect,...`, parsed and
 * validated as kubelet does before it registers: label keys and values must be valid, and a
 * label in the `kubernetes.io`/`k8s.io` namespaces must be one the NodeRestriction admission
 * lets a node set on itself (kubelet refuses to start otherwise, with the same message).
 */
import type { Taint } from 'kubernetes-types/core/v1.d.ts';
import {
  KUBELET_LABELS,
  KUBELET_LABEL_NAMESPACES,
  isKubeletLabel,
  isKubernetesLabelNamespace,
  labelNamespace,
} from '../../api/validation/kubelet-labels.ts';
import { isQualifiedName, isValidLabelValue } from '../../api/validation/names.ts';

export class NodeFlagError extends Error {
  readonly code = 'AGENT_INVALID_FLAG';
  constructor(message: string) {
    super(message);
    this.name = 'NodeFlagError';
  }
}

export function parseNodeLabels(value: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const unknown: string[] = [];
  for (const item of value.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw new NodeFlagError(`--node-labels: "${item}" is not key=value`);
    const key = item.slice(0, eq);
    const v = item.slice(eq + 1);
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0)
      throw new NodeFlagError(`--node-labels: invalid key "${key}": ${keyErrs.join('; ')}`);
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0)
      throw new NodeFlagError(
        `--node-labels: invalid value "${v}" for ${key}: ${valueErrs.join('; ')}`,
      );
    if (isKubernetesLabelNamespace(labelNamespace(key)) && !isKubeletLabel(key)) unknown.push(key);
    labels[key] = v;
  }
  if (unknown.length > 0)
    throw new NodeFlagError(
      `unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${unknown.join(' ')}]\n` +
        `--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (${KUBELET_LABEL_NAMESPACES.join(', ')}) or be in the specifically allowed set (${[...KUBELET_LABELS].sort().join(', ')})`,
    );
  return labels;
}

const EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/** `key[=value]:Effect` entries, as upstream's taints.ParseTaints. */
export function parseTaints(value: string): Taint[] {
  const taints: Taint[] = [];
  const seen = new Set<string>();
  for (const item of value.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const colon = item.lastIndexOf(':');
    if (colon < 0) throw new NodeFlagError(`--register-with-taints: invalid taint spec: ${item}`);
    const effect = item.slice(colon + 1);
    const kv = item.slice(0, colon);
    if (!EFFECTS.has(effect))
      throw new NodeFlagError(
        `--register-with-taints: invalid taint effect: ${effect}, unsupported taint effect`,
      );
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const v = eq < 0 ? '' : kv.slice(eq + 1);
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0)
      throw new NodeFlagError(
        `--register-with-taints: invalid taint key "${key}": ${keyErrs.join('; ')}`,
      );
    const valueErrs = v === '' ? [] : isValidLabelValue(v);
    if (valueErrs.length > 0)
      throw new NodeFlagError(
        `--register-with-taints: invalid taint value "${v}": ${valueErrs.join('; ')}`,
      );
    if (seen.has(`${key}:${effect}`))
      throw new NodeFlagError(
        `--register-with-taints: duplicated taints with the same key and effect: ${key}:${effect}`,
      );
    seen.add(`${key}:${effect}`);
    taints.push({ key, ...(v === '' ? {} : { value: v }), effect });
  }
  return taints;
}
