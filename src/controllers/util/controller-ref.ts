/**
 * Controller references (upstream's metav1.GetControllerOf / NewControllerRef) and the
 * adopt/release half of ControllerRefManager (pkg/controller/controller_ref_manager.go): an
 * owner claims the objects its selector matches that have no controller, and releases the ones
 * it controls that no longer match. Adoption re-reads the owner first (upstream's
 * RecheckDeletionTimestamp), so a stale cache never adopts for an owner that is gone or going.
 * Patches carry the object's resourceVersion, so a concurrent change makes them fail (409) and
 * the caller's sync is retried rather than clobbering someone else's ownerReferences.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import { isNotFound } from '../../client/index.ts';
import type { KubeObject, ResourceRef, RestClient } from '../../client/index.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';

export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** An ownerReference that makes `owner` the controller of an object. */
export function newControllerRef(
  owner: KubeObject,
  apiVersion: string,
  kind: string,
): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface ClaimOptions<T extends KubeObject> {
  readonly client: RestClient;
  /** Where the claimed objects live (namespace set). */
  readonly ref: ResourceRef;
  readonly owner: KubeObject;
  readonly controllerRef: OwnerReference;
  readonly selector: LabelSelector;
  /** Fresh read of the owner, to check it still exists with the same UID and is not deleting. */
  readonly getOwner: () => Promise<KubeObject>;
  /** Extra condition an orphan must meet to be adopted (upstream: pods must be active). */
  readonly canAdoptObject?: ((obj: T) => boolean) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Returns the objects `owner` controls after adopting matching orphans and releasing owned
 * objects that stopped matching. Errors other than NotFound on one object are thrown after the
 * others were handled (upstream aggregates them).
 */
export async function claimObjects<T extends KubeObject>(
  objects: readonly T[],
  o: ClaimOptions<T>,
): Promise<T[]> {
  const ownerUid = o.owner.metadata?.uid;
  const ownerDeleting = o.owner.metadata?.deletionTimestamp != null;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptionChecked: Promise<void> | undefined;
  const canAdopt = (): Promise<void> => {
    adoptionChecked ??= o.getOwner().then((fresh) => {
      if (fresh.metadata?.uid !== ownerUid)
        throw new Error(
          `original ${o.controllerRef.kind} is gone: got uid ${fresh.metadata?.uid ?? ''}`,
        );
      if (fresh.metadata?.deletionTimestamp != null)
        throw new Error(`${o.controllerRef.kind} has just been deleted`);
    });
    return adoptionChecked;
  };
  for (const obj of objects) {
    const labels = obj.metadata?.labels ?? {};
    const matches = o.selector.matches(labels);
    const ref = getControllerOf(obj);
    try {
      if (ref !== undefined) {
        if (ref.uid !== ownerUid) continue;
        if (matches) claimed.push(obj);
        else if (!ownerDeleting) await release(obj, o);
        continue;
      }
      if (ownerDeleting || !matches || obj.metadata?.deletionTimestamp != null) continue;
      if (o.canAdoptObject !== undefined && !o.canAdoptObject(obj)) continue;
      await canAdopt();
      claimed.push(await adopt(obj, o));
    } catch (err: unknown) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

function objectRef(obj: KubeObject, o: ClaimOptions<KubeObject>): ResourceRef & { name: string } {
  return { ...o.ref, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' };
}

async function adopt<T extends KubeObject>(obj: T, o: ClaimOptions<T>): Promise<T> {
  const refs = [...(obj.metadata?.ownerReferences ?? []), o.controllerRef];
  return o.client.patch<T>(
    objectRef(obj, o as ClaimOptions<KubeObject>),
    { metadata: { ownerReferences: refs, resourceVersion: obj.metadata?.resourceVersion } },
    { type: 'merge', signal: o.signal },
  );
}

async function release<T extends KubeObject>(obj: T, o: ClaimOptions<T>): Promise<void> {
  const ownerUid = o.owner.metadata?.uid;
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  await o.client.patch<T>(
    objectRef(obj, o as ClaimOptions<KubeObject>),
    {
      metadata: {
        ownerReferences: refs.length === 0 ? null : refs,
        resourceVersion: obj.metadata?.resourceVersion,
      },
    },
    { type: 'merge', signal: o.signal },
  );
}
