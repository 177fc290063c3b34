/**
 * The gRPC call options that make a watch stream require a leader, like clientv3's
 * `WithRequireLeader` (which kube-apiserver puts on every watch): the `hasleader: true`
 * metadata. With it, an etcd member refuses to open the stream while it knows no leader, and
 * cancels an open one ("etcdserver: no leader") once it has known none for about three election
 * timeouts. Without it, a member cut off from the quorum keeps the stream open and silent
 * forever: its connection stays healthy (so gRPC keepalive does not help), but it no longer
 * learns of new revisions.
 */
import { InterceptingCall } from '@grpc/grpc-js';
import type { CallOptions, Interceptor } from '@grpc/grpc-js';

/** etcd's `rpctypes.MetadataRequireLeaderKey` and `MetadataHasLeader`. */
export const REQUIRE_LEADER_KEY = 'hasleader';
const HAS_LEADER = 'true';

/**
 * Adds `hasleader: true` to the call's metadata. The etcd3 client hands every call the same
 * (authentication) metadata object, so it is copied, never changed in place.
 */
const requireLeaderInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      const withLeader = metadata.clone();
      withLeader.set(REQUIRE_LEADER_KEY, HAS_LEADER);
      next(withLeader, listener);
    },
  });

/** Call options for `watchClient.watch()`. */
export const REQUIRE_LEADER: CallOptions = { interceptors: [requireLeaderInterceptor] };
