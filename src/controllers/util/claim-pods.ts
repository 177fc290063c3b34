/**
 * The pod half of upstream's PodControllerRefManager for workload controllers that read pods
 * from the shared pod informer (daemonset, statefulset): `claimPods` returns the pods of one
 * owner after adopting matching orphans (so an owner re-created after `--cascade=orphan` takes
 * its old pods back instead of making new ones) and releasing owned pods whose labels stopped
 * matching; `ownersSelecting` finds the owners an orphan pod should wake up. An owner with an
 * invalid selector claims only what it already controls.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { LabelSelectorObject } from '../../api/selectors/label-selector.ts';
import { LabelSelector } from '../../api/selectors/index.ts';
import type { KubeObject, ResourceRef, RestClient, SharedInformer } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import { claimObjects, getControllerOf, newControllerRef } from './controller-ref.ts';
import { ensureNamespaceIndex, listInNamespace } from './namespace-index.ts';
import { podsControlledBy } from './owned-pods.ts';

type Owner = KubeObject & { spec?: { selector?: LabelSelectorObject } };

export interface PodClaimer<O extends Owner> {
  /** The owner's kind, e.g. `{ apiVersion: 'apps/v1', kind: 'DaemonSet' }`. */
  readonly apiVersion: string;
  readonly kind: string;
  /** Where owners are read fresh before an adoption (RecheckDeletionTimestamp). */
  readonly ownerResource: ResourceRef;
  readonly client: RestClient;
  readonly pods: SharedInformer<Pod>;
  /** Extra condition for adopting an orphan (statefulset: the pod's name is one of its own). */
  readonly canAdopt?: ((owner: O, pod: Pod) => boolean) | undefined;
}

/** Adds the pod informer's namespace index (call once, at construction). */
export function preparePodClaims(pods: SharedInformer<Pod>): void {
  ensureNamespaceIndex(pods);
}

function selectorOf(owner: Owner): LabelSelector | undefined {
  try {
    const s = LabelSelector.fromObject(owner.spec?.selector);
    return s.isEmpty() ? undefined : s;
  } catch {
    return undefined;
  }
}

export async function claimPods<O extends Owner>(
  c: PodClaimer<O>,
  owner: O,
  signal: AbortSignal,
): Promise<Pod[]> {
  const namespace = owner.metadata?.namespace ?? '';
  const pods = listInNamespace(c.pods, namespace);
  const selector = selectorOf(owner);
  if (selector === undefined) return podsControlledBy(pods, owner);
  const canAdopt = c.canAdopt;
  return claimObjects(pods, {
    client: c.client,
    ref: { ...RESOURCES.pods, namespace },
    owner,
    controllerRef: newControllerRef(owner, c.apiVersion, c.kind),
    selector,
    getOwner: () =>
      c.client.get({ ...c.ownerResource, namespace, name: owner.metadata?.name ?? '' }, { signal }),
    canAdoptObject: canAdopt === undefined ? undefined : (pod: Pod) => canAdopt(owner, pod),
    signal,
  });
}

/** Owners (of `candidates`, in the pod's namespace) whose selector matches an orphan pod. */
export function ownersSelecting<O extends Owner>(candidates: readonly O[], pod: Pod): O[] {
  if (getControllerOf(pod) !== undefined || pod.metadata?.deletionTimestamp != null) return [];
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  return candidates.filter(
    (o) => (o.metadata?.namespace ?? '') === ns && selectorOf(o)?.matches(labels) === true,
  );
}
