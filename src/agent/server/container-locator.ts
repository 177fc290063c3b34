/**
 * Finds the runtime objects behind `namespace/pod/container` the way the kubelet does, from what
 * the runtime says (its labels), never from a cache that could be stale: the pod's newest
 * sandbox (by creation), its containers of that name newest first (the current instance, then
 * the previous one, as `kubectl logs --previous` means). Relies on the kubelet's labels on
 * sandboxes and containers: `io.kubernetes.pod.{namespace,name,uid}`,
 * `io.kubernetes.container.name`. Failures are ApiErrors with kubelet's wording.
 */
import { ApiError, badRequest } from '../../api/status.ts';
import type { ContainerSummary, SandboxSummary, StreamingRuntime } from './streaming-runtime.ts';

export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

export interface PodName {
  readonly namespace: string;
  readonly name: string;
  /** When the request names the pod's UID (`/exec/ns/pod/uid/container`), it must match. */
  readonly uid?: string | undefined;
}

/** Resolves names to runtime ids; the agent may wrap it (e.g. to check its own pod list). */
export interface ContainerLocator {
  /** The container exec and attach go to: the pod's current instance, which must be running. */
  runningContainer(pod: PodName, container: string): Promise<string>;
  /** The container whose log to read: the current instance, or the one before it. */
  logContainer(pod: PodName, container: string, previous: boolean): Promise<string>;
  /** The pod's current sandbox, which must be ready (port-forward). */
  readySandbox(pod: PodName): Promise<string>;
}

const notFound = (message: string): ApiError => new ApiError(404, 'NotFound', message);

/** Newest first; created_at is int64 nanoseconds as a decimal string. */
function byCreationDesc(a: { created_at: string }, b: { created_at: string }): number {
  const x = BigInt(a.created_at || '0');
  const y = BigInt(b.created_at || '0');
  return x === y ? 0 : x > y ? -1 : 1;
}

export class RuntimeContainerLocator implements ContainerLocator {
  readonly #runtime: Pick<StreamingRuntime, 'listPodSandbox' | 'listContainers'>;

  constructor(runtime: Pick<StreamingRuntime, 'listPodSandbox' | 'listContainers'>) {
    this.#runtime = runtime;
  }

  async runningContainer(pod: PodName, container: string): Promise<string> {
    const [current] = await this.#instances(pod, container);
    if (current === undefined) throw notFound(`container not found (${JSON.stringify(container)})`);
    if (current.state !== 'CONTAINER_RUNNING') {
      throw badRequest(
        `container ${JSON.stringify(container)} in pod ${JSON.stringify(pod.name)} is not running`,
      );
    }
    return current.id;
  }

  async logContainer(pod: PodName, container: string, previous: boolean): Promise<string> {
    const [current, before] = await this.#instances(pod, container);
    const quoted = `${JSON.stringify(container)} in pod ${JSON.stringify(pod.name)}`;
    if (current === undefined) {
      // Nothing created yet: the kubelet reports the container as waiting (ContainerCreating).
      throw badRequest(`container ${quoted} is waiting to start: ContainerCreating`);
    }
    if (!previous) return current.id;
    if (before === undefined) throw badRequest(`previous terminated container ${quoted} not found`);
    return before.id;
  }

  async readySandbox(pod: PodName): Promise<string> {
    const sandbox = await this.#currentSandbox(pod);
    if (sandbox?.state !== 'SANDBOX_READY')
      throw notFound(`pod ${JSON.stringify(pod.name)} has no ready sandbox`);
    return sandbox.id;
  }

  async #currentSandbox(pod: PodName): Promise<SandboxSummary | undefined> {
    const selector: Record<string, string> = {
      [LABEL_POD_NAMESPACE]: pod.namespace,
      [LABEL_POD_NAME]: pod.name,
    };
    if (pod.uid !== undefined && pod.uid !== '') selector[LABEL_POD_UID] = pod.uid;
    const sandboxes = [...(await this.#runtime.listPodSandbox({ label_selector: selector }))];
    return sandboxes.sort(byCreationDesc)[0];
  }

  /** The container's instances in the pod's current incarnation (UID), newest first. */
  async #instances(pod: PodName, container: string): Promise<ContainerSummary[]> {
    const sandbox = await this.#currentSandbox(pod);
    if (sandbox === undefined) return [];
    const uid = sandbox.labels[LABEL_POD_UID];
    const selector: Record<string, string> = {
      [LABEL_POD_NAMESPACE]: pod.namespace,
      [LABEL_POD_NAME]: pod.name,
      [LABEL_CONTAINER_NAME]: container,
    };
    if (uid !== undefined) selector[LABEL_POD_UID] = uid;
    const containers = [...(await this.#runtime.listContainers({ label_selector: selector }))];
    return containers.sort(
      (a, b) => byCreationDesc(a, b) || b.metadata.attempt - a.metadata.attempt,
    );
  }
}
