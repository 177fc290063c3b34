/**
 * The probe workers of the node's running containers (kubelet's prober manager): one loop per
 * container instance and probe kind, with upstream's timing (initialDelaySeconds, then every
 * periodSeconds, each try bounded by timeoutSeconds; a result flips after successThreshold or
 * failureThreshold tries in a row). Liveness and readiness wait for a startup probe to succeed.
 * Until a probe has an answer, readiness is false, liveness is success and startup is false.
 * Every flip calls `onChange(podUid)` so the pod is synced (a failed liveness or startup probe
 * restarts the container; readiness feeds the Ready condition and so the endpoints) and failures
 * are recorded as `Unhealthy` events.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.d.ts';
import { isAborted } from '../../client/index.ts';
import type { EventRecorder } from '../../client/index.ts';
import type { RuntimePod } from '../pods/runtime-state.ts';
import type { ProbeVerdicts } from '../pods/pod-actions.ts';
import type { Prober } from './prober.ts';

type Kind = 'liveness' | 'readiness' | 'startup';

interface Worker {
  readonly uid: string;
  readonly containerId: string;
  readonly kind: Kind;
  readonly stop: AbortController;
  /** undefined: no answer yet. */
  result: boolean | undefined;
}

export interface ProbeManagerOptions {
  readonly prober: Prober;
  readonly events: EventRecorder;
  readonly onChange: (podUid: string) => void;
  readonly hostIp: string;
}

const TITLES: Readonly<Record<Kind, string>> = {
  liveness: 'Liveness',
  readiness: 'Readiness',
  startup: 'Startup',
};

function probeOf(c: Container, kind: Kind): Probe | undefined {
  return kind === 'liveness'
    ? c.livenessProbe
    : kind === 'readiness'
      ? c.readinessProbe
      : c.startupProbe;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class ProbeManager {
  readonly #o: ProbeManagerOptions;
  /** By `${containerId}/${kind}`. */
  readonly #workers = new Map<string, Worker>();

  constructor(options: ProbeManagerOptions) {
    this.#o = options;
  }

  /** Starts workers for the pod's running containers and stops those of containers gone. */
  sync(pod: Pod, runtime: RuntimePod | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    const ip =
      pod.spec?.hostNetwork === true ? this.#o.hostIp : (runtime?.sandboxes[0]?.ips[0] ?? '');
    const wanted = new Set<string>();
    const all = [
      ...(pod.spec?.containers ?? []).map((c) => ({ c, kind: 'app' as const })),
      ...(pod.spec?.initContainers ?? [])
        .filter((c) => c.restartPolicy === 'Always')
        .map((c) => ({ c, kind: 'init' as const })),
    ];
    if (pod.metadata?.deletionTimestamp === undefined)
      for (const { c, kind } of all) {
        const instance = runtime?.containers.find((r) => r.name === c.name && r.kind === kind);
        if (instance?.state !== 'running') continue;
        for (const probeKind of ['startup', 'liveness', 'readiness'] as const) {
          const probe = probeOf(c, probeKind);
          if (probe === undefined) continue;
          const key = `${instance.id}/${probeKind}`;
          wanted.add(key);
          if (!this.#workers.has(key)) this.#start(pod, c, probe, probeKind, instance.id, ip, key);
        }
      }
    for (const [key, w] of this.#workers)
      if (w.uid === uid && !wanted.has(key)) {
        w.stop.abort();
        this.#workers.delete(key);
      }
  }

  removePod(uid: string): void {
    for (const [key, w] of this.#workers)
      if (w.uid === uid) {
        w.stop.abort();
        this.#workers.delete(key);
      }
  }

  stopAll(): void {
    for (const w of this.#workers.values()) w.stop.abort();
    this.#workers.clear();
  }

  #result(containerId: string, kind: Kind): boolean | undefined {
    return this.#workers.get(`${containerId}/${kind}`)?.result;
  }

  #has(containerId: string, kind: Kind): boolean {
    return this.#workers.has(`${containerId}/${kind}`);
  }

  /** True when the container passed its startup probe or has none. */
  started(containerId: string): boolean {
    return !this.#has(containerId, 'startup') || this.#result(containerId, 'startup') === true;
  }

  /** True when the container started and passes its readiness probe (or has none). */
  ready(containerId: string): boolean {
    if (!this.started(containerId)) return false;
    return !this.#has(containerId, 'readiness') || this.#result(containerId, 'readiness') === true;
  }

  /** What a pod sync needs: liveness and startup failures, started containers. */
  verdicts(runtime: RuntimePod | undefined): ProbeVerdicts {
    const livenessFailed = new Set<string>();
    const startupFailed = new Set<string>();
    const started = new Set<string>();
    for (const c of runtime?.containers ?? []) {
      if (c.state !== 'running') continue;
      if (this.#result(c.id, 'liveness') === false) livenessFailed.add(c.id);
      if (this.#result(c.id, 'startup') === false) startupFailed.add(c.id);
      if (this.started(c.id)) started.add(c.id);
    }
    return { livenessFailed, startupFailed, started };
  }

  #start(
    pod: Pod,
    c: Container,
    probe: Probe,
    kind: Kind,
    containerId: string,
    ip: string,
    key: string,
  ): void {
    const uid = pod.metadata?.uid ?? '';
    const worker: Worker = {
      uid,
      containerId,
      kind,
      stop: new AbortController(),
      result: undefined,
    };
    this.#workers.set(key, worker);
    const target = {
      containerId,
      ip,
      namedPort: (name: string) => c.ports?.find((p) => p.name === name)?.containerPort,
    };
    const ref = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? 'default',
        uid,
      },
    };
    const run = async (): Promise<void> => {
      const signal = worker.stop.signal;
      await sleep((probe.initialDelaySeconds ?? 0) * 1000, signal);
      let successes = 0;
      let failures = 0;
      while (!signal.aborted) {
        // Liveness and readiness start only after the startup probe passed.
        if (kind !== 'startup' && !this.started(containerId)) {
          await sleep(Math.min(1000, (probe.periodSeconds ?? 10) * 1000), signal);
          continue;
        }
        const r = await this.#o.prober.run(probe, target, probe.timeoutSeconds ?? 1);
        if (isAborted(signal)) return;
        if (r.success) {
          successes++;
          failures = 0;
        } else {
          failures++;
          successes = 0;
          this.#o.events.event(
            ref,
            'Warning',
            'Unhealthy',
            `${TITLES[kind]} probe failed: ${r.output}`,
          );
        }
        const next =
          successes >= (kind === 'readiness' ? (probe.successThreshold ?? 1) : 1)
            ? true
            : failures >= (probe.failureThreshold ?? 3)
              ? false
              : worker.result;
        if (next !== worker.result) {
          worker.result = next;
          this.#o.onChange(uid);
        }
        // A startup probe that succeeded is done; a failed one leaves the restart to the sync.
        if (kind === 'startup' && worker.result !== undefined) return;
        await sleep((probe.periodSeconds ?? 10) * 1000, signal);
      }
    };
    run().catch(() => {
      // A probe that throws counts as no answer; the next sync starts a fresh worker.
      this.#workers.delete(key);
    });
  }
}
