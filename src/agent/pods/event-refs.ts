/**
 * What the agent's events are about, as the kubelet names it: the pod (pod-level events such as
 * FailedMount or SandboxChanged), or one of its containers (kubecontainer.GenerateContainerRef,
 * v1.33): the pod's reference with `fieldPath` `spec.containers{name}`,
 * `spec.initContainers{name}` or `spec.ephemeralContainers{name}` (looked up in that order, by
 * name, as upstream's fieldPath), so `kubectl get events -o wide` shows the container as the
 * SUBOBJECT. A name the spec lacks gets upstream's `implicitly required container <name>`.
 */
import type { ObjectReference, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject } from '../../client/index.ts';

/** The pod as events name it (kind and apiVersion set, as the informer's objects lack them). */
export const podRef = (pod: Pod): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: pod.metadata ?? {},
});

/** upstream's fieldPath(pod, container). */
export function containerFieldPath(pod: Pod, name: string): string {
  const lists: [string, readonly { name: string }[] | undefined][] = [
    ['containers', pod.spec?.containers],
    ['initContainers', pod.spec?.initContainers],
    ['ephemeralContainers', pod.spec?.ephemeralContainers],
  ];
  for (const [field, list] of lists) {
    const i = (list ?? []).findIndex((c) => c.name === name);
    if (i >= 0) return name === '' ? `spec.${field}[${String(i)}]` : `spec.${field}{${name}}`;
  }
  return `implicitly required container ${name}`;
}

/** upstream's GenerateContainerRef: the pod's reference plus the container's fieldPath. */
export function containerRef(pod: Pod, name: string): ObjectReference {
  const meta = pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    name: meta.name ?? '',
    ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }),
    ...(meta.uid === undefined ? {} : { uid: meta.uid }),
    ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
    fieldPath: containerFieldPath(pod, name),
  };
}
