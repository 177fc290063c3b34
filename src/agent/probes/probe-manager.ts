/**
 * The probe workers of the node's running containers (kubelet's prober manager, v1.33): one
 * ProbeWorker per running container instance and probe kind, for app containers and
 * restartable init containers. What a pod's status and sync read from it, as upstream's
 * UpdatePodStatus: a container is started once its startup probe passed (at once without one),
 * ready once started and its readiness probe passed (at once without one) — so readiness is
 * false until the first success, liveness counts as passing until it fails. Every verdict change
 * calls `onChange(podUid)` so the pod is synced (a liveness or startup failure restarts the
 * container, readiness feeds the Ready condition and so the endpoints); a startup success probes
 * readiness at once. Workers stop when their container stops running or is replaced, when the
 * pod goes (`removePod`) and when the agent stops (`stopAll`): no timer outlives them.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.d.ts';
import { realClock } from '../../client/index.ts';
import type { Clock, EventRecorder } from '../../client/index.ts';
import { containerRef } from '../pods/event-refs.ts';
import type { ProbeVerdicts } from '../pods/pod-actions.ts';
import type { RuntimeContainer, RuntimePod } from '../pods/runtime-state.ts';
import type { ProbeRunner } from './prober.ts';
import { ProbeWorker } from './probe-worker.ts';
import type { ProbeKind } from './probe-worker.ts';

export interface ProbeManagerOptions {
  readonly runner: ProbeRunner;
  readonly events: EventRecorder;
  /** A verdict of one of the pod's containers changed: sync the pod. */
  readonly onChange: (podUid: string) => void;
  /** The node IP: the target of host-network pods' probes. */
  readonly hostIp: string;
  /** Default: the real clock. */
  readonly clock?: Clock | undefined;
}

interface Entry {
  readonly uid: string;
  readonly worker: ProbeWorker;
}

const KINDS: readonly ProbeKind[] = ['startup', 'liveness', 'readiness'];

function probeOf(c: Container | undefined, kind: ProbeKind): Probe | undefined {
  if (c === undefined) return undefined;
  switch (kind) {
    case 'liveness':
      return c.livenessProbe;
    case 'readiness':
      return c.readinessProbe;
    case 'startup':
      return c.startupProbe;
  }
}

/** The spec of a runtime container (app or init). */
function specOf(pod: Pod, c: RuntimeContainer): Container | undefined {
  const list = c.kind === 'init' ? pod.spec?.initContainers : pod.spec?.containers;
  return list?.find((x) => x.name === c.name);
}

const key = (containerId: string, kind: ProbeKind): string => `${containerId}/${kind}`;

export class ProbeManager {
  readonly #o: ProbeManagerOptions;
  readonly #clock: Clock;
  /** By `${containerId}/${kind}`. */
  readonly #workers = new Map<string, Entry>();

  constructor(options: ProbeManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  /** Workers alive (for tests and metrics). */
  get workerCount(): number {
    return this.#workers.size;
  }

  /** Starts workers for the pod's running containers and stops those of containers gone. */
  sync(pod: Pod, runtime: RuntimePod | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    const wanted = new Set<string>();
    const candidates: { c: Container; kind: 'app' | 'init' }[] = [
      ...(pod.spec?.containers ?? []).map((c) => ({ c, kind: 'app' as const })),
      ...(pod.spec?.initContainers ?? [])
        .filter((c) => c.restartPolicy === 'Always')
        .map((c) => ({ c, kind: 'init' as const })),
    ];
    if (pod.metadata?.deletionTimestamp === undefined)
      for (const { c, kind } of candidates) {
        // Newest first: the instance that counts.
        const instance = runtime?.containers.find((r) => r.name === c.name && r.kind === kind);
        if (instance?.state !== 'running') continue;
        for (const probeKind of KINDS) {
          const probe = probeOf(c, probeKind);
          if (probe === undefined) continue;
          const k = key(instance.id, probeKind);
          wanted.add(k);
          if (!this.#workers.has(k)) this.#start(pod, c, probe, probeKind, instance, runtime);
        }
      }
    for (const [k, e] of this.#workers)
      if (e.uid === uid && !wanted.has(k)) {
        e.worker.stop();
        this.#workers.delete(k);
      }
  }

  removePod(uid: string): void {
    for (const [k, e] of this.#workers)
      if (e.uid === uid) {
        e.worker.stop();
        this.#workers.delete(k);
      }
  }

  stopAll(): void {
    for (const e of this.#workers.values()) e.worker.stop();
    this.#workers.clear();
  }

  /** upstream's isContainerStarted: running, and its startup probe passed (or it has none). */
  started(pod: Pod, c: RuntimeContainer): boolean {
    if (c.state !== 'running') return false;
    if (probeOf(specOf(pod, c), 'startup') === undefined) return true;
    return this.#workers.get(key(c.id, 'startup'))?.worker.verdict === 'success';
  }

  /** Started, and its readiness probe passed (or it has none). */
  ready(pod: Pod, c: RuntimeContainer): boolean {
    if (!this.started(pod, c)) return false;
    if (probeOf(specOf(pod, c), 'readiness') === undefined) return true;
    return this.#workers.get(key(c.id, 'readiness'))?.worker.verdict === 'success';
  }

  /** What a pod sync needs: liveness and startup failures, started containers. */
  verdicts(pod: Pod, runtime: RuntimePod | undefined): ProbeVerdicts {
    const livenessFailed = new Set<string>();
    const startupFailed = new Set<string>();
    const started = new Set<string>();
    for (const c of runtime?.containers ?? []) {
      if (c.state !== 'running') continue;
      if (this.#workers.get(key(c.id, 'liveness'))?.worker.verdict === 'failure')
        livenessFailed.add(c.id);
      if (this.#workers.get(key(c.id, 'startup'))?.worker.verdict === 'failure')
        startupFailed.add(c.id);
      if (this.started(pod, c)) started.add(c.id);
    }
    return { livenessFailed, startupFailed, started };
  }

  #start(
    pod: Pod,
    c: Container,
    probe: Probe,
    kind: ProbeKind,
    instance: RuntimeContainer,
    runtime: RuntimePod | undefined,
  ): void {
    const uid = pod.metadata?.uid ?? '';
    const ip =
      pod.spec?.hostNetwork === true
        ? this.#o.hostIp
        : (runtime?.sandboxes.find((s) => s.id === instance.sandboxId)?.ips[0] ?? '');
    // upstream's ExpandContainerCommandOnlyStatic: `valueFrom` variables expand to ''.
    const env = new Map((c.env ?? []).map((e) => [e.name, e.value ?? '']));
    // upstream's prober.recordContainerEvent: about the container (`fieldPath`), not the pod.
    const ref = containerRef(pod, c.name);
    const worker = new ProbeWorker({
      kind,
      probe,
      target: {
        containerId: instance.id,
        ip,
        env,
        namedPort: (name) => c.ports?.find((p) => p.name === name)?.containerPort,
      },
      runner: this.#o.runner,
      clock: this.#clock,
      containerStartedAtMs: instance.startedAtMs,
      isStarted: () =>
        c.startupProbe === undefined ||
        this.#workers.get(key(instance.id, 'startup'))?.worker.verdict === 'success',
      onVerdict: (verdict) => {
        // A container that just started is probed for readiness at once (upstream triggers it
        // from the status update).
        if (kind === 'startup' && verdict === 'success')
          this.#workers.get(key(instance.id, 'readiness'))?.worker.trigger();
        this.#o.onChange(uid);
      },
      onEvent: (reason, message) => {
        this.#o.events.event(ref, 'Warning', reason, message);
      },
    });
    this.#workers.set(key(instance.id, kind), { uid, worker });
    worker.start();
  }
}
