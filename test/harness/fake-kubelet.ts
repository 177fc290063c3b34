/**
 * A stand-in for the kubelets of fake nodes, for controller e2e tests without a node agent:
 * registers Nodes (Ready, with allocatable) and renews their `kube-node-lease` Leases; pods bound
 * to a live node become Running and Ready (with a pod IP) unless `holdReady` says otherwise;
 * a bound pod being deleted is finished (deleted with grace 0), as a kubelet does once its
 * containers stopped. `stopNode` silences a node: no lease renewals, no pod status, no deletes.
 * Everything is bounded by the run signal; it talks only to the given client (loopback).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  SharedInformer,
  isConflict,
  isNotFound,
  realClock,
  sleep,
} from '../../src/client/index.ts';
import type { RestClient } from '../../src/client/index.ts';

const NODES = { group: '', version: 'v1', plural: 'nodes' };
const PODS = { group: '', version: 'v1', plural: 'pods' };
const LEASES = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespace: 'kube-node-lease',
};

export interface FakeKubeletOptions {
  readonly client: RestClient;
  readonly nodes: readonly string[];
  /** How often leases are renewed. Default 1,000 ms. */
  readonly leaseRenewMs?: number;
  /** leaseDurationSeconds written on the leases. Default 40 (the kubelet's). */
  readonly leaseDurationSeconds?: number;
  /** Pods for which this answers true stay Running but not Ready. Default: none. */
  readonly holdReady?: (pod: Pod) => boolean;
  /**
   * Also bind unscheduled pods (of the default scheduler) to these nodes, round-robin, for
   * tests that run no scheduler. Default false.
   */
  readonly schedule?: boolean;
}

const microTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');
const metaTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function readyNode(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: metaTime(Date.now()),
          lastTransitionTime: metaTime(Date.now()),
        },
        ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
          type,
          status: 'False',
          reason: `KubeletHasNo${type === 'PIDPressure' ? 'PID' : type.replace('Pressure', '')}Pressure`,
          lastHeartbeatTime: metaTime(Date.now()),
          lastTransitionTime: metaTime(Date.now()),
        })),
      ],
    },
  };
}

export class FakeKubelet {
  readonly #o: FakeKubeletOptions;
  readonly #live: Set<string>;
  readonly #ips = new Map<string, string>();
  #nextIp = 2;
  holdReady: (pod: Pod) => boolean;
  #informer: SharedInformer<Pod> | undefined;

  constructor(options: FakeKubeletOptions) {
    this.#o = options;
    this.#live = new Set(options.nodes);
    this.holdReady = options.holdReady ?? (() => false);
  }

  /** Creates the Nodes (status Ready) and their Leases. */
  async register(): Promise<void> {
    for (const name of this.#o.nodes) await this.registerNode(name);
  }

  async registerNode(name: string): Promise<void> {
    const node = readyNode(name);
    const created = await this.#o.client.create<Node>(NODES, node);
    // Unconditional (no resourceVersion): controllers may have written the node meanwhile.
    const meta = { ...created.metadata };
    delete meta.resourceVersion;
    await this.#o.client.update<Node>(
      { ...NODES, name, subresource: 'status' },
      { ...created, metadata: meta, ...(node.status === undefined ? {} : { status: node.status }) },
    );
    this.#live.add(name);
    await this.#renew(name);
  }

  /** The node stops renewing its lease and stops acting on its pods. */
  stopNode(name: string): void {
    this.#live.delete(name);
  }

  /** The node's agent is back: lease renewals resume and it reports Ready again. */
  resumeNode(name: string): void {
    this.#live.add(name);
  }

  /** Renews leases and drives pods until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const informer = SharedInformer.forResource<Pod>(this.#o.client, PODS);
    this.#informer = informer;
    const reg = informer.addEventHandler({
      onAdd: (pod) => {
        this.#kick(pod, signal);
      },
      onUpdate: (_o, pod) => {
        this.#kick(pod, signal);
      },
    });
    const renewing = (async () => {
      while (!signal.aborted) {
        await sleep(realClock, this.#o.leaseRenewMs ?? 1000, signal);
        for (const name of [...this.#live]) {
          await this.#renew(name).catch(() => undefined);
          await this.#reportReady(name).catch(() => undefined);
        }
      }
    })();
    try {
      await informer.run(signal);
    } finally {
      reg.remove();
      await renewing;
    }
  }

  /** Re-examines every cached pod (after `holdReady` changed). */
  resync(signal: AbortSignal): void {
    for (const pod of this.#informer?.indexer.list() ?? []) this.#kick(pod, signal);
  }

  /** Sets a bound pod's phase to Succeeded or Failed (its containers exited 0 or 1). */
  async finishPod(namespace: string, name: string, phase: 'Succeeded' | 'Failed'): Promise<void> {
    const ref = { ...PODS, namespace, name };
    for (let i = 0; i < 5; i++) {
      const pod = await this.#o.client.get<Pod>(ref);
      const exitCode = phase === 'Succeeded' ? 0 : 1;
      const status = {
        ...pod.status,
        phase,
        conditions: [
          { type: 'Ready', status: 'False', reason: 'PodCompleted' },
          ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'Ready'),
        ],
        containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              reason: phase === 'Succeeded' ? 'Completed' : 'Error',
              finishedAt: metaTime(Date.now()),
            },
          },
        })),
      };
      try {
        await this.#o.client.update<Pod>({ ...ref, subresource: 'status' }, { ...pod, status });
        return;
      } catch (err: unknown) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  #kick(pod: Pod, signal: AbortSignal): void {
    const node = pod.spec?.nodeName ?? '';
    if (node === '' && this.#o.schedule === true && pod.metadata?.deletionTimestamp == null) {
      this.#bind(pod, signal).catch(() => undefined);
      return;
    }
    if (!this.#live.has(node) || signal.aborted) return;
    this.#drive(pod, signal).catch(() => undefined);
  }

  async #drive(pod: Pod, signal: AbortSignal): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const ref = { ...PODS, namespace, name };
    if (pod.metadata?.deletionTimestamp != null) {
      await this.#o.client.delete(ref, { gracePeriodSeconds: 0, signal }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const wantReady = !this.holdReady(pod);
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (phase === 'Running' && ready === wantReady) return;
    const now = Date.now();
    const uid = pod.metadata?.uid ?? '';
    let ip = this.#ips.get(uid);
    if (ip === undefined) {
      ip = `10.244.${String(Math.floor(this.#nextIp / 250))}.${String((this.#nextIp % 250) + 2)}`;
      this.#nextIp++;
      this.#ips.set(uid, ip);
    }
    const cond = (type: string, status: boolean): NonNullable<Pod['status']>['conditions'] => [
      { type, status: status ? 'True' : 'False', lastTransitionTime: metaTime(now) },
    ];
    const status: Pod['status'] = {
      ...pod.status,
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: pod.status?.startTime ?? metaTime(now),
      conditions: [
        ...(cond('Initialized', true) ?? []),
        ...(cond('Ready', wantReady) ?? []),
        ...(cond('ContainersReady', wantReady) ?? []),
        ...(pod.status?.conditions ?? []).filter(
          (c) => !['Initialized', 'Ready', 'ContainersReady'].includes(c.type),
        ),
      ],
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: wantReady,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: metaTime(now) } },
      })),
    };
    try {
      await this.#o.client.update<Pod>(
        { ...ref, subresource: 'status' },
        { ...pod, status },
        {
          signal,
        },
      );
    } catch (err: unknown) {
      // A newer version of the pod will come through the informer.
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }

  #nextNode = 0;

  async #bind(pod: Pod, signal: AbortSignal): Promise<void> {
    const nodes = [...this.#live];
    // A pod pinned by a metadata.name node affinity (DaemonSet pods) goes to that node.
    const pinned =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
        .flatMap((t) => t.matchFields ?? [])
        .find((f) => f.key === 'metadata.name' && f.operator === 'In')?.values?.[0];
    const target = pinned ?? nodes[this.#nextNode++ % Math.max(1, nodes.length)];
    if (target === undefined) return;
    const name = pod.metadata?.name ?? '';
    await this.#o.client.create(
      { ...PODS, namespace: pod.metadata?.namespace ?? '', name, subresource: 'binding' },
      {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: pod.metadata?.namespace ?? '' },
        target: { apiVersion: 'v1', kind: 'Node', name: target },
      } as never,
      { signal },
    );
  }

  /** As a kubelet: a Ready condition someone else changed is posted back as Ready. */
  async #reportReady(name: string): Promise<void> {
    const ref = { ...NODES, name };
    const node = await this.#o.client.get<Node>(ref);
    if (node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True') return;
    const fresh = readyNode(name).status?.conditions ?? [];
    await this.#o.client.update<Node>(
      { ...ref, subresource: 'status' },
      {
        ...node,
        status: {
          ...node.status,
          conditions: [
            ...fresh,
            ...(node.status?.conditions ?? []).filter((c) => c.type !== 'Ready'),
          ],
        },
      },
    );
  }

  async #renew(name: string): Promise<void> {
    const ref = { ...LEASES, name };
    const now = Date.now();
    const spec = {
      holderIdentity: name,
      leaseDurationSeconds: this.#o.leaseDurationSeconds ?? 40,
      renewTime: microTime(now),
    };
    try {
      const lease = await this.#o.client.get<Lease>(ref);
      await this.#o.client.update<Lease>(ref, { ...lease, spec: { ...lease.spec, ...spec } });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
      await this.#o.client.create<Lease>(LEASES, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec,
      });
    }
  }
}
