/** The ReplicaSet controller and its pod-deletion ranking. */
export { ReplicaSetController } from './replica-set-controller.ts';
export type { ReplicaSetControllerOptions } from './replica-set-controller.ts';
export { podsToDelete } from './pod-ranking.ts';
