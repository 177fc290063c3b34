/**
 * What every controller is and gets. A controller is a named, level-based loop that runs until
 * its signal aborts (and then settles); it reaches the cluster only through `ControllerContext`:
 * the REST client, shared informers (one per resource, shared by every controller in the
 * process), an event recorder and an injected clock. The manager runs controllers only while it
 * holds the leader Lease, and aborts them all the moment it stops leading.
 */
import type {
  Clock,
  KubeObject,
  ResourceRef,
  RestClient,
  SharedInformer,
} from '../client/index.ts';

/** Shared informers: asking twice for the same resource gives the same informer. */
export interface InformerFactory {
  /** The cluster-wide informer for a resource (`ref.namespace` and `ref.name` must be unset). */
  informerFor<T extends KubeObject = KubeObject>(ref: ResourceRef): SharedInformer<T>;
  /** Starts every informer asked for so far (and later ones as they are asked for). */
  start(signal: AbortSignal): void;
  /** Resolves true once every started informer has synced, false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean>;
}

export type EventType = 'Normal' | 'Warning';

/**
 * Records Kubernetes Events about objects, as client-go's EventRecorder: `reason` is a short
 * CamelCase word (`SuccessfulCreate`), `message` a sentence. Best effort: a failure to record
 * is logged, never thrown, and repeated events are aggregated into a count.
 */
export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface ControllerContext {
  readonly client: RestClient;
  readonly informers: InformerFactory;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /** Structured logging; never pass secrets. */
  readonly log: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
}

export interface Controller {
  /** Upstream's controller name (`replicaset`, `deployment`, `namespace`, ...). */
  readonly name: string;
  /** Runs until `signal` aborts; resolves once every worker has stopped. */
  run(signal: AbortSignal): Promise<void>;
}

/** Builds a controller from the shared context (called once per leadership term). */
export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** The built-in resources controllers watch, by name, so refs are spelled once. */
export const RESOURCES = {
  pods: { group: '', version: 'v1', plural: 'pods' },
  nodes: { group: '', version: 'v1', plural: 'nodes' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  services: { group: '', version: 'v1', plural: 'services' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints' },
  serviceAccounts: { group: '', version: 'v1', plural: 'serviceaccounts' },
  secrets: { group: '', version: 'v1', plural: 'secrets' },
  configMaps: { group: '', version: 'v1', plural: 'configmaps' },
  events: { group: '', version: 'v1', plural: 'events' },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments' },
  replicaSets: { group: 'apps', version: 'v1', plural: 'replicasets' },
  daemonSets: { group: 'apps', version: 'v1', plural: 'daemonsets' },
  statefulSets: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  jobs: { group: 'batch', version: 'v1', plural: 'jobs' },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
  csrs: { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' },
  pdbs: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' },
} as const satisfies Record<string, ResourceRef>;
