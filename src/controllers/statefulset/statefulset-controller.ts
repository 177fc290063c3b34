/**
 * The `statefulset` controller (pkg/controller/statefulset, v1.33): reconciles each
 * StatefulSet's pods toward `planStatefulSet`'s actions and writes the status. Level-based and
 * safe against a stale cache without expectations, as upstream: pod names are fixed, so a
 * repeated create answers AlreadyExists and a repeated delete NotFound, both ignored. Orphaned
 * pods the selector matches and named `<sts>-<ordinal>` are adopted (upstream's isMemberOf
 * filter; a StatefulSet re-created after `--cascade=orphan` takes its pods back), owned pods
 * that stopped matching are released. Claim templates are not supported
 * (no storage): a Warning `VolumeClaimTemplatesNotSupported` event says they are emptyDir.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import {
  RateLimitingQueue,
  isAlreadyExists,
  isNotFound,
  metaNamespaceKey,
  runControllerLoop,
  splitMetaNamespaceKey,
  tombstoneObject,
} from '../../client/index.ts';
import type { KubeObject, SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { getControllerOf } from '../util/controller-ref.ts';
import { claimPods, ownersSelecting, preparePodClaims } from '../util/claim-pods.ts';
import type { PodClaimer } from '../util/claim-pods.ts';
import { stableJson } from '../util/owned-pods.ts';
import { newStatefulSetPod, ordinalOf, planStatefulSet } from './stateful-set-control.ts';
import type { StatefulSetAction } from './stateful-set-control.ts';

export interface StatefulSetControllerOptions {
  /** Concurrent syncs (`--concurrent-statefulset-syncs`). Default: 5, upstream's. */
  readonly workers?: number | undefined;
}

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly #ctx: ControllerContext;
  readonly #workers: number;
  readonly #stsInformer: SharedInformer<StatefulSet>;
  readonly #podInformer: SharedInformer<Pod>;
  readonly #queue: RateLimitingQueue<string>;
  readonly #claimer: PodClaimer<StatefulSet>;

  constructor(ctx: ControllerContext, options: StatefulSetControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#stsInformer = ctx.informers.informerFor<StatefulSet>(RESOURCES.statefulSets);
    this.#podInformer = ctx.informers.informerFor<Pod>(RESOURCES.pods);
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
    preparePodClaims(this.#podInformer);
    this.#claimer = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      ownerResource: RESOURCES.statefulSets,
      client: ctx.client,
      pods: this.#podInformer,
      canAdopt: (sts, pod) => ordinalOf(sts, pod) !== undefined,
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const enqueue = (obj: KubeObject): void => {
      this.#queue.add(metaNamespaceKey(obj));
    };
    const enqueueOwner = (pod: Pod): void => {
      const ref = getControllerOf(pod);
      if (ref?.kind === 'StatefulSet')
        this.#queue.add(`${pod.metadata?.namespace ?? ''}/${ref.name}`);
      // An orphan wakes every StatefulSet that could adopt it.
      else for (const sts of ownersSelecting(this.#stsInformer.indexer.list(), pod)) enqueue(sts);
    };
    const regs = [
      this.#stsInformer.addEventHandler({
        onAdd: enqueue,
        onUpdate: (_o, n) => {
          enqueue(n);
        },
        onDelete: (obj) => {
          enqueue(tombstoneObject(obj));
        },
      }),
      this.#podInformer.addEventHandler({
        onAdd: enqueueOwner,
        onUpdate: (o, n) => {
          enqueueOwner(n);
          // Released by its StatefulSet: that one looks again too.
          if (getControllerOf(o)?.uid !== getControllerOf(n)?.uid) enqueueOwner(o);
        },
        onDelete: (obj) => {
          enqueueOwner(tombstoneObject(obj));
        },
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [this.#stsInformer, this.#podInformer],
        reconcile: (key, s) => this.sync(key, s),
        onError: (err, key) => {
          this.#ctx.log('warn', 'error syncing stateful set; requeuing', { key, err: String(err) });
        },
        signal,
      });
    } finally {
      for (const r of regs) r.remove();
    }
  }

  async sync(key: string, signal: AbortSignal): Promise<void> {
    const sts = this.#stsInformer.indexer.getByKey(key);
    if (sts === undefined || sts.metadata?.deletionTimestamp !== undefined) return;
    const { namespace } = splitMetaNamespaceKey(key);
    const pods = await claimPods(this.#claimer, sts, signal);
    const plan = planStatefulSet(sts, pods, this.#ctx.clock.now());
    const results = await Promise.allSettled(
      plan.actions.map((a) => this.#act(sts, namespace, a, signal)),
    );
    if (stableJson(plan.status) !== stableJson(sts.status ?? {})) {
      await this.#ctx.client.update<StatefulSet>(
        {
          ...RESOURCES.statefulSets,
          namespace,
          name: sts.metadata?.name ?? '',
          subresource: 'status',
        },
        { ...sts, status: plan.status },
        { signal },
      );
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const minReady = sts.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.readyReplicas !== plan.status.availableReplicas)
      this.#queue.addAfter(key, minReady * 1000);
  }

  async #act(
    sts: StatefulSet,
    namespace: string,
    action: StatefulSetAction,
    signal: AbortSignal,
  ): Promise<void> {
    const stsName = sts.metadata?.name ?? '';
    if (action.kind === 'create') {
      const pod = newStatefulSetPod(sts, action.ordinal, action.revision);
      const podName = pod.metadata?.name ?? '';
      const claims = (sts.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '');
      if (claims.length > 0)
        this.#ctx.events.event(
          sts,
          'Warning',
          'VolumeClaimTemplatesNotSupported',
          `k8ts has no storage: claim templates ${claims.join(', ')} of Pod ${podName} are emptyDir volumes`,
        );
      try {
        await this.#ctx.client.create<Pod>({ ...RESOURCES.pods, namespace }, pod, { signal });
        this.#ctx.events.event(
          sts,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${podName} in StatefulSet ${stsName} successful`,
        );
      } catch (err: unknown) {
        if (isAlreadyExists(err)) return;
        this.#ctx.events.event(
          sts,
          'Warning',
          'FailedCreate',
          `create Pod ${podName} in StatefulSet ${stsName} failed error: ${String(err)}`,
        );
        throw err;
      }
      return;
    }
    try {
      await this.#ctx.client.delete(
        { ...RESOURCES.pods, namespace, name: action.podName },
        { signal },
      );
      this.#ctx.events.event(
        sts,
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${action.podName} in StatefulSet ${stsName} successful`,
      );
    } catch (err: unknown) {
      if (isNotFound(err)) return;
      this.#ctx.events.event(
        sts,
        'Warning',
        'FailedDelete',
        `delete Pod ${action.podName} in StatefulSet ${stsName} failed error: ${String(err)}`,
      );
      throw err;
    }
  }
}
