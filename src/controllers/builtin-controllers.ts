/**
 * The controllers `k8ts controller-manager` can run, by upstream's names (`--controllers`).
 * Each entry builds its controller from the shared context; the manager starts them together
 * once it leads and stops them together when it stops leading.
 */
import type { ControllerFactory } from './controller.ts';
import { bootstrapSignerController } from './bootstrap/bootstrap-signer.ts';
import { tokenCleanerController } from './bootstrap/token-cleaner.ts';
import { csrApprovingController } from './certificates/csr-approving.ts';
import { csrSigningController } from './certificates/csr-signing.ts';
import { NamespaceController } from './namespace/namespace-controller.ts';
import { ServiceAccountsController } from './serviceaccount/serviceaccounts-controller.ts';
import { GarbageCollector } from './garbagecollector/garbage-collector.ts';
import { PodGCController } from './podgc/podgc-controller.ts';
import { EndpointsController } from './endpoint/endpoints-controller.ts';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.ts';
import { DeploymentController } from './deployment/deployment-controller.ts';
import { ReplicaSetController } from './replicaset/replica-set-controller.ts';
import { DaemonSetController } from './daemonset/daemonset-controller.ts';
import { StatefulSetController } from './statefulset/statefulset-controller.ts';
import { JobController } from './job/job-controller.ts';
import { controllerManagerConfig } from './controller-manager-config.ts';
import { NodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.ts';
import { TaintEvictionController } from './nodelifecycle/taint-eviction-controller.ts';
import { NodeIpamController } from './nodeipam/node-ipam-controller.ts';
import { rootCaCertPublisherController } from './rootcacertpublisher/root-ca-cert-publisher.ts';

export function builtinControllers(): Map<string, ControllerFactory> {
  const controllers = new Map<string, ControllerFactory>();
  controllers.set('csrapproving', csrApprovingController);
  controllers.set('csrsigning', csrSigningController);
  controllers.set('bootstrapsigner', bootstrapSignerController);
  controllers.set('tokencleaner', tokenCleanerController);
  controllers.set('namespace', (ctx) => new NamespaceController(ctx));
  controllers.set('serviceaccount', (ctx) => new ServiceAccountsController(ctx));
  controllers.set('garbagecollector', (ctx) => new GarbageCollector(ctx));
  controllers.set('podgc', (ctx) => new PodGCController(ctx));
  controllers.set('endpoint', (ctx) => new EndpointsController(ctx));
  controllers.set('endpointslice', (ctx) => new EndpointSliceController(ctx));
  controllers.set('deployment', (ctx) => new DeploymentController(ctx));
  controllers.set('replicaset', (ctx) => new ReplicaSetController(ctx));
  controllers.set('daemonset', (ctx) => new DaemonSetController(ctx));
  controllers.set('statefulset', (ctx) => new StatefulSetController(ctx));
  controllers.set('job', (ctx) => new JobController(ctx));
  controllers.set(
    'nodelifecycle',
    (ctx) => new NodeLifecycleController(ctx, controllerManagerConfig(ctx).nodeLifecycle),
  );
  controllers.set('taint-eviction-controller', (ctx) => new TaintEvictionController(ctx));
  controllers.set(
    'nodeipam',
    (ctx) => new NodeIpamController(ctx, controllerManagerConfig(ctx).nodeIpam),
  );
  controllers.set('root-ca-cert-publisher', rootCaCertPublisherController);
  return controllers;
}
