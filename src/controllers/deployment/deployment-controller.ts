/**
 * The Deployment controller (upstream's pkg/controller/deployment/deployment_controller.go):
 * watches Deployments, the ReplicaSets they own and the deletes of their pods, and syncs each
 * Deployment through `DeploymentSync`. A Deployment adopts matching ReplicaSets without a
 * controller and releases owned ones that stopped matching, as upstream's ControllerRefManager.
 * A Deployment with an empty selector (selects everything) is refused with a `SelectingAll`
 * warning, as upstream.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import { LabelSelector } from '../../api/selectors/index.ts';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  metaNamespaceKey,
  runControllerLoop,
  splitMetaNamespaceKey,
} from '../../client/index.ts';
import type { SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { claimObjects, getControllerOf, newControllerRef } from '../util/controller-ref.ts';
import { ensureNamespaceIndex, listInNamespace } from '../util/namespace-index.ts';
import { DeploymentSync } from './deployment-sync.ts';

export interface DeploymentControllerOptions {
  /** Concurrent syncs. Default: 5 (kube-controller-manager's --concurrent-deployment-syncs). */
  readonly workers?: number | undefined;
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #dInformer: SharedInformer<Deployment>;
  readonly #rsInformer: SharedInformer<ReplicaSet>;
  readonly #podInformer: SharedInformer<Pod>;
  readonly #queue: RateLimitingQueue<string>;

  constructor(ctx: ControllerContext, options: DeploymentControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#dInformer = ctx.informers.informerFor<Deployment>(RESOURCES.deployments);
    this.#rsInformer = ctx.informers.informerFor<ReplicaSet>(RESOURCES.replicaSets);
    this.#podInformer = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    ensureNamespaceIndex(this.#dInformer);
    ensureNamespaceIndex(this.#rsInformer);
    ensureNamespaceIndex(this.#podInformer);
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    const regs = [
      this.#dInformer.addEventHandler({
        onAdd: (d) => {
          this.#enqueue(d);
        },
        onUpdate: (_old, d) => {
          this.#enqueue(d);
        },
        onDelete: (obj) => {
          this.#queue.add(
            obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj),
          );
        },
      }),
      this.#rsInformer.addEventHandler({
        onAdd: (rs) => {
          this.#replicaSetChanged(rs);
        },
        onUpdate: (old, rs) => {
          if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
          const oldRef = getControllerOf(old);
          if (oldRef !== undefined && oldRef.uid !== getControllerOf(rs)?.uid)
            this.#enqueueOwner(old.metadata?.namespace ?? '', oldRef);
          this.#replicaSetChanged(rs);
        },
        onDelete: (obj) => {
          const rs = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
          const ref = getControllerOf(rs);
          if (ref !== undefined) this.#enqueueOwner(rs.metadata?.namespace ?? '', ref);
        },
      }),
      this.#podInformer.addEventHandler({
        // Recreate waits for old pods to be gone: hear about their deletes.
        onDelete: (obj) => {
          const pod = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
          const ns = pod.metadata?.namespace ?? '';
          const rsRef = getControllerOf(pod);
          if (rsRef?.kind !== 'ReplicaSet') return;
          const rs = this.#rsInformer.indexer.getByKey(`${ns}/${rsRef.name}`);
          const dRef = rs === undefined ? undefined : getControllerOf(rs);
          if (dRef !== undefined) this.#enqueueOwner(ns, dRef);
        },
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        reconcile: (key, s) => this.sync(key, s),
        workers: this.#workers,
        informers: [this.#dInformer, this.#rsInformer, this.#podInformer],
        onError: (err, key) => {
          this.#ctx.log('warn', 'error syncing deployment; requeuing', {
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

  #enqueue(d: Deployment): void {
    this.#queue.add(metaNamespaceKey(d));
  }

  #enqueueOwner(namespace: string, ref: OwnerReference): void {
    if (ref.kind !== 'Deployment') return;
    const d = this.#dInformer.indexer.getByKey(`${namespace}/${ref.name}`);
    if (d?.metadata?.uid === ref.uid) this.#enqueue(d);
  }

  #replicaSetChanged(rs: ReplicaSet): void {
    const ns = rs.metadata?.namespace ?? '';
    const ref = getControllerOf(rs);
    if (ref !== undefined) {
      this.#enqueueOwner(ns, ref);
      return;
    }
    // An orphan: every Deployment that could adopt it.
    const labels = rs.metadata?.labels ?? {};
    for (const d of listInNamespace(this.#dInformer, ns)) {
      try {
        const sel = LabelSelector.fromObject(d.spec?.selector);
        if (!sel.isEmpty() && sel.matches(labels)) this.#enqueue(d);
      } catch {
        // An invalid selector selects nothing.
      }
    }
  }

  /** syncDeployment. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    const cached = this.#dInformer.indexer.getByKey(key);
    if (cached === undefined) return;
    const d = structuredClone(cached);
    const { namespace, name } = splitMetaNamespaceKey(key);
    let selector: LabelSelector;
    try {
      selector = LabelSelector.fromObject(d.spec?.selector);
    } catch (err: unknown) {
      this.#ctx.log('error', 'invalid deployment selector', { key, error: String(err) });
      return;
    }
    if (selector.isEmpty()) {
      this.#ctx.events.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata?.generation ?? 0 };
        await this.#ctx.client.update(
          { ...RESOURCES.deployments, namespace, name, subresource: 'status' },
          d,
          { signal },
        );
      }
      return;
    }
    const rsList = await claimObjects(listInNamespace(this.#rsInformer, namespace), {
      client: this.#ctx.client,
      ref: { ...RESOURCES.replicaSets, namespace },
      owner: d,
      controllerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      selector,
      getOwner: () =>
        this.#ctx.client.get({ ...RESOURCES.deployments, namespace, name }, { signal }),
      signal,
    });
    await new DeploymentSync(d, rsList, {
      ctx: this.#ctx,
      podsInNamespace: (ns) => listInNamespace(this.#podInformer, ns),
      enqueueAfter: (ms) => {
        this.#queue.addAfter(key, ms);
      },
      enqueueRateLimited: () => {
        this.#queue.addRateLimited(key);
      },
      signal,
    }).run();
  }
}
