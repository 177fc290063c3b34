/**
 * How the agent names its pods' sandboxes and containers in the runtime: upstream kubelet's
 * labels (`io.kubernetes.pod.uid`, `io.kubernetes.container.name`, ...) so `crictl` and other
 * tools read them as they read a kubelet's, plus the annotations the agent needs to recover its
 * state from the runtime alone after a restart (restart count, spec hash, termination message
 * path and policy, grace period).
 */

export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/** The pod's container list the container came from: `init` or `app` (k8ts's own). */
export const LABEL_CONTAINER_KIND = 'io.k8ts.container.kind';

export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const ANNOTATION_TERMINATION_MESSAGE_POLICY =
  'io.kubernetes.container.terminationMessagePolicy';
export const ANNOTATION_GRACE_PERIOD = 'io.kubernetes.pod.terminationGracePeriod';

export type ContainerKind = 'init' | 'app';

export interface PodIdentity {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
}

export function sandboxLabels(
  pod: PodIdentity,
  podLabels: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    ...podLabels,
    [LABEL_POD_NAME]: pod.name,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_POD_UID]: pod.uid,
  };
}

export function containerLabels(
  pod: PodIdentity,
  containerName: string,
  kind: ContainerKind,
): Record<string, string> {
  return {
    [LABEL_POD_NAME]: pod.name,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_POD_UID]: pod.uid,
    [LABEL_CONTAINER_NAME]: containerName,
    [LABEL_CONTAINER_KIND]: kind,
  };
}

/** upstream's format.Pod: `name_namespace(uid)`. */
export function podDescription(pod: PodIdentity): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}
