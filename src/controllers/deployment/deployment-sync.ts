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
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { isAlreadyExists, isNotFound } from '../../client/index.ts';
import type { ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { getControllerOf, newControllerRef } from '../util/controller-ref.ts';
import {
  deploymentComplete,
  desiredReplicasAnnotation,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  newRSNewReplicas,
  byRevision,
  specReplicas,
  sumActualReplicas,
  sumReplicas,
} from './deployment-util.ts';
import {
  calculateStatus,
  getCondition,
  msUntilProgressDeadline,
  newCondition,
  rolloutStatus,
  setCondition,
  statusEqual,
} from './deployment-status.ts';
import { POD_TEMPLATE_HASH_LABEL, computeHash, equalIgnoreHash } from './pod-template-hash.ts';
import {
  REVISION_ANNOTATION,
  maxRevision,
  replicasAnnotationsNeedUpdate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './revision-annotations.ts';
import {
  maxScaledDown,
  planCleanupUnhealthy,
  planProportionalScale,
  planScaleDownOld,
} from './rolling-plan.ts';

const DEPLOY_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

export interface DeploymentSyncDeps {
  readonly ctx: ControllerContext;
  /** Pods in the Deployment's namespace (the informer cache). */
  readonly podsInNamespace: (namespace: string) => readonly Pod[];
  /** Requeue the Deployment after a delay (progress deadline checks). */
  readonly enqueueAfter: (delayMs: number) => void;
  readonly signal: AbortSignal;
}

export class DeploymentSync {
  #d: Deployment;
  readonly #deps: DeploymentSyncDeps;
  readonly #rsList: ReplicaSet[];

  /** `rsList`: the ReplicaSets this Deployment controls (already claimed). */
  constructor(d: Deployment, rsList: readonly ReplicaSet[], deps: DeploymentSyncDeps) {
    this.#d = structuredClone(d);
    this.#rsList = rsList.map((rs) => structuredClone(rs));
    this.#deps = deps;
  }

  get #ns(): string {
    return this.#d.metadata?.namespace ?? '';
  }

  #now(): number {
    return this.#deps.ctx.clock.now();
  }

  /** syncDeployment after the selector check and the claim. */
  async run(): Promise<void> {
    const d = this.#d;
    if (d.metadata?.deletionTimestamp != null) {
      await this.#syncStatusOnly();
      return;
    }
    await this.#checkPausedConditions();
    if (this.#d.spec?.paused === true || (await this.#isScalingEvent())) {
      await this.#syncScale();
      return;
    }
    if (isRollingUpdate(this.#d)) await this.#rolloutRolling();
    else await this.#rolloutRecreate();
  }

  // ---- new/old ReplicaSets (sync.go) ----

  async #allReplicaSets(create: boolean): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
    const oldRSs = findOldReplicaSets(this.#d, this.#rsList);
    const newRS = await this.#getNewReplicaSet(oldRSs, create);
    return [newRS, oldRSs];
  }

  async #getNewReplicaSet(oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.#d;
    const existing = findNewReplicaSet(d, this.#rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing !== undefined) {
      const rsCopy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(
        d,
        rsCopy,
        newRevision,
        true,
        maxSurge(d),
      );
      const minReadyChanged =
        (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        rsCopy.spec = { ...rsCopy.spec, selector: rsCopy.spec?.selector ?? {} };
        rsCopy.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
        return this.#replaceRS(await this.#updateRS(rsCopy));
      }
      let needsUpdate = this.#setDeploymentRevision(
        rsCopy.metadata?.annotations?.[REVISION_ANNOTATION],
      );
      if (hasProgressDeadline(d) && getCondition(d.status, 'Progressing') === undefined) {
        const msg = `Found new replica set "${rsCopy.metadata?.name ?? ''}"`;
        this.#setCondition(
          newCondition('Progressing', 'True', 'FoundNewReplicaSet', msg, this.#now()),
        );
        needsUpdate = true;
      }
      if (needsUpdate) await this.#updateStatus();
      return rsCopy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata?.name ?? ''}-${hash}`;
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: this.#ns,
        ownerReferences: [newControllerRef(d, DEPLOY_KIND.apiVersion, DEPLOY_KIND.kind)],
        labels: { ...template.metadata.labels },
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec?.minReadySeconds ?? 0,
        selector,
        template,
      },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec = { ...newRS.spec, selector, replicas };
    setNewReplicaSetAnnotations(d, newRS, newRevision, false, maxSurge(d));
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.#deps.ctx.client.create<ReplicaSet>(
        { ...RESOURCES.replicaSets, namespace: this.#ns },
        newRS,
        { signal: this.#deps.signal },
      );
    } catch (err: unknown) {
      if (isAlreadyExists(err)) {
        const rs = await this.#deps.ctx.client.get<ReplicaSet>(
          { ...RESOURCES.replicaSets, namespace: this.#ns, name },
          { signal: this.#deps.signal },
        );
        if (
          getControllerOf(rs)?.uid === d.metadata?.uid &&
          equalIgnoreHash(d.spec?.template, rs.spec?.template)
        ) {
          created = rs;
          alreadyExists = true;
        } else {
          // A hash collision: bump collisionCount so the next sync picks another name.
          d.status = { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          await this.#updateStatus();
          throw err;
        }
      } else {
        if (hasProgressDeadline(d)) {
          const msg = `Failed to create new replica set "${name}": ${err instanceof Error ? err.message : String(err)}`;
          this.#setCondition(
            newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, this.#now()),
          );
          await this.#updateStatus();
        }
        throw err;
      }
    }
    this.#rsList.push(created);
    if (!alreadyExists && replicas > 0)
      this.#event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} to ${replicas}`);
    let needsUpdate = this.#setDeploymentRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      const msg = `Created new replica set "${name}"`;
      this.#setCondition(
        newCondition('Progressing', 'True', 'NewReplicaSetCreated', msg, this.#now()),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await this.#updateStatus();
    return created;
  }

  // ---- scaling (sync.go) ----

  async #isScalingEvent(): Promise<boolean> {
    const [newRS, oldRSs] = await this.#allReplicaSets(false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== specReplicas(this.#d)) return true;
    }
    return false;
  }

  /** sync(): scale only (paused, or replicas changed), cleanup when paused, status. */
  async #syncScale(): Promise<void> {
    const [newRS, oldRSs] = await this.#allReplicaSets(false);
    await this.#scale(newRS, oldRSs);
    if (this.#d.spec?.paused === true) await this.#cleanup(oldRSs);
    await this.#syncStatus(this.#current([...oldRSs, newRS]), this.#current([newRS])[0]);
  }

  async #scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.#d;
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest !== undefined) {
      if (specReplicas(activeOrLatest) !== specReplicas(d))
        await this.#scaleRS(activeOrLatest, specReplicas(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.#scaleRS(old, 0);
      return;
    }
    if (isRollingUpdate(d))
      for (const step of planProportionalScale(d, newRS, oldRSs))
        await this.#scaleRS(step.rs, step.replicas);
  }

  /** scaleReplicaSetAndRecordEvent: size and replicas annotations; true when the size changed. */
  async #scaleRS(rs: ReplicaSet, newScale: number): Promise<boolean> {
    const d = this.#d;
    const cur = this.#current([rs])[0] ?? rs;
    const oldScale = specReplicas(cur);
    const max = specReplicas(d) + maxSurge(d);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(cur, specReplicas(d), max)) return false;
    const copy = structuredClone(cur);
    copy.spec = { ...copy.spec, selector: copy.spec?.selector ?? {}, replicas: newScale };
    setReplicasAnnotations(copy, specReplicas(d), max);
    const updated = this.#replaceRS(await this.#updateRS(copy));
    if (sizeChanged) {
      const op = oldScale < newScale ? 'up' : 'down';
      this.#event(
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${op} replica set ${updated.metadata?.name ?? ''} to ${newScale} from ${oldScale}`,
      );
    }
    return sizeChanged;
  }

  // ---- rolling.go ----

  async #rolloutRolling(): Promise<void> {
    const d = this.#d;
    const [newRS, oldRSs] = await this.#allReplicaSets(true);
    const all = (): ReplicaSet[] => this.#current([...oldRSs, newRS]);
    const cur = (): ReplicaSet | undefined => this.#current([newRS])[0];
    if (newRS !== undefined && (await this.#reconcileNewRS(all(), newRS))) {
      await this.#syncRolloutStatus(all(), cur());
      return;
    }
    if (await this.#reconcileOldRSs(all(), filterActive(this.#current(oldRSs)), cur())) {
      await this.#syncRolloutStatus(all(), cur());
      return;
    }
    if (deploymentComplete(d, d.status ?? {})) await this.#cleanup(this.#current(oldRSs));
    await this.#syncRolloutStatus(all(), cur());
  }

  async #reconcileNewRS(allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const d = this.#d;
    const replicas = specReplicas(d);
    if (specReplicas(newRS) === replicas) return false;
    if (specReplicas(newRS) > replicas) return this.#scaleRS(newRS, replicas);
    return this.#scaleRS(newRS, newRSNewReplicas(d, allRSs, newRS));
  }

  async #reconcileOldRSs(
    allRSs: ReplicaSet[],
    oldRSs: ReplicaSet[],
    newRS: ReplicaSet | undefined,
  ): Promise<boolean> {
    if (sumReplicas(oldRSs) === 0) return false;
    const limit = maxScaledDown(allRSs, newRS, this.#d);
    if (limit <= 0) return false;
    let scaled = 0;
    for (const step of planCleanupUnhealthy(oldRSs, limit)) {
      if (await this.#scaleRS(step.rs, step.replicas)) scaled++;
    }
    const afterCleanup = this.#current(oldRSs);
    for (const step of planScaleDownOld(
      this.#current([...afterCleanup, newRS]),
      afterCleanup,
      this.#d,
    )) {
      if (await this.#scaleRS(step.rs, step.replicas)) scaled++;
    }
    return scaled > 0;
  }

  // ---- recreate.go ----

  async #rolloutRecreate(): Promise<void> {
    let [newRS, oldRSs] = await this.#allReplicaSets(false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) if (await this.#scaleRS(rs, 0)) scaledDown = true;
    if (scaledDown || this.#oldPodsRunning(newRS, this.#current(oldRSs))) {
      await this.#syncRolloutStatus(this.#current([...oldRSs, newRS]), this.#current([newRS])[0]);
      return;
    }
    if (newRS === undefined) [newRS, oldRSs] = await this.#allReplicaSets(true);
    if (newRS !== undefined) await this.#scaleRS(newRS, specReplicas(this.#d));
    if (deploymentComplete(this.#d, this.#d.status ?? {}))
      await this.#cleanup(this.#current(oldRSs));
    await this.#syncRolloutStatus(this.#current([...oldRSs, newRS]), this.#current([newRS])[0]);
  }

  /** oldPodsRunning: old RSs still report pods, or pods of theirs are not yet terminal. */
  #oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumActualReplicas(oldRSs) > 0) return true;
    const uids = new Set(this.#rsList.map((rs) => rs.metadata?.uid ?? ''));
    uids.delete(newRS?.metadata?.uid ?? '');
    return this.#deps
      .podsInNamespace(this.#ns)
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
    const limit = this.#d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = oldRSs.filter((rs) => rs.metadata?.deletionTimestamp == null).sort(byRevision);
    const diff = alive.length - limit;
    for (const rs of alive.slice(0, Math.max(0, diff))) {
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      const name = rs.metadata?.name ?? '';
      try {
        await this.#deps.ctx.client.delete(
          { ...RESOURCES.replicaSets, namespace: this.#ns, name },
          { signal: this.#deps.signal, preconditions: { uid: rs.metadata?.uid ?? '' } },
        );
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #checkPausedConditions(): Promise<void> {
    const d = this.#d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return;
    const pausedCond = cond?.reason === 'DeploymentPaused';
    const paused = d.spec?.paused === true;
    if (paused && !pausedCond)
      this.#setCondition(
        newCondition(
          'Progressing',
          'Unknown',
          'DeploymentPaused',
          'Deployment is paused',
          this.#now(),
        ),
      );
    else if (!paused && pausedCond)
      this.#setCondition(
        newCondition(
          'Progressing',
          'Unknown',
          'DeploymentResumed',
          'Deployment is resumed',
          this.#now(),
        ),
      );
    else return;
    await this.#updateStatus();
  }

  async #syncStatusOnly(): Promise<void> {
    const [newRS, oldRSs] = await this.#allReplicaSets(false);
    await this.#syncStatus([...oldRSs, ...(newRS === undefined ? [] : [newRS])], newRS);
  }

  /** syncDeploymentStatus: counts and Available only. */
  async #syncStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.#d, this.#now());
    if (statusEqual(this.#d.status, status)) return;
    this.#d.status = status;
    await this.#updateStatus();
  }

  /** syncRolloutStatus: plus Progressing/ReplicaFailure, and a requeue at the deadline. */
  async #syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = rolloutStatus(allRSs, newRS, this.#d, this.#now());
    if (statusEqual(this.#d.status, status)) {
      const after = msUntilProgressDeadline(this.#d, status, this.#now());
      if (after !== undefined) this.#deps.enqueueAfter(after < 1000 ? 0 : after);
      return;
    }
    this.#d.status = status;
    await this.#updateStatus();
  }

  #setCondition(c: ReturnType<typeof newCondition>): void {
    const s: DeploymentStatus = { ...this.#d.status };
    setCondition(s, c);
    this.#d.status = s;
  }

  /** SetDeploymentRevision on the in-memory Deployment; true when it changed. */
  #setDeploymentRevision(revision: string | undefined): boolean {
    if (revision === undefined) return false;
    const meta = (this.#d.metadata ??= {});
    if (meta.annotations?.[REVISION_ANNOTATION] === revision) return false;
    meta.annotations = { ...meta.annotations, [REVISION_ANNOTATION]: revision };
    return true;
  }

  /**
   * UpdateStatus. Upstream's status strategy keeps metadata.annotations from the request, which
   * is how the revision annotation lands; a status subresource that drops them gets a merge
   * patch of the annotation after.
   */
  async #updateStatus(): Promise<void> {
    const ref = {
      ...RESOURCES.deployments,
      namespace: this.#ns,
      name: this.#d.metadata?.name ?? '',
    };
    const wanted = this.#d.metadata?.annotations?.[REVISION_ANNOTATION];
    const status = this.#d.status;
    let updated = await this.#deps.ctx.client.update<Deployment>(
      { ...ref, subresource: 'status' },
      this.#d,
      {
        signal: this.#deps.signal,
      },
    );
    if (wanted !== undefined && updated.metadata?.annotations?.[REVISION_ANNOTATION] !== wanted) {
      updated = await this.#deps.ctx.client.patch<Deployment>(
        ref,
        {
          metadata: {
            annotations: { [REVISION_ANNOTATION]: wanted },
            resourceVersion: updated.metadata?.resourceVersion,
          },
        },
        { type: 'merge', signal: this.#deps.signal },
      );
    }
    this.#d = updated;
    if (status !== undefined && updated.status === undefined) this.#d.status = status;
  }

  async #updateRS(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.#deps.ctx.client.update<ReplicaSet>(
      { ...RESOURCES.replicaSets, namespace: this.#ns, name: rs.metadata?.name ?? '' },
      rs,
      { signal: this.#deps.signal },
    );
  }

  /** Records the server's copy of an RS, so later steps see its new size and resourceVersion. */
  #replaceRS(rs: ReplicaSet): ReplicaSet {
    const i = this.#rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.#rsList[i] = rs;
    else this.#rsList.push(rs);
    return rs;
  }

  /** The latest copies of `rss` (by UID), dropping undefined. */
  #current(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
    const out: ReplicaSet[] = [];
    for (const rs of rss) {
      if (rs === undefined) continue;
      out.push(this.#rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs);
    }
    return out;
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#deps.ctx.events.event(this.#d, type, reason, message);
  }
}
