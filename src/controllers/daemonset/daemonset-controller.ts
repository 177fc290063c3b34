/**
 * The `daemonset` controller (pkg/controller/daemon, v1.33): one daemon pod per eligible node,
 * created with a required node affinity naming the node so the scheduler binds it (upstream
 * since 1.12), RollingUpdate (maxUnavailable / maxSurge) or OnDelete, and the DaemonSet status.
 * Guarantees: level-based (every sync recomputes from the informers' caches) and no double
 * creation from a stale cache (create expectations, as upstream). Orphaned pods the selector
 * matches are adopted (a DaemonSet re-created after `--cascade=orphan` takes its pods back) and
 * owned pods that stopped matching are released. Not done: ControllerRevisions and rollback
 * (k8ts serves none; the `controller-revision-hash` label is the template hash). A failed daemon
 * pod is deleted and replaced under upstream's per-node backoff (1 s doubling to 15 min, keyed by
 * DaemonSet uid, observed generation and node; forgotten after 30 quiet minutes, swept every
 * minute); a succeeded one is deleted and replaced at once.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  isNamespaceTerminating,
  isNotFound,
  metaNamespaceKey,
  runControllerLoop,
  sleep,
  splitMetaNamespaceKey,
  tombstoneObject,
} from '../../client/index.ts';
import type { KubeObject, SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { ControllerExpectations } from '../util/controller-expectations.ts';
import { getControllerOf, newControllerRef } from '../util/controller-ref.ts';
import { claimPods, ownersSelecting, preparePodClaims } from '../util/claim-pods.ts';
import type { PodClaimer } from '../util/claim-pods.ts';
import { podFromTemplate, stableJson } from '../util/owned-pods.ts';
import { FailedPodsBackoff } from './failed-pods-backoff.ts';
import type { NodePod } from './daemon-pods.ts';
import {
  computeStatus,
  daemonPodTemplate,
  daemonSetHash,
  planManage,
  planRollingUpdate,
  podsByNode,
  rollingLimits,
} from './daemon-pods.ts';

/** How often stale failed-pod backoff entries are dropped (upstream's BackoffGCInterval). */
const BACKOFF_GC_INTERVAL_MS = 60_000;

export interface DaemonSetControllerOptions {
  /** Concurrent syncs (`--concurrent-daemonset-syncs`). Default: 2, upstream's. */
  readonly workers?: number | undefined;
}

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #dsInformer: SharedInformer<DaemonSet>;
  readonly #podInformer: SharedInformer<Pod>;
  readonly #nodeInformer: SharedInformer<Node>;
  readonly #queue: RateLimitingQueue<string>;
  readonly #expectations: ControllerExpectations;
  readonly #failedBackoff: FailedPodsBackoff;
  readonly #claimer: PodClaimer<DaemonSet>;

  constructor(ctx: ControllerContext, options: DaemonSetControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 2;
    this.#dsInformer = ctx.informers.informerFor<DaemonSet>(RESOURCES.daemonSets);
    this.#podInformer = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    this.#nodeInformer = ctx.informers.informerFor<Node>(RESOURCES.nodes);
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.#expectations = new ControllerExpectations(ctx.clock);
    this.#failedBackoff = new FailedPodsBackoff(ctx.clock);
    preparePodClaims(this.#podInformer);
    this.#claimer = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      ownerResource: RESOURCES.daemonSets,
      client: ctx.client,
      pods: this.#podInformer,
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const enqueue = (ds: KubeObject): void => {
      this.#queue.add(metaNamespaceKey(ds));
    };
    const enqueueAll = (): void => {
      for (const ds of this.#dsInformer.indexer.list()) enqueue(ds);
    };
    const ownerKey = (pod: Pod): string | undefined => {
      const ref = getControllerOf(pod);
      return ref?.kind === 'DaemonSet' ? `${pod.metadata?.namespace ?? ''}/${ref.name}` : undefined;
    };
    // An orphan wakes every DaemonSet that could adopt it (upstream's addPod/updatePod).
    const enqueueAdopters = (pod: Pod): void => {
      for (const ds of ownersSelecting(this.#dsInformer.indexer.list(), pod)) enqueue(ds);
    };
    const regs = [
      this.#dsInformer.addEventHandler({
        onAdd: enqueue,
        onUpdate: (_o, n) => {
          enqueue(n);
        },
        onDelete: (obj) => {
          const ds = tombstoneObject(obj);
          this.#expectations.delete(metaNamespaceKey(ds));
          enqueue(ds);
        },
      }),
      this.#podInformer.addEventHandler({
        onAdd: (pod) => {
          const key = ownerKey(pod);
          if (key === undefined) {
            enqueueAdopters(pod);
            return;
          }
          this.#expectations.creationObserved(key);
          this.#queue.add(key);
        },
        onUpdate: (old, pod) => {
          const key = ownerKey(pod);
          if (key !== undefined) this.#queue.add(key);
          else enqueueAdopters(pod);
          // Released by its DaemonSet: that one looks again too.
          const oldKey = ownerKey(old);
          if (oldKey !== undefined && oldKey !== key) this.#queue.add(oldKey);
        },
        onDelete: (obj) => {
          const key = ownerKey(tombstoneObject(obj));
          if (key !== undefined) this.#queue.add(key);
        },
      }),
      this.#nodeInformer.addEventHandler({
        onAdd: enqueueAll,
        onUpdate: (o, n) => {
          // Only what placement reads: labels, taints, name.
          if (
            stableJson([o.metadata?.labels, o.spec?.taints]) !==
            stableJson([n.metadata?.labels, n.spec?.taints])
          )
            enqueueAll();
        },
        onDelete: enqueueAll,
      }),
    ];
    const backoffGc = (async () => {
      while (!signal.aborted) {
        await sleep(this.#ctx.clock, BACKOFF_GC_INTERVAL_MS, signal);
        this.#failedBackoff.gc();
      }
    })();
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [this.#dsInformer, this.#podInformer, this.#nodeInformer],
        reconcile: (key, s) => this.sync(key, s),
        onError: (err, key) => {
          this.#ctx.log('warn', 'error syncing daemon set; requeuing', { key, err: String(err) });
        },
        signal,
      });
    } finally {
      for (const r of regs) r.remove();
      await backoffGc;
    }
  }

  /** syncDaemonSet: manage, rolling update, status. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    const ds = this.#dsInformer.indexer.getByKey(key);
    if (ds === undefined) {
      this.#expectations.delete(key);
      return;
    }
    if (ds.metadata?.deletionTimestamp !== undefined) return;
    const { namespace } = splitMetaNamespaceKey(key);
    const nowMs = this.#ctx.clock.now();
    const hash = daemonSetHash(ds);
    const nodes = this.#nodeInformer.indexer.list();
    const byNode = podsByNode(await claimPods(this.#claimer, ds, signal));
    if (this.#expectations.satisfied(key)) {
      const { maxSurge } = rollingLimits(ds, nodes.length);
      const manage = planManage(ds, nodes, byNode, hash, maxSurge);
      let createOn = manage.createOn;
      let deletePods = [
        ...manage.deletePods,
        ...this.#failedPodsToDelete(ds, key, manage.failed),
        ...manage.succeeded.map(({ node, pod }) => {
          this.#ctx.events.event(
            ds,
            'Normal',
            'SucceededDaemonPod',
            `Found succeeded daemon pod ${namespace}/${pod} on node ${node}, will try to delete it`,
          );
          return pod;
        }),
      ];
      if (ds.spec?.updateStrategy?.type !== 'OnDelete') {
        const ru = planRollingUpdate(ds, nodes, byNode, hash, nowMs);
        createOn = [...new Set([...createOn, ...ru.createOn])];
        deletePods = [...new Set([...deletePods, ...ru.deletePods])];
      }
      await this.#syncNodes(ds, namespace, hash, createOn, deletePods, signal);
    }
    const status = computeStatus(ds, nodes, byNode, hash, nowMs);
    if (stableJson(status) !== stableJson(ds.status ?? {})) {
      await this.#ctx.client.update<DaemonSet>(
        {
          ...RESOURCES.daemonSets,
          namespace,
          name: ds.metadata?.name ?? '',
          subresource: 'status',
        },
        { ...ds, status },
        { signal },
      );
    }
    // Pods ready but not yet available: look again once minReadySeconds have passed.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable)
      this.#queue.addAfter(key, minReady * 1000);
  }

  /**
   * Failed daemon pods go only as the per-node backoff allows (upstream's fight with a kubelet
   * that rejects the pod); the rest wait, and the DaemonSet is looked at again when they may go.
   */
  #failedPodsToDelete(ds: DaemonSet, key: string, failed: readonly NodePod[]): string[] {
    const out: string[] = [];
    for (const { node, pod } of failed) {
      // failedPodsBackoffKey: a new generation of the DaemonSet starts a fresh backoff.
      const generation = String(ds.status?.observedGeneration ?? 0);
      const backoffKey = `${ds.metadata?.uid ?? key}/${generation}/${node}`;
      const wait = this.#failedBackoff.remainingMs(backoffKey);
      if (wait > 0) {
        this.#queue.addAfter(key, wait);
        continue;
      }
      this.#failedBackoff.next(backoffKey);
      this.#ctx.events.event(
        ds,
        'Warning',
        'FailedDaemonPod',
        `Found failed daemon pod ${ds.metadata?.namespace ?? ''}/${pod} on node ${node}, will try to kill it`,
      );
      out.push(pod);
    }
    return out;
  }

  async #syncNodes(
    ds: DaemonSet,
    namespace: string,
    hash: string,
    createOn: readonly string[],
    deletePods: readonly string[],
    signal: AbortSignal,
  ): Promise<void> {
    const key = metaNamespaceKey(ds);
    const errors: unknown[] = [];
    if (createOn.length > 0) this.#expectations.expectCreations(key, createOn.length);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    await Promise.all(
      createOn.map(async (nodeName) => {
        const pod = podFromTemplate(daemonPodTemplate(ds, hash, nodeName), namespace, ref);
        pod.metadata = { ...pod.metadata, generateName: `${ds.metadata?.name ?? ''}-` };
        try {
          const created = await this.#ctx.client.create<Pod>(
            { ...RESOURCES.pods, namespace },
            pod,
            { signal },
          );
          this.#ctx.events.event(
            ds,
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${created.metadata?.name ?? ''}`,
          );
        } catch (err: unknown) {
          this.#expectations.creationObserved(key);
          // The namespace is being deleted: every create fails alike; drop it quietly, as upstream.
          if (isNamespaceTerminating(err)) return;
          this.#ctx.events.event(ds, 'Warning', 'FailedCreate', `Error creating: ${String(err)}`);
          errors.push(err);
        }
      }),
    );
    await Promise.all(
      deletePods.map(async (name) => {
        try {
          await this.#ctx.client.delete({ ...RESOURCES.pods, namespace, name }, { signal });
          this.#ctx.events.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err: unknown) {
          if (isNotFound(err)) return;
          this.#ctx.events.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${String(err)}`);
          errors.push(err);
        }
      }),
    );
    if (errors.length > 0) throw errors[0];
  }
}
