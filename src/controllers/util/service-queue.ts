/**
 * Wiring shared by the endpoints and endpointslice controllers (upstream's addPod/updatePod/
 * deletePod/onServiceUpdate handlers): a Service is queued when it changes, and a pod change
 * queues every Service in the pod's namespace that selects the pod before or after the change.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import { DeletedFinalStateUnknown, NAMESPACE_INDEX, metaNamespaceKey } from '../../client/index.ts';
import type { HandlerRegistration, SharedInformer } from '../../client/index.ts';
import { servicesSelecting } from './service-pods.ts';

const unwrap = <T>(o: T | DeletedFinalStateUnknown<T>): T =>
  o instanceof DeletedFinalStateUnknown ? o.obj : o;

export function watchServicesAndPods(
  services: SharedInformer<Service>,
  pods: SharedInformer<Pod>,
  enqueue: (serviceKey: string) => void,
): HandlerRegistration[] {
  const servicesIn = (ns: string): Service[] => {
    try {
      return services.indexer.byIndex(NAMESPACE_INDEX, ns);
    } catch {
      return services.indexer.list().filter((s) => s.metadata?.namespace === ns);
    }
  };
  const forPod = (pod: Pod): void => {
    for (const key of servicesSelecting(servicesIn(pod.metadata?.namespace ?? ''), pod))
      enqueue(key);
  };
  const forService = (svc: Service): void => {
    enqueue(metaNamespaceKey(svc));
  };
  return [
    services.addEventHandler({
      onAdd: forService,
      onUpdate: (_o, n) => {
        forService(n);
      },
      onDelete: (o) => {
        forService(unwrap(o));
      },
    }),
    pods.addEventHandler({
      onAdd: forPod,
      onUpdate: (o, n) => {
        forPod(o);
        forPod(n);
      },
      onDelete: (o) => {
        forPod(unwrap(o));
      },
    }),
  ];
}
