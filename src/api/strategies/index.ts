/**
 * The built-in kinds' strategies: upstream's defaulting, PrepareForCreate and essential
 * validation (Kubernetes 1.33) as pure functions over JSON objects, keyed `<group>/<Kind>` as
 * `builtinResources()` expects. Kinds without an entry get only the generic metadata rules.
 */
import type { ResourceStrategy } from '../resource.ts';
import {
  daemonSetStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
} from './apps-strategies.ts';
import { jobStrategy } from './batch-strategy.ts';
import { configMapStrategy, secretStrategy } from './config-strategies.ts';
import { csrStrategy } from './csr-strategy.ts';
import { endpointSliceStrategy } from './endpoint-slice-strategy.ts';
import { coreEventStrategy, eventsV1EventStrategy } from './event-strategies.ts';
import { leaseStrategy } from './lease-strategy.ts';
import { namespaceStrategy } from './namespace-strategy.ts';
import { nodeStrategy } from './node-strategy.ts';
import { podDisruptionBudgetStrategy } from './pdb-strategy.ts';
import { podStrategy } from './pod-strategy.ts';
import {
  clusterRoleBindingStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  roleStrategy,
} from './rbac-strategies.ts';
import { endpointsStrategy, serviceStrategy } from './service-strategy.ts';

export function builtinStrategies(): Map<string, ResourceStrategy> {
  return new Map<string, ResourceStrategy>([
    ['/Namespace', namespaceStrategy],
    ['/Node', nodeStrategy],
    ['/Pod', podStrategy],
    ['/Service', serviceStrategy],
    ['/Endpoints', endpointsStrategy],
    ['/ConfigMap', configMapStrategy],
    ['/Secret', secretStrategy],
    ['/Event', coreEventStrategy],
    ['apps/Deployment', deploymentStrategy],
    ['apps/ReplicaSet', replicaSetStrategy],
    ['apps/DaemonSet', daemonSetStrategy],
    ['apps/StatefulSet', statefulSetStrategy],
    ['batch/Job', jobStrategy],
    ['coordination.k8s.io/Lease', leaseStrategy],
    ['certificates.k8s.io/CertificateSigningRequest', csrStrategy],
    ['discovery.k8s.io/EndpointSlice', endpointSliceStrategy],
    ['events.k8s.io/Event', eventsV1EventStrategy],
    ['policy/PodDisruptionBudget', podDisruptionBudgetStrategy],
    ['rbac.authorization.k8s.io/Role', roleStrategy],
    ['rbac.authorization.k8s.io/ClusterRole', clusterRoleStrategy],
    ['rbac.authorization.k8s.io/RoleBinding', roleBindingStrategy],
    ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingStrategy],
  ]);
}
