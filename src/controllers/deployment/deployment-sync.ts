/**
 * One sync of one Deployment (deployment_controller.go syncDeployment with sync.go, rolling.go,
 * recreate.go and progress.go): find or create the new ReplicaSet (named
 * `<deploy>-<pod-template-hash>`), then either only scale (paused, or a replicas change
 * mid-rollout: proportional scaling) or roll out (RollingUpdate within maxSurge/maxUnavailable,
 * or Recreate: old pods gone before new ones start), clean up history beyond
 * revisionHistoryLimit once complete, and write status. A rollback (`kubectl rollout undo`)
 * puts an old template back; its ReplicaSet is found by template equality and reused, with a
 * new revision. Each write that fails throws: the whole sync is retried on fresh caches.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isNotFound } from '../../client/index.ts';
import type { ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { getControllerOf } from '../util/controller-ref.ts';
import {
  deploymentComplete,
  desiredReplicasAnnotation,
  filterActive,
  findOldReplicaSets,
  isRollingUpdate,
  replicaSetsToCleanUp,
  specReplicas,
  sumActualReplicas,
} from './deployment-util.ts';
import {
  calculateStatus,
  msUntilProgressDeadline,
  pausedCondition,
  rolloutStatus,
  statusEqual,
} from './deployment-status.ts';
import { DeploymentWrites } from './deployment-writes.ts';
import { newReplicaSetTarget, planReconcileOld, planScale } from './rolling-plan.ts';

export interface DeploymentSyncDeps {
  readonly ctx: ControllerContext;
  /** Pods in the Deployment's namespace (the informer cache). */
  readonly podsInNamespace: (namespace: string) => readonly Pod[];
  /** Requeue the Deployment after a delay (progress deadline checks). */
  readonly enqueueAfter: (delayMs: number) => void;
  /** Requeue the Deployment through the rate limiter (a deadline already due). */
  readonly enqueueRateLimited: () => void;
  readonly signal: AbortSignal;
}

export class DeploymentSync {
  readonly #w: DeploymentWrites;
  readonly #deps: DeploymentSyncDeps;

  /** `rsList`: the ReplicaSets this Deployment controls (already claimed). */
  constructor(d: Deployment, rsList: readonly ReplicaSet[], deps: DeploymentSyncDeps) {
    this.#w = new DeploymentWrites(d, rsList, deps);
    this.#deps = deps;
  }

  /** syncDeployment after the selector check and the claim. */
  async run(): Promise<void> {
    const d = this.#w.d;
    if (d.metadata?.deletionTimestamp != null) {
      await this.#syncStatusOnly();
      return;
    }
    await this.#checkPausedConditions();
    if (this.#w.d.spec?.paused === true || (await this.#isScalingEvent())) {
      await this.#syncScale();
      return;
    }
    if (isRollingUpdate(this.#w.d)) await this.#rolloutRolling();
    else await this.#rolloutRecreate();
  }

  // ---- new/old ReplicaSets (sync.go) ----

  async #allReplicaSets(create: boolean): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
    const oldRSs = findOldReplicaSets(this.#w.d, this.#w.rsList);
    const newRS = await this.#w.getNewReplicaSet(oldRSs, create);
    return [newRS, oldRSs];
  }

  // ---- scaling (sync.go) ----

  async #isScalingEvent(): Promise<boolean> {
    const [newRS, oldRSs] = await this.#allReplicaSets(false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== specReplicas(this.#w.d)) return true;
    }
    return false;
  }

  /** sync(): scale only (paused, or replicas changed), cleanup when paused, status. */
  async #syncScale(): Promise<void> {
    const [newRS, oldRSs] = await this.#allReplicaSets(false);
    await this.#scale(newRS, oldRSs);
    if (this.#w.d.spec?.paused === true) await this.#cleanup(oldRSs);
    await this.#syncStatus(this.#w.current([...oldRSs, newRS]), this.#w.current([newRS])[0]);
  }

  async #scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    for (const step of planScale(this.#w.d, newRS, oldRSs))
      await this.#w.scaleRS(step.rs, step.replicas);
  }

  // ---- rolling.go ----

  async #rolloutRolling(): Promise<void> {
    const d = this.#w.d;
    const [newRS, oldRSs] = await this.#allReplicaSets(true);
    const all = (): ReplicaSet[] => this.#w.current([...oldRSs, newRS]);
    const cur = (): ReplicaSet | undefined => this.#w.current([newRS])[0];
    if (newRS !== undefined && (await this.#reconcileNewRS(all(), newRS))) {
      await this.#syncRolloutStatus(all(), cur());
      return;
    }
    if (await this.#reconcileOldRSs(all(), filterActive(this.#w.current(oldRSs)), cur())) {
      await this.#syncRolloutStatus(all(), cur());
      return;
    }
    if (deploymentComplete(d, d.status ?? {})) await this.#cleanup(this.#w.current(oldRSs));
    await this.#syncRolloutStatus(all(), cur());
  }

  async #reconcileNewRS(allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const target = newReplicaSetTarget(this.#w.d, allRSs, newRS);
    return target === undefined ? false : this.#w.scaleRS(newRS, target);
  }

  async #reconcileOldRSs(
    allRSs: ReplicaSet[],
    oldRSs: ReplicaSet[],
    newRS: ReplicaSet | undefined,
  ): Promise<boolean> {
    let scaled = 0;
    for (const step of planReconcileOld(allRSs, oldRSs, newRS, this.#w.d))
      if (await this.#w.scaleRS(step.rs, step.replicas)) scaled++;
    return scaled > 0;
  }

  // ---- recreate.go ----

  async #rolloutRecreate(): Promise<void> {
    let [newRS, oldRSs] = await this.#allReplicaSets(false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) if (await this.#w.scaleRS(rs, 0)) scaledDown = true;
    if (scaledDown || this.#oldPodsRunning(newRS, this.#w.current(oldRSs))) {
      await this.#syncRolloutStatus(
        this.#w.current([...oldRSs, newRS]),
        this.#w.current([newRS])[0],
      );
      return;
    }
    if (newRS === undefined) [newRS, oldRSs] = await this.#allReplicaSets(true);
    if (newRS !== undefined) await this.#w.scaleRS(newRS, specReplicas(this.#w.d));
    if (deploymentComplete(this.#w.d, this.#w.d.status ?? {}))
      await this.#cleanup(this.#w.current(oldRSs));
    await this.#syncRolloutStatus(this.#w.current([...oldRSs, newRS]), this.#w.current([newRS])[0]);
  }

  /** oldPodsRunning: old RSs still report pods, or pods of theirs are not yet terminal. */
  #oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumActualReplicas(oldRSs) > 0) return true;
    const uids = new Set(this.#w.rsList.map((rs) => rs.metadata?.uid ?? ''));
    uids.delete(newRS?.metadata?.uid ?? '');
    return this.#deps
      .podsInNamespace(this.#w.ns)
      .some(
        (p) =>
          uids.has(getControllerOf(p)?.uid ?? '\0') &&
          p.status?.phase !== 'Failed' &&
          p.status?.phase !== 'Succeeded',
      );
  }

  // ---- history, pause, status ----

  /** cleanupDeployment: delete the oldest idle old RSs beyond revisionHistoryLimit. */
  async #cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(oldRSs, this.#w.d.spec?.revisionHistoryLimit)) {
      const name = rs.metadata?.name ?? '';
      try {
        await this.#deps.ctx.client.delete(
          { ...RESOURCES.replicaSets, namespace: this.#w.ns, name },
          { signal: this.#deps.signal, preconditions: { uid: rs.metadata?.uid ?? '' } },
        );
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #checkPausedConditions(): Promise<void> {
    const cond = pausedCondition(this.#w.d, this.#w.now());
    if (cond === undefined) return;
    this.#w.setCondition(cond);
    await this.#w.updateStatus();
  }

  async #syncStatusOnly(): Promise<void> {
    const [newRS, oldRSs] = await this.#allReplicaSets(false);
    await this.#syncStatus([...oldRSs, ...(newRS === undefined ? [] : [newRS])], newRS);
  }

  /** syncDeploymentStatus: counts and Available only. */
  async #syncStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.#w.d, this.#w.now());
    if (statusEqual(this.#w.d.status, status)) return;
    this.#w.d.status = status;
    await this.#w.updateStatus();
  }

  /** syncRolloutStatus: plus Progressing/ReplicaFailure, and a requeue at the deadline. */
  async #syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = rolloutStatus(allRSs, newRS, this.#w.d, this.#w.now());
    if (statusEqual(this.#w.d.status, status)) {
      const after = msUntilProgressDeadline(this.#w.d, status, this.#w.now());
      if (after === 0) this.#deps.enqueueRateLimited();
      else if (after !== undefined) this.#deps.enqueueAfter(after);
      return;
    }
    this.#w.d.status = status;
    await this.#w.updateStatus();
  }
}
