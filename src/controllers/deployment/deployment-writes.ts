/**
 * The state of one Deployment sync and the writes that keep it current (sync.go's
 * getNewReplicaSet, scaleReplicaSet and UpdateStatus): private copies of the Deployment and its
 * ReplicaSets, replaced by the server's answer after every write, so each later step of the
 * same sync sees the sizes and resourceVersions it produced. Events are recorded as upstream's
 * (`ScalingReplicaSet`). Every failed write throws; the caller's sync is retried.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { isAlreadyExists } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import { getControllerOf } from '../util/controller-ref.ts';
import type { DeploymentSyncDeps } from './deployment-sync.ts';
import {
  findNewReplicaSet,
  hasProgressDeadline,
  maxSurge,
  specReplicas,
} from './deployment-util.ts';
import { getCondition, newCondition, setCondition } from './deployment-status.ts';
import { buildNewReplicaSet } from './new-replica-set.ts';
import { equalIgnoreHash } from './pod-template-hash.ts';
import {
  REVISION_ANNOTATION,
  maxRevision,
  replicasAnnotationsNeedUpdate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './revision-annotations.ts';

export class DeploymentWrites {
  /** The Deployment as last written or read. */
  d: Deployment;
  /** The ReplicaSets it controls, as last written or read. */
  readonly rsList: ReplicaSet[];
  readonly #deps: DeploymentSyncDeps;

  constructor(d: Deployment, rsList: readonly ReplicaSet[], deps: DeploymentSyncDeps) {
    this.d = structuredClone(d);
    this.rsList = rsList.map((rs) => structuredClone(rs));
    this.#deps = deps;
  }

  get ns(): string {
    return this.d.metadata?.namespace ?? '';
  }

  now(): number {
    return this.#deps.ctx.clock.now();
  }

  /** getNewReplicaSet: find (and sync) or create the ReplicaSet of the current template. */
  async getNewReplicaSet(oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rsList);
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
        return this.replaceRS(await this.updateRS(rsCopy));
      }
      let needsUpdate = this.setDeploymentRevision(
        rsCopy.metadata?.annotations?.[REVISION_ANNOTATION],
      );
      if (hasProgressDeadline(d) && getCondition(d.status, 'Progressing') === undefined) {
        const msg = `Found new replica set "${rsCopy.metadata?.name ?? ''}"`;
        this.setCondition(
          newCondition('Progressing', 'True', 'FoundNewReplicaSet', msg, this.now()),
        );
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus();
      return rsCopy;
    }
    if (!create) return undefined;

    const newRS = buildNewReplicaSet(d, oldRSs, newRevision);
    const name = newRS.metadata?.name ?? '';
    const replicas = specReplicas(newRS);
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.#deps.ctx.client.create<ReplicaSet>(
        { ...RESOURCES.replicaSets, namespace: this.ns },
        newRS,
        { signal: this.#deps.signal },
      );
    } catch (err: unknown) {
      if (isAlreadyExists(err)) {
        const rs = await this.#deps.ctx.client.get<ReplicaSet>(
          { ...RESOURCES.replicaSets, namespace: this.ns, name },
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
          await this.updateStatus();
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${name}": ${err instanceof Error ? err.message : String(err)}`;
        if (hasProgressDeadline(d)) {
          this.setCondition(
            newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, this.now()),
          );
          await this.updateStatus();
        }
        this.event('Warning', 'ReplicaSetCreateError', msg);
        throw err;
      }
    }
    this.rsList.push(created);
    if (!alreadyExists && replicas > 0)
      this.event(
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${name} from 0 to ${replicas}`,
      );
    let needsUpdate = this.setDeploymentRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      const msg = `Created new replica set "${name}"`;
      this.setCondition(
        newCondition('Progressing', 'True', 'NewReplicaSetCreated', msg, this.now()),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus();
    return created;
  }

  /** scaleReplicaSetAndRecordEvent: size and replicas annotations; true when the size changed. */
  async scaleRS(rs: ReplicaSet, newScale: number): Promise<boolean> {
    const d = this.d;
    const cur = this.current([rs])[0] ?? rs;
    const oldScale = specReplicas(cur);
    const max = specReplicas(d) + maxSurge(d);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(cur, specReplicas(d), max)) return false;
    const copy = structuredClone(cur);
    copy.spec = { ...copy.spec, selector: copy.spec?.selector ?? {}, replicas: newScale };
    setReplicasAnnotations(copy, specReplicas(d), max);
    const updated = this.replaceRS(await this.updateRS(copy));
    if (sizeChanged) {
      const op = oldScale < newScale ? 'up' : 'down';
      this.event(
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${op} replica set ${updated.metadata?.name ?? ''} to ${newScale} from ${oldScale}`,
      );
    }
    return sizeChanged;
  }

  setCondition(c: ReturnType<typeof newCondition>): void {
    const s: DeploymentStatus = { ...this.d.status };
    setCondition(s, c);
    this.d.status = s;
  }

  /** SetDeploymentRevision on the in-memory Deployment; true when it changed. */
  setDeploymentRevision(revision: string | undefined): boolean {
    if (revision === undefined) return false;
    const meta = (this.d.metadata ??= {});
    if (meta.annotations?.[REVISION_ANNOTATION] === revision) return false;
    meta.annotations = { ...meta.annotations, [REVISION_ANNOTATION]: revision };
    return true;
  }

  /**
   * UpdateStatus. Upstream's status strategy keeps metadata.annotations from the request, which
   * is how the revision annotation lands; k8ts's status subresource drops them, so the
   * annotation is written by an update of the Deployment after.
   */
  async updateStatus(): Promise<void> {
    const ref = {
      ...RESOURCES.deployments,
      namespace: this.ns,
      name: this.d.metadata?.name ?? '',
    };
    const wanted = this.d.metadata?.annotations?.[REVISION_ANNOTATION];
    const status = this.d.status;
    let updated = await this.#deps.ctx.client.update<Deployment>(
      { ...ref, subresource: 'status' },
      this.d,
      {
        signal: this.#deps.signal,
      },
    );
    if (wanted !== undefined && updated.metadata?.annotations?.[REVISION_ANNOTATION] !== wanted) {
      // An update, not a patch: upstream's deployment-controller role may update Deployments
      // but not patch them (and this runs as that service account).
      updated = await this.#deps.ctx.client.update<Deployment>(
        ref,
        {
          ...updated,
          metadata: {
            ...updated.metadata,
            annotations: { ...updated.metadata?.annotations, [REVISION_ANNOTATION]: wanted },
          },
        },
        { signal: this.#deps.signal },
      );
    }
    this.d = updated;
    if (status !== undefined && updated.status === undefined) this.d.status = status;
  }

  async updateRS(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.#deps.ctx.client.update<ReplicaSet>(
      { ...RESOURCES.replicaSets, namespace: this.ns, name: rs.metadata?.name ?? '' },
      rs,
      { signal: this.#deps.signal },
    );
  }

  /** Records the server's copy of an RS, so later steps see its new size and resourceVersion. */
  replaceRS(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  /** The latest copies of `rss` (by UID), dropping undefined. */
  current(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
    const out: ReplicaSet[] = [];
    for (const rs of rss) {
      if (rs === undefined) continue;
      out.push(this.rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs);
    }
    return out;
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#deps.ctx.events.event(this.d, type, reason, message);
  }
}
