/**
 * The ReplicaSet a Deployment creates for a template it has no ReplicaSet for (sync.go
 * getNewReplicaSet): named `<deployment>-<pod-template-hash>` so a repeated create is
 * idempotent, the hash added to its selector and pod labels, owned by the Deployment, sized by
 * NewRSNewReplicas, at revision `newRevision` with the Deployment's annotations. Pure.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { maxSurge, newRSNewReplicas } from './deployment-util.ts';
import { POD_TEMPLATE_HASH_LABEL, computeHash } from './pod-template-hash.ts';
import { setNewReplicaSetAnnotations } from './revision-annotations.ts';

export function buildNewReplicaSet(
  d: Deployment,
  oldRSs: readonly ReplicaSet[],
  newRevision: number,
): ReplicaSet {
  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata?.name ?? ''}-${hash}`,
      namespace: d.metadata?.namespace ?? '',
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec = { ...newRS.spec, selector, replicas };
  setNewReplicaSetAnnotations(d, newRS, newRevision, false, maxSurge(d));
  return newRS;
}
