/**
 * The client every k8ts component reaches the cluster through: REST over HTTP/2 with client-side
 * failover, shared informers over an indexed cache, and client-go's work queues and controller
 * loop. Controllers, the scheduler and the agent import from here.
 */
export { RestClient } from './rest-client.ts';
export type { RequestLogEntry, RequestScope, RestClientOptions } from './rest-client-options.ts';
export type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  RequestOptions,
  WatchOptions,
  WriteOptions,
} from './request-options.ts';
export {
  ApiStatusError,
  ClientError,
  ClientProtocolError,
  ClientTimeoutError,
  ClientUnavailableError,
  errorFromResponse,
  hasStatusCause,
  isAborted,
  isAlreadyExists,
  isConflict,
  isExpired,
  isForbidden,
  isInternalError,
  isInvalid,
  isNamespaceTerminating,
  isNotFound,
  isTooManyRequests,
  isUnauthorized,
} from './errors.ts';
export type { ServerFailure, StatusObject } from './errors.ts';
export { resourcePath } from './resource-ref.ts';
export type { KubeList, KubeObject, ObjectRef, ResourceRef } from './resource-ref.ts';
export { ServerList, serversFromEndpoints } from './server-list.ts';
export { defaultUserAgent } from './user-agent.ts';
export type { WatchEvent, WatchStream } from './watch-stream.ts';
export { buildKubeconfig, parseKubeconfig, KubeconfigError } from './kubeconfig.ts';
export type { KubeconfigOptions, ResolvedKubeconfig } from './kubeconfig.ts';
export { SharedInformer, waitForCacheSync } from './informer.ts';
export type {
  HandlerRegistration,
  ResourceEventHandler,
  SharedInformerOptions,
} from './informer.ts';
export {
  DeletedFinalStateUnknown,
  Indexer,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  byNamespace,
  byNodeName,
  deletionHandlingKey,
  metaNamespaceKey,
  tombstoneObject,
  splitMetaNamespaceKey,
} from './indexer.ts';
export type { IndexFunc, Indexers } from './indexer.ts';
export { Reflector, VeryShortWatchError } from './reflector.ts';
export type { ReflectorOptions, ReflectorStore } from './reflector.ts';
export { listWatchFor } from './list-watch.ts';
export type { ListerWatcher, Selectors } from './list-watch.ts';
export { Backoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { FakeClock, realClock, sleep } from './clock.ts';
export type { Clock, TimerHandle } from './clock.ts';
export {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.ts';
export type { RateLimiter } from './rate-limiter.ts';
export { WorkQueue } from './work-queue.ts';
export type { GetResult } from './work-queue.ts';
export { DelayingQueue } from './delaying-queue.ts';
export { RateLimitingQueue } from './rate-limiting-queue.ts';
export { runControllerLoop } from './controller-loop.ts';
export type { CacheSyncWaiter, ControllerLoopOptions } from './controller-loop.ts';
export { ApiEventRecorder, involvedObjectOf } from './event-recorder.ts';
export type {
  EventObject,
  EventRecorder,
  EventRecorderOptions,
  EventType,
} from './event-recorder.ts';
