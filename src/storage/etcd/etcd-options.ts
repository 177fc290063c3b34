/**
 * EtcdStore's options, their defaults, and the `etcd3` client built from them. The client's own
 * retry and circuit-breaker policies are replaced by pass-through ones: EtcdStore decides itself
 * which failures are safe to retry (a write that may have been applied is never re-sent), and
 * every call is bounded by `requestTimeoutMs`.
 */
import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';
import { StoreInvalidArgumentError } from '../errors.ts';
import { EtcdKvClient } from './etcd-kv-client.ts';

export interface EtcdTlsOptions {
  /** PEM CA bundle that signed the etcd servers' certificates. */
  readonly ca: Buffer;
  /** PEM client certificate (etcd `--client-cert-auth`). Default: none. */
  readonly cert?: Buffer;
  /** PEM private key of `cert`. Default: none. */
  readonly key?: Buffer;
}

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members (`http://127.0.0.1:2379`, or `https://` with `tls`). */
  readonly endpoints: readonly string[];
  /**
   * Prepended to every key on the wire and stripped from returned keys, like kube-apiserver's
   * `--etcd-prefix`: several stores (or clusters of API servers) can share one etcd without
   * seeing each other's keys. It is a plain string prefix: with `/a` and `/ab`, a list of ''
   * in `/a` also sees `/ab`'s keys (lists of `/registry/...` do not), so give stores prefixes
   * of which none starts another. Default: '' (none).
   */
  readonly keyPrefix?: string;
  /**
   * Every request (retries included) fails with StoreUnavailableError after this long instead
   * of waiting on a dead or unreachable member. Default: 5,000 ms.
   */
  readonly requestTimeoutMs?: number;
  /**
   * How long a watch keeps trying to open (or, after its stream broke, re-open) a stream on
   * some member before it fails with StoreUnavailableError. (Requests need no dial timeout of
   * their own: connecting is part of their `requestTimeoutMs`.) Default: 5,000 ms.
   */
  readonly dialTimeoutMs?: number;
  /** TLS towards etcd. Default: none (plain gRPC to `http://` endpoints). */
  readonly tls?: EtcdTlsOptions;
}

export interface ResolvedEtcdStoreOptions {
  readonly endpoints: readonly string[];
  readonly keyPrefix: string;
  readonly requestTimeoutMs: number;
  readonly dialTimeoutMs: number;
  readonly tls: EtcdTlsOptions | undefined;
}

export function resolveOptions(options: EtcdStoreOptions): ResolvedEtcdStoreOptions {
  if (options.endpoints.length === 0) {
    throw new StoreInvalidArgumentError('EtcdStore needs at least one endpoint');
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const dialTimeoutMs = options.dialTimeoutMs ?? 5_000;
  if (!(requestTimeoutMs > 0) || !(dialTimeoutMs > 0)) {
    throw new StoreInvalidArgumentError('requestTimeoutMs and dialTimeoutMs must be positive');
  }
  return {
    endpoints: [...options.endpoints],
    keyPrefix: options.keyPrefix ?? '',
    requestTimeoutMs,
    dialTimeoutMs,
    tls: options.tls,
  };
}

/**
 * gRPC keepalive: a connection whose peer stopped answering (a partitioned or frozen member)
 * is declared dead after about KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS, which ends a watch
 * stream stuck on it. etcd refuses pings more often than every 5 s (`--grpc-keepalive-min-time`).
 */
const KEEPALIVE_TIME_MS = 10_000;
const KEEPALIVE_TIMEOUT_MS = 5_000;

export function createClient(options: ResolvedEtcdStoreOptions): Etcd3 {
  const policy = new PassThroughPolicy();
  const config: IOptions = {
    hosts: [...options.endpoints],
    faultHandling: { global: policy, host: () => policy },
    grpcOptions: {
      'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      // Lists of many large values are bigger than gRPC's 4 MiB default (clientv3: MaxInt32).
      'grpc.max_receive_message_length': 2 ** 31 - 1,
      'grpc.max_send_message_length': 2 ** 31 - 1,
    },
  };
  if (options.tls !== undefined) {
    config.credentials = {
      rootCertificate: options.tls.ca,
      ...(options.tls.cert === undefined ? {} : { certChain: options.tls.cert }),
      ...(options.tls.key === undefined ? {} : { privateKey: options.tls.key }),
    };
  }
  return new Etcd3(config);
}

/** The lean client of the hot KV calls (Range, Txn), with the same keepalive as `etcd3`'s. */
export function createKvClient(options: ResolvedEtcdStoreOptions): EtcdKvClient {
  return new EtcdKvClient({
    endpoints: options.endpoints,
    tls: options.tls,
    dialTimeoutMs: options.dialTimeoutMs,
    keepaliveTimeMs: KEEPALIVE_TIME_MS,
    keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS,
  });
}

type EtcdPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
type PolicyContext = Parameters<Parameters<EtcdPolicy['execute']>[0]>[0];

const NEVER_ABORTED = new AbortController().signal;

/** Runs every call once: no retry, no circuit breaker (EtcdStore's call runner decides). */
class PassThroughPolicy implements EtcdPolicy {
  declare readonly _altReturn: never;
  readonly onSuccess: EtcdPolicy['onSuccess'] = () => ({ dispose: noop });
  readonly onFailure: EtcdPolicy['onFailure'] = () => ({ dispose: noop });

  async execute<T>(
    fn: (context: PolicyContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    return await fn({ signal: signal ?? NEVER_ABORTED });
  }
}

function noop(): void {
  // nothing to release
}
