/**
 * The ReplicaSet controller (upstream's pkg/controller/replicaset/replica_set.go): keeps
 * `spec.replicas` active pods matching each ReplicaSet's selector, adopting matching orphans and
 * releasing pods that stopped matching. Creates go in slow-start batches (1, 2, 4, ...), deletes
 * take the pods ranked first by `podsToDelete`, and at most `burstReplicas` of either happen per
 * sync. Expectations (pending creates and deletes not yet seen in the pod informer) keep a sync
 * from acting on a cache that cannot show its own writes yet; status is recomputed every sync.
 */
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { LabelSelector } from '../../api/selectors/index.ts';
import {
  ClientTimeoutError,
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  isNamespaceTerminating,
  isNotFound,
  metaNamespaceKey,
  runControllerLoop,
  splitMetaNamespaceKey,
} from '../../client/index.ts';
import type { SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { ControllerExpectations } from '../util/controller-expectations.ts';
import { claimObjects, getControllerOf, newControllerRef } from '../util/controller-ref.ts';
import { ensureNamespaceIndex, listInNamespace } from '../util/namespace-index.ts';
import { isPodActive, isPodReady } from '../util/pod-readiness.ts';
import { slowStartBatch } from '../util/slow-start-batch.ts';
import { podsToDelete } from './pod-ranking.ts';
import { calculateReplicaSetStatus, replicaSetStatusUnchanged } from './replica-set-status.ts';

export interface ReplicaSetControllerOptions {
  /** Concurrent syncs. Default: 5 (kube-controller-manager's --concurrent-replicaset-syncs). */
  readonly workers?: number | undefined;
  /** Most creates or deletes per sync. Default: 500 (upstream's BurstReplicas). */
  readonly burstReplicas?: number | undefined;
}

const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #burst: number;
  readonly #rsInformer: SharedInformer<ReplicaSet>;
  readonly #podInformer: SharedInformer<Pod>;
  readonly #queue: RateLimitingQueue<string>;
  readonly #expectations: ControllerExpectations;

  constructor(ctx: ControllerContext, options: ReplicaSetControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#burst = options.burstReplicas ?? 500;
    this.#rsInformer = ctx.informers.informerFor<ReplicaSet>(RESOURCES.replicaSets);
    this.#podInformer = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    ensureNamespaceIndex(this.#rsInformer);
    ensureNamespaceIndex(this.#podInformer);
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
    this.#expectations = new ControllerExpectations(ctx.clock);
  }

  async run(signal: AbortSignal): Promise<void> {
    const regs = [
      this.#rsInformer.addEventHandler({
        onAdd: (rs) => {
          this.#enqueue(rs);
        },
        onUpdate: (_old, rs) => {
          this.#enqueue(rs);
        },
        onDelete: (obj) => {
          const key = obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
          this.#expectations.delete(key);
          this.#queue.add(key);
        },
      }),
      this.#podInformer.addEventHandler({
        onAdd: (pod) => {
          this.#addPod(pod);
        },
        onUpdate: (old, cur) => {
          this.#updatePod(old, cur);
        },
        onDelete: (obj) => {
          this.#deletePod(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj);
        },
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        reconcile: (key, s) => this.sync(key, s),
        workers: this.#workers,
        informers: [this.#rsInformer, this.#podInformer],
        onError: (err, key) => {
          this.#ctx.log('warn', 'error syncing replica set; requeuing', {
            key,
            error: err instanceof Error ? err.message : String(err),
          });
        },
        signal,
      });
    } finally {
      for (const r of regs) r.remove();
    }
  }

  #enqueue(rs: ReplicaSet): void {
    this.#queue.add(metaNamespaceKey(rs));
  }

  /** The ReplicaSet a controllerRef names, if the cache has it with that UID. */
  #resolve(namespace: string, ref: ReturnType<typeof getControllerOf>): ReplicaSet | undefined {
    if (ref?.kind !== RS_KIND.kind || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = this.#rsInformer.indexer.getByKey(`${namespace}/${ref.name}`);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod. */
  #matchingReplicaSets(pod: Pod): ReplicaSet[] {
    const labels = pod.metadata?.labels ?? {};
    return listInNamespace(this.#rsInformer, pod.metadata?.namespace ?? '').filter((rs) => {
      try {
        const sel = LabelSelector.fromObject(rs.spec?.selector);
        return !sel.isEmpty() && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  #addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp != null) {
      this.#deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref !== undefined) {
      const rs = this.#resolve(pod.metadata?.namespace ?? '', ref);
      if (rs === undefined) return;
      this.#expectations.creationObserved(metaNamespaceKey(rs));
      this.#enqueue(rs);
      return;
    }
    for (const rs of this.#matchingReplicaSets(pod)) this.#enqueue(rs);
  }

  #updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp != null) {
      // A graceful delete: count it as the delete we expected now, not when the kubelet is done.
      this.#deletePod(cur);
      if (labelChanged) this.#deletePod(old);
      return;
    }
    const ns = cur.metadata?.namespace ?? '';
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef !== undefined) {
      const rs = this.#resolve(ns, oldRef);
      if (rs !== undefined) this.#enqueue(rs);
    }
    if (curRef !== undefined) {
      const rs = this.#resolve(ns, curRef);
      if (rs === undefined) return;
      this.#enqueue(rs);
      // Availability turns true minReadySeconds after readiness; look again then.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0)
        this.#queue.addAfter(metaNamespaceKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged)
      for (const rs of this.#matchingReplicaSets(cur)) this.#enqueue(rs);
  }

  #deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (ref === undefined) return;
    const rs = this.#resolve(pod.metadata?.namespace ?? '', ref);
    if (rs === undefined) return;
    const rsKey = metaNamespaceKey(rs);
    this.#expectations.deletionObserved(rsKey, metaNamespaceKey(pod));
    this.#queue.add(rsKey);
  }

  /** syncReplicaSet: level-based; throws to be retried. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    const rs = this.#rsInformer.indexer.getByKey(key);
    if (rs === undefined) {
      this.#expectations.delete(key);
      return;
    }
    const needsSync = this.#expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = LabelSelector.fromObject(rs.spec?.selector);
    } catch (err: unknown) {
      // Validation should have stopped this; retrying cannot fix it (upstream returns nil).
      this.#ctx.log('error', 'invalid replica set selector', { key, error: String(err) });
      return;
    }
    const { namespace } = splitMetaNamespaceKey(key);
    const active = listInNamespace(this.#podInformer, namespace).filter(isPodActive);
    const pods = await claimObjects(active, {
      client: this.#ctx.client,
      ref: { ...RESOURCES.pods, namespace },
      owner: rs,
      controllerRef: newControllerRef(rs, RS_KIND.apiVersion, RS_KIND.kind),
      selector,
      getOwner: () =>
        this.#ctx.client.get(
          { ...RESOURCES.replicaSets, namespace, name: rs.metadata?.name ?? '' },
          { signal },
        ),
      signal,
    });
    let manageError: unknown = undefined;
    if (needsSync && rs.metadata?.deletionTimestamp == null) {
      manageError = await this.#manageReplicas(key, pods, rs, signal);
    }
    const nowMs = this.#ctx.clock.now();
    const status = calculateReplicaSetStatus(rs, pods, manageError, nowMs);
    const updated = await this.#updateStatus(rs, status, signal);
    const replicas = updated.spec?.replicas ?? 1;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    if (
      manageError === undefined &&
      minReady > 0 &&
      updated.status?.readyReplicas === replicas &&
      updated.status.availableReplicas !== replicas
    )
      this.#queue.addAfter(key, minReady * 1000);
    if (manageError !== undefined) throw asError(manageError);
  }

  /** Creates or deletes pods toward spec.replicas; resolves the error to report, if any. */
  async #manageReplicas(
    key: string,
    pods: readonly Pod[],
    rs: ReplicaSet,
    signal: AbortSignal,
  ): Promise<unknown> {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const namespace = rs.metadata?.namespace ?? '';
    if (diff < 0) {
      const count = Math.min(-diff, this.#burst);
      this.#expectations.expectCreations(key, count);
      const { successes, error } = await slowStartBatch(count, 1, () =>
        this.#createPod(rs, signal),
      );
      // Creates never attempted will never be observed.
      for (let i = successes; i < count; i++) this.#expectations.creationObserved(key);
      return error;
    }
    if (diff > 0) {
      const count = Math.min(diff, this.#burst);
      const victims = podsToDelete(pods, this.#relatedPods(rs), count, this.#ctx.clock.now());
      this.#expectations.expectDeletions(
        key,
        victims.map((p) => metaNamespaceKey(p)),
      );
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          const name = pod.metadata?.name ?? '';
          try {
            await this.#ctx.client.delete({ ...RESOURCES.pods, namespace, name }, { signal });
            this.#ctx.events.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
          } catch (err: unknown) {
            // Never to be observed: stop waiting for it.
            this.#expectations.deletionObserved(key, metaNamespaceKey(pod));
            if (isNotFound(err)) return;
            this.#ctx.events.event(
              rs,
              'Warning',
              'FailedDelete',
              `Error deleting: ${errText(err)}`,
            );
            throw err;
          }
        }),
      );
      return results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
    }
    return undefined;
  }

  async #createPod(rs: ReplicaSet, signal: AbortSignal): Promise<void> {
    const template = rs.spec?.template ?? {};
    const meta = template.metadata ?? {};
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata?.name ?? ''}-`,
        namespace: rs.metadata?.namespace ?? '',
        labels: { ...meta.labels },
        annotations: { ...meta.annotations },
        ownerReferences: [newControllerRef(rs, RS_KIND.apiVersion, RS_KIND.kind)],
        ...(meta.finalizers === undefined ? {} : { finalizers: [...meta.finalizers] }),
      },
      ...(template.spec === undefined ? {} : { spec: structuredClone(template.spec) }),
    };
    try {
      const created = await this.#ctx.client.create<Pod>(
        { ...RESOURCES.pods, namespace: rs.metadata?.namespace ?? '' },
        pod,
        { signal },
      );
      this.#ctx.events.event(
        rs,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata?.name ?? ''}`,
      );
    } catch (err: unknown) {
      // A timeout may still have created the pod: keep expecting it (upstream does the same).
      if (err instanceof ClientTimeoutError) return;
      // The namespace is being deleted: every create fails alike; drop it quietly, as upstream.
      if (isNamespaceTerminating(err)) return;
      this.#ctx.events.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errText(err)}`);
      throw err;
    }
  }

  /** Pods of every ReplicaSet with the same controller as `rs` (getIndirectlyRelatedPods). */
  #relatedPods(rs: ReplicaSet): Pod[] {
    const namespace = rs.metadata?.namespace ?? '';
    const owner = getControllerOf(rs);
    const uids = new Set<string>([rs.metadata?.uid ?? '']);
    if (owner !== undefined) {
      for (const other of listInNamespace(this.#rsInformer, namespace))
        if (getControllerOf(other)?.uid === owner.uid) uids.add(other.metadata?.uid ?? '');
    }
    return listInNamespace(this.#podInformer, namespace).filter((p) =>
      uids.has(getControllerOf(p)?.uid ?? '\0'),
    );
  }

  /** updateReplicaSetStatus: one retry on a fresh read, as upstream's statusUpdateRetries. */
  async #updateStatus(
    rs: ReplicaSet,
    status: ReplicaSetStatus,
    signal: AbortSignal,
  ): Promise<ReplicaSet> {
    if (replicaSetStatusUnchanged(rs, status)) return rs;
    const ref = {
      ...RESOURCES.replicaSets,
      namespace: rs.metadata?.namespace ?? '',
      name: rs.metadata?.name ?? '',
      subresource: 'status',
    };
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      const body: ReplicaSet = {
        ...current,
        status: { ...status, observedGeneration: current.metadata?.generation ?? 0 },
      };
      try {
        return await this.#ctx.client.update<ReplicaSet>(ref, body, { signal });
      } catch (err: unknown) {
        if (attempt >= 1) throw err;
        current = await this.#ctx.client.get<ReplicaSet>(
          { ...ref, subresource: undefined },
          { signal },
        );
      }
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(errText(err));
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
