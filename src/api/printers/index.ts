/**
 * Server-side printers for every built-in kind, keyed `${group}/${Kind}` (core group: `/Pod`) like
 * the strategies map of `builtinResources()`. Each printer mirrors upstream's
 * `pkg/printers/internalversion/printers.go` (release-1.33) with the server's `Wide: true` cells.
 */
import type { Printer } from '../resource.ts';
import {
  certificateSigningRequestPrinter,
  leasePrinter,
  podDisruptionBudgetPrinter,
} from './cluster-printers.ts';
import {
  configMapPrinter,
  namespacePrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './core-printers.ts';
import { eventPrinter, eventsV1EventPrinter } from './event-printer.ts';
import { nodePrinter } from './node-printer.ts';
import { podPrinter } from './pod-printer.ts';
import {
  clusterRoleBindingPrinter,
  defaultTablePrinter,
  roleBindingPrinter,
} from './rbac-printers.ts';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './service-printers.ts';
import {
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workload-printers.ts';

export { humanDuration } from './human-duration.ts';
export { podRowConditions } from './pod-printer.ts';
export { defaultTablePrinter } from './rbac-printers.ts';
export { translateTimestampSince } from './age.ts';

/** A fresh map per call: callers may add or replace entries without affecting others. */
export function builtinPrinters(): Map<string, Printer> {
  return new Map<string, Printer>([
    ['/Namespace', namespacePrinter],
    ['/Node', nodePrinter],
    ['/Pod', podPrinter],
    ['/Service', servicePrinter],
    ['/Endpoints', endpointsPrinter],
    ['/ConfigMap', configMapPrinter],
    ['/Secret', secretPrinter],
    ['/ServiceAccount', serviceAccountPrinter],
    ['/Event', eventPrinter],
    ['apps/Deployment', deploymentPrinter],
    ['apps/ReplicaSet', replicaSetPrinter],
    ['apps/DaemonSet', daemonSetPrinter],
    ['apps/StatefulSet', statefulSetPrinter],
    ['batch/Job', jobPrinter],
    ['coordination.k8s.io/Lease', leasePrinter],
    ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequestPrinter],
    ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
    ['events.k8s.io/Event', eventsV1EventPrinter],
    ['policy/PodDisruptionBudget', podDisruptionBudgetPrinter],
    ['rbac.authorization.k8s.io/Role', defaultTablePrinter],
    ['rbac.authorization.k8s.io/ClusterRole', defaultTablePrinter],
    ['rbac.authorization.k8s.io/RoleBinding', roleBindingPrinter],
    ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingPrinter],
  ]);
}
